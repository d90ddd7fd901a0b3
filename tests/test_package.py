"""`import course_lib` stays framework-free; `load` dispatches with clear errors; the CLI and environment check."""

import subprocess
import sys

import pytest

import course_lib
from course_lib import environment
from course_lib.viz import show_twins
from tests.conftest import REPO_ROOT


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, timeout=120)


def test_import_course_lib_imports_neither_framework():
    result = _python(
        "import sys, course_lib, course_lib.data, course_lib.grading, course_lib.viz, course_lib.metrics, "
        "course_lib.reference, course_lib.config\n"
        "print(sorted(m for m in ('torch', 'tensorflow', 'keras') if m in sys.modules))")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_unknown_framework_names_the_choices():
    with pytest.raises(ValueError, match=r"Unknown framework 'jax'.*\('torch', 'tf'\)"):
        course_lib.load("jax")
    with pytest.raises(ValueError):
        course_lib.load(None)


@pytest.mark.parametrize("framework,module,extra", [("torch", "torch", "torch"), ("tf", "tensorflow", "tf")])
def test_missing_framework_names_the_pip_extra(framework, module, extra):
    # sys.modules[name] = None makes `import name` fail as if the package were not installed
    result = _python(f"import sys; sys.modules[{module!r}] = None\nimport course_lib\n"
                     f"try:\n    course_lib.load({framework!r})\nexcept ImportError as e:\n    print(e)")
    assert result.returncode == 0, result.stderr
    assert f"pip install 'course_lib[{extra}]'" in result.stdout


def test_environment_check_reports_versions_and_explains_fixes(monkeypatch):
    report = environment.check_environment("torch")
    assert report["python"].startswith("3.") and report["torch"]
    monkeypatch.setattr(environment, "_installed_version", lambda p: {"numpy": "2.0", "torch": "1.13.1"}.get(p))
    with pytest.raises(environment.EnvironmentProblem, match=r"torch 1\.13\.1 is older than 2\.2.*pip install"):
        environment.check_environment("torch")
    with pytest.raises(environment.EnvironmentProblem, match="tensorflow is not installed. Fix: pip install"):
        environment.check_environment("tf")


def test_show_twins_renders_both_sources_without_importing_frameworks():
    twins = show_twins("utils.set_seed")
    assert "torch.manual_seed" in twins.sources["torch"] and "tf.random.set_seed" in twins.sources["tf"]
    html = twins._repr_html_()
    assert "PyTorch" in html and "TensorFlow" in html and "<pre" in html
    assert "# ---- TensorFlow" in str(twins)
    assert "def to_uint8_images" in show_twins("data").sources["tf"]
    with pytest.raises(ValueError, match="No twin module 'nope'"):
        show_twins("nope.f")
    with pytest.raises(ValueError, match="defines no function or class 'missing'"):
        show_twins("utils.missing")


def test_cli_help_unknown_command_and_data_check():
    run = lambda *args: subprocess.run([sys.executable, "-m", "course_lib", *args], capture_output=True, text=True,
                                       cwd=REPO_ROOT, timeout=120)
    assert run().returncode == 0 and "grade" in run("--help").stdout
    assert run("frobnicate").returncode == 2
    checked = run("data", "check")
    assert checked.returncode == 0, checked.stderr
    assert "Fashion-MNIST test: 10000 images, verified" in checked.stdout
