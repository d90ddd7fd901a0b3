"""The student install on Colab: one version, nothing Colab ships replaced, forks keep working, weights packaged.

`make colab-check` runs the notebooks on a replica of Colab's runtime; these tests pin down the pieces it relies on
without building that replica.
"""

from __future__ import annotations

import json
import pathlib
import re
import shutil
import subprocess
import sys
import tomllib

import pytest
from packaging.requirements import Requirement

import course_lib
from tests.conftest import REPO_ROOT
from tools import set_repository
from tools.colab_replica.environment import (
    CPU_TORCH,
    CPU_TORCH_UNPINNED,
    ReplicaEnv,
    env_spec,
    installer_command,
    load_pins,
    pin_problems,
)
from tools.colab_replica.runner import _call_with_deadline, _package_of, checked_output_problem
from tools.colab_replica.session import colab_install_line
from tools.colab_replica.snapshot import git_rewrite_env, snapshot_checkout
from tools.nbbuild import COLAB_SETUP

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# What Colab pins or ships for its kernel and front end, and the frameworks: the Colab cell must bring none.
COLAB_OWNS = {"ipykernel", "ipython", "ipywidgets", "jupyter-client", "jupyter-core", "jupyterlab", "notebook",
              "nbclassic", "tornado", "traitlets", "widgetsnbextension", "papermill", "nbval", "nbclient", "torch",
              "tensorflow", "tensorflow-cpu", "keras"}


def _project():
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _colab_requirements() -> list[Requirement]:
    project = _project()
    return [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["colab"]]


def _colab_cell(notebook) -> str:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return next("".join(c["source"]) for c in cells if "colab-setup" in c["metadata"].get("tags", []))


def test_the_colab_cell_installs_the_release_of_course_lib_version():
    tag = f"v{course_lib.__version__}"
    assert set_repository.TAG == tag
    line = next(line.strip() for line in COLAB_SETUP.splitlines() if "%pip install" in line)
    assert line == f'%pip install -q "course_lib[colab] @ git+https://github.com/{set_repository.REPOSITORY}@{tag}"'


def test_every_notebook_starts_with_exactly_the_builders_colab_cell():
    for notebook in NOTEBOOKS:
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        first_code = next(cell for cell in cells if cell["cell_type"] == "code")
        assert "colab-setup" in first_code["metadata"].get("tags", []), notebook.name
        assert "".join(first_code["source"]) == COLAB_SETUP, (
            f"{notebook.name}: stale Colab cell; run `python tools/set_repository.py`")


def test_the_colab_install_brings_no_jupyter_widget_or_framework_package():
    names = {re.sub(r"[-_.]+", "-", r.name).lower() for r in _colab_requirements()}
    assert not names & COLAB_OWNS, f"the Colab cell would install {names & COLAB_OWNS} over Colab's own"


def test_colabs_versions_satisfy_every_range_the_colab_cell_asks_for():
    """So pip finds each requirement already met and replaces nothing (the replica's freeze check proves it)."""
    pins = {name: pin.split("==")[1] for name, pin in load_pins().requirements.items()}
    for requirement in _colab_requirements():
        name = re.sub(r"[-_.]+", "-", requirement.name).lower()
        assert name in pins, f"{name}: Colab's version is not in requirements/colab-constraints.txt"
        assert requirement.specifier.contains(pins[name]), f"{requirement} excludes Colab's {name} {pins[name]}"
    for requirement in map(Requirement, _project()["optional-dependencies"]["notebooks"]):
        name = re.sub(r"[-_.]+", "-", requirement.name).lower()
        if name in pins:  # a local Jupyter may hold Colab's versions: the course is tested with them
            assert requirement.specifier.contains(pins[name]), f"{requirement} excludes Colab's {pins[name]}"


def test_the_colab_constraints_name_their_source_and_colabs_versions():
    text = (REPO_ROOT / "requirements" / "colab-constraints.txt").read_text(encoding="utf-8")
    assert "googlecolab/backend-info" in text and "pip-freeze.gpu.txt" in text and "2026-08-19" in text
    pins = load_pins()
    assert pins.python == "3.13"
    expected = {"numpy": "2.1.3", "scipy": "1.16.3", "matplotlib": "3.10.0", "keras": "3.13.2",
                "tensorflow-cpu": "2.20.0", "torch": "2.11.0", "ipython": "7.34.0", "ipykernel": "6.17.1",
                "ipywidgets": "7.7.1", "jupyter-client": "7.4.9", "notebook": "6.5.7", "traitlets": "5.7.1",
                "tqdm": "4.67.3", "tornado": "6.5.7"}
    for name, version in expected.items():
        assert pins.requirements[name].endswith(f"=={version}"), pins.requirements[name]
    assert "tensorflow" not in pins.requirements, "CI has no GPU: tensorflow-cpu stands for tensorflow"


def test_the_replica_runs_tensorflow_on_colabs_python_and_torch_on_the_cpu_build():
    pins = load_pins()
    python, tf_half = env_spec(pins, "tf", "3.11")
    assert python == "3.13" and "torch" not in tf_half and tf_half["ipywidgets"] == "ipywidgets==7.7.1"
    python, torch_half = env_spec(pins, "torch", "3.11")
    assert python == "3.11" and torch_half["torch"] == CPU_TORCH and "tensorflow-cpu" in torch_half
    assert set(tf_half) - set(torch_half) == set(CPU_TORCH_UNPINNED) == {"setuptools"}
    assert env_spec(pins, "torch", "colab") == ("3.13", {**tf_half, "torch": "torch==2.11.0"})


def test_set_repository_points_a_fork_at_its_repository_and_the_current_release(tmp_path):
    for relative in ("README.md", "tools/set_repository.py", "course_lib/version.py",
                     *(f"notebooks/{nb.name}" for nb in NOTEBOOKS)):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO_ROOT / relative, tmp_path / relative)
    assert set_repository.main(["someone/course-fork", "--root", str(tmp_path)]) == 0
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert set_repository.badge_table("someone/course-fork", NOTEBOOKS) in readme
    assert set_repository.REPOSITORY not in readme
    assert 'REPOSITORY = "someone/course-fork"' in (tmp_path / "tools" / "set_repository.py").read_text()
    for notebook in NOTEBOOKS:
        assert _colab_cell(tmp_path / "notebooks" / notebook.name) == set_repository.colab_setup_cell(
            "someone/course-fork", set_repository.TAG)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    set_repository.main(["someone/course-fork", "--root", str(tmp_path)])
    assert before == {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}, "a second run changes nothing"
    init = tmp_path / "course_lib" / "version.py"
    init.write_text(re.sub(r'__version__ = "[^"]+"', '__version__ = "9.8.7"', init.read_text()))
    set_repository.main(["--root", str(tmp_path)])
    for notebook in NOTEBOOKS:
        assert _colab_cell(tmp_path / "notebooks" / notebook.name) == set_repository.colab_setup_cell(
            "someone/course-fork", "v9.8.7")


def test_the_classifier_weights_are_package_data_checked_by_sha256():
    from course_lib.metrics.classifier import CLASSIFIER_SHA256, classifier_path, load_classifier

    assets = REPO_ROOT / "course_lib" / "metrics" / "assets"
    assert classifier_path() == assets / "eval_classifier.npz"
    package_data = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert set(package_data["course_lib.metrics"]) == {"assets/eval_classifier.npz", "assets/eval_classifier.json"}
    assert json.loads((assets / "eval_classifier.json").read_text())["sha256"] == CLASSIFIER_SHA256
    assert load_classifier().feature_dim == 128
    source = (REPO_ROOT / "course_lib" / "metrics" / "classifier.py").read_text()
    assert "urllib" not in source and "http" not in source, "the weights never come from a download"


def _git(*args, cwd):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def test_the_replica_installs_from_a_snapshot_of_the_checkout_as_the_release_tag(tmp_path):
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    _git("init", "--quiet", cwd=checkout)
    (checkout / "tracked.txt").write_text("committed\n")
    _git("add", "tracked.txt", cwd=checkout)
    _git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "-m", "one", cwd=checkout)
    (checkout / "tracked.txt").write_text("edited, not committed\n")
    (checkout / "new.txt").write_text("untracked\n")
    head = _git("rev-parse", "HEAD", cwd=checkout)
    status = _git("status", "--porcelain", cwd=checkout)
    snapshot_checkout(checkout, tmp_path / "course.git", "v1.2.3")
    assert _git("rev-parse", "HEAD", cwd=checkout) == head and _git("status", "--porcelain", cwd=checkout) == status
    env = dict(git_rewrite_env("owner/name", tmp_path / "course.git"), PATH=__import__("os").environ["PATH"])
    clone = tmp_path / "clone"  # as pip does: clone, resolve HEAD, then check out the tag
    subprocess.run(["git", "clone", "--quiet", "https://github.com/owner/name", str(clone)],
                   env=env, check=True, capture_output=True)
    _git("rev-parse", "HEAD", cwd=clone)
    _git("checkout", "--quiet", "v1.2.3", cwd=clone)
    assert (clone / "tracked.txt").read_text() == "edited, not committed\n"
    assert (clone / "new.txt").read_text() == "untracked\n"


def test_a_replica_failure_names_the_innermost_package_of_the_traceback():
    trace = ('File "/x/lib/python3.13/site-packages/course_lib/viz/vae.py", line 3\n'
             'File "/x/lib/python3.13/site-packages/ipywidgets/widgets/widget.py", line 9\nTraitError')
    assert _package_of(trace, {"ipywidgets": "7.7.1"}) == "ipywidgets 7.7.1"
    assert _package_of('File "<ipython-input-3>", line 1', {}) == "course_lib"


@pytest.mark.parametrize("target", ["colab-check", "browser-test"])
def test_make_has_the_colab_replica_and_browser_targets(target):
    # make test runs the notebooks on the replica too; colab-check is its one-at-a-time variant with a table
    assert f"\n{target}:" in (REPO_ROOT / "Makefile").read_text()


def test_a_hung_replica_run_is_killed_at_its_deadline(tmp_path):
    """A run that papermill's per-cell limit cannot end (nbclient waiting on widget messages) must not hang
    make colab-check: the whole process group is killed at the deadline and the run reported."""
    import time

    with open(tmp_path / "log", "w") as log:
        started = time.monotonic()
        assert _call_with_deadline([sys.executable, "-c", "import time; time.sleep(60)"], log, None, 1) is None
        assert time.monotonic() - started < 30
        assert _call_with_deadline([sys.executable, "-c", "raise SystemExit(3)"], log, None, 30) == 3


def _notebook_with(tmp_path, name, outputs):
    cell = {"cell_type": "code", "id": "cell-07", "metadata": {"tags": ["nbval-check-output"]}, "source": "print(1)",
            "outputs": outputs, "execution_count": 1}
    path = tmp_path / name
    path.write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


def test_a_tagged_cell_must_print_what_the_committed_notebook_shows(tmp_path):
    shown = [{"output_type": "stream", "name": "stdout", "text": ["0  T-shirt  6000\n"]}]
    stored = _notebook_with(tmp_path, "stored.ipynb", shown)
    assert checked_output_problem(stored, _notebook_with(tmp_path, "same.ipynb", shown)) == ""
    other = [{"output_type": "stream", "name": "stdout", "text": ["0  T-shirt  5999\n"]}]
    assert "5999" in checked_output_problem(stored, _notebook_with(tmp_path, "other.ipynb", other))
    noisy = shown + [{"output_type": "stream", "name": "stderr", "text": ["a warning\n"]}]
    assert "stderr" in checked_output_problem(stored, _notebook_with(tmp_path, "noisy.ipynb", noisy))


def test_the_replica_installs_by_the_colab_cells_own_line():
    args = colab_install_line(NOTEBOOKS[0])
    assert args[0] == "install" and args[-1].startswith("course_lib[colab] @ git+https://github.com/")
    assert args[-1].endswith(f"@v{course_lib.__version__}")


def test_a_changed_or_removed_colab_package_is_named():
    env = ReplicaEnv("py3.13-tf", REPO_ROOT, REPO_ROOT, {}, {"numpy": "2.1.3", "ipywidgets": "7.7.1"})
    assert pin_problems(env, {"numpy": "2.1.3", "ipywidgets": "7.7.1", "course-lib": "0.1.0"}) == []
    problems = pin_problems(env, {"numpy": "2.4.6"})
    assert problems == ["package ipywidgets: Colab has 7.7.1, now removed", "package numpy: Colab has 2.1.3, now 2.4.6"]


@pytest.mark.parametrize("dont_write_bytecode", ["", "1"])
def test_replica_environments_compile_byte_code_only_when_python_will_not_cache_it(monkeypatch, tmp_path,
                                                                                   dont_write_bytecode):
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", dont_write_bytecode)
    command = installer_command(tmp_path / "bin" / "python", tmp_path / "pins.txt")
    uses_uv = pathlib.Path(command[0]).name == "uv"
    compiled = ("--compile-bytecode" in command) if uses_uv else ("--no-compile" not in command)
    assert compiled == bool(dont_write_bytecode), command


def test_the_replica_executor_injects_parameters_as_papermill_and_keeps_the_failing_cell(tmp_path):
    import nbformat

    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("FRAMEWORK = 'torch'", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("print(FRAMEWORK)\nraise ValueError('boom')")])
    nbformat.write(notebook, tmp_path / "in.ipynb")
    result = subprocess.run([sys.executable, str(REPO_ROOT / "tools" / "colab_replica" / "execute.py"),
                             str(tmp_path / "in.ipynb"), str(tmp_path / "out.ipynb"), "--kernel", "python3",
                             "--cwd", str(tmp_path), "--timeout", "60", "-p", "FRAMEWORK", "'tf'"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1
    cells = json.loads((tmp_path / "out.ipynb").read_text())["cells"]
    assert cells[1]["metadata"]["tags"] == ["injected-parameters"]
    assert "".join(cells[1]["source"]) == "FRAMEWORK = 'tf'"
    outputs = cells[2]["outputs"]
    assert "".join(outputs[0]["text"]) == "tf\n" and outputs[1]["ename"] == "ValueError"
