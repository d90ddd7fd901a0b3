"""The Colab replica prepared once for many notebook runs at a time (`make test` runs every notebook in it).

`make colab-check` gives each notebook a fresh install of course_lib, one notebook at a time per environment.
The test suite instead runs notebooks side by side, two pytest workers sharing each environment, so a run must
never uninstall what another run is importing. Here each environment gets course_lib once, by the Colab cell's
own install line (`%pip install ...`, run with the environment's pip), right after a `pip uninstall`. Every
notebook's Colab cell then runs that same line as written, and pip finds the same commit already installed and
writes nothing. The install is redone when the checkout changed (another git tree) or something else installed
another course_lib, and the freeze check runs after the install and after every notebook.

The work is done under a file lock, so whichever process comes first prepares, and the others reuse it.
"""

from __future__ import annotations

import fcntl
import json
import os
import shlex
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tools.colab_replica.environment import ReplicaEnv, build_env, installed_versions, load_pins, pin_problems
from tools.colab_replica.runner import write_kernelspec
from tools.colab_replica.snapshot import git_rewrite_env, snapshot_checkout, tag_commit, tree_of_checkout

__all__ = ["ReplicaHalf", "colab_install_line", "prepare_replica"]

REPO_ROOT = Path(__file__).resolve().parents[2]
MARKER = "prepared.json"


@dataclass(frozen=True)
class ReplicaHalf:
    """One framework's environment, its kernel and what a run in it needs in its environment variables."""

    framework: str
    env: ReplicaEnv
    kernel: str
    extra_env: dict


def colab_install_line(notebook: Path) -> list[str]:
    """The arguments of the `%pip install` line in `notebook`'s Colab set-up cell, as written."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    setup = next("".join(c["source"]) for c in cells if "colab-setup" in c["metadata"].get("tags", []))
    line = next(line.strip() for line in setup.splitlines() if line.strip().startswith("%pip install"))
    return shlex.split(line)[1:]  # ["install", "-q", "course_lib[colab] @ git+..."]


def _install_course_lib(env: ReplicaEnv, extra_env: dict, install_args: list[str]) -> None:
    child_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    child_env.update(extra_env)
    subprocess.run([str(env.python), "-m", "pip", "uninstall", "--quiet", "--yes", "course_lib"],
                   capture_output=True, check=False)
    result = subprocess.run([str(env.python), "-m", "pip", *install_args], capture_output=True, text=True,
                            env=child_env, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"Colab replica ({env.name}): the Colab cell's line `%pip {shlex.join(install_args)}` "
                           f"failed:\n{result.stderr[-2000:]}")
    problems = pin_problems(env, installed_versions(env.python))
    if problems:
        raise RuntimeError(f"Colab replica ({env.name}): the Colab cell's install changed Colab's packages: "
                           + "; ".join(problems))


def _installed_commit(env: ReplicaEnv) -> str:
    """The git commit course_lib was installed from in `env` (its direct_url.json); '' when none."""
    code = ("import importlib.metadata as m, json\n"
            "try: url = json.loads(m.distribution('course_lib').read_text('direct_url.json'))\n"
            "except Exception: url = {}\n"
            "print(url.get('vcs_info', {}).get('commit_id', ''))")
    # -I: not the checkout's own course_lib.egg-info when run from the repository root
    result = subprocess.run([str(env.python), "-I", "-c", code], capture_output=True, text=True, check=False)
    return result.stdout.strip()


def prepare_replica(frameworks, cache: Path, log, torch_python: str = "3.11",
                    run_id: str = "") -> dict[str, ReplicaHalf]:
    """{framework: ReplicaHalf}, each environment holding course_lib installed from this checkout's snapshot.

    run_id: the test run's id. Once a process of that run has prepared the replica, the others reuse it as it is,
    even if a test has since written into the checkout: reinstalling under a running notebook would break it.
    """
    from tools.set_repository import REPOSITORY, TAG

    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / "prepare.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, or when this process dies
        pins = load_pins()
        with ThreadPoolExecutor(max_workers=len(frameworks)) as pool:  # downloads and unpacking: side by side
            builds = {fw: pool.submit(build_env, cache, pins, fw, torch_python, log) for fw in frameworks}
            envs = {fw: build.result() for fw, build in builds.items()}
        extra_env = {**git_rewrite_env(REPOSITORY, cache / "course.git"), "JUPYTER_PATH": str(cache / "jupyter")}
        marker_path = cache / MARKER
        marker = json.loads(marker_path.read_text()) if marker_path.exists() else {}
        tag = tag_commit(cache / "course.git", TAG)  # make colab-check takes its own snapshots, moving the tag
        prepared_by_this_run = run_id and marker.get("run_id") == run_id and tag == marker.get("commit")
        if not prepared_by_this_run:
            tree = tree_of_checkout(REPO_ROOT)
            if marker.get("tree") != tree or tag != marker.get("commit"):
                marker = {"tree": tree, "commit": snapshot_checkout(REPO_ROOT, cache / "course.git", TAG)}
        notebook = sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))[0]
        halves = {}
        for framework, env in envs.items():
            if not prepared_by_this_run and _installed_commit(env) != marker["commit"]:
                log(f"{env.name}: installing course_lib by the Colab cell's line (snapshot {marker['commit'][:10]})")
                _install_course_lib(env, extra_env, colab_install_line(notebook))
            kernel = write_kernelspec(cache / "jupyter", f"colab-replica-{env.name}", env.python,
                                      f"Colab replica ({env.name})")
            halves[framework] = ReplicaHalf(framework, env, kernel, extra_env)
        marker_path.write_text(json.dumps({**marker, "run_id": run_id}))  # only once every half is ready
        return halves


if __name__ == "__main__":  # `python -m tools.colab_replica.session`: prepare both halves (make test does, first)
    from course_lib.frameworks import FRAMEWORKS

    # make test passes the same COLAB_REPLICA_RUN to pytest, whose workers then reuse this preparation as it is
    prepare_replica(list(FRAMEWORKS), Path(os.environ.get("COLAB_REPLICA_CACHE", REPO_ROOT / "build" / "colab")),
                    lambda message: print(f"colab replica: {message}", flush=True),
                    run_id=os.environ.get("COLAB_REPLICA_RUN", ""))
    sys.exit(0)
