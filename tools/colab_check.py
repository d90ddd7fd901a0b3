"""`make colab-check`: every notebook, in both frameworks, on a replica of Google Colab's runtime.

A student opens a notebook on Colab; its first cell installs course_lib into Colab's own environment. This check
does the same on CPU and proves that (1) the install line, run as written (only git is pointed at this checkout),
installs course_lib into an environment holding Colab's versions (requirements/colab-constraints.txt) and changes
none of them (pip freeze before and after); (2) each notebook runs top to bottom in quick mode in both frameworks,
with its Colab branch (a stub `google.colab`, tools/colab_replica/stub); (3) each widget explorer's update path
works under Colab's ipywidgets. The environments are cached under build/colab/ (or $COLAB_REPLICA_CACHE), keyed by
a hash of the constraints file. What a CPU replica cannot show of Colab: its GPU, Google Drive, the browser front
end (widgets are driven from the kernel, not clicked), and Colab's own kernel and `%pip` wrapper.

    python tools/colab_check.py [--frameworks torch tf] [--torch-python 3.11|colab] [notebooks ...]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from course_lib.frameworks import FRAMEWORKS  # noqa: E402  (the repo root goes on sys.path first)
from tools.colab_replica.environment import build_env, freeze, load_pins, normalise, pin_problems  # noqa: E402
from tools.colab_replica.runner import EXECUTE, ONE_MATH_THREAD, RunResult, run_notebook, write_kernelspec  # noqa: E402
from tools.colab_replica.snapshot import git_rewrite_env, snapshot_checkout  # noqa: E402
from tools.set_repository import REPOSITORY, TAG  # noqa: E402

REPORTED = ("python", "numpy", "scipy", "matplotlib", "keras", "tensorflow-cpu", "torch", "ipython", "ipykernel",
            "ipywidgets", "jupyter-client", "notebook", "traitlets", "tornado", "tqdm", "pip", "course-lib")


def log(message: str) -> None:
    print(f"colab-check: {message}", flush=True)


def freeze_problems(env) -> list[str]:
    """Packages whose version the notebooks' installs changed or removed, and pins the environment lacks."""
    after = freeze(env.python)
    problems = pin_problems(env, after)
    for name, pin in sorted(env.pins.items()):
        wanted = pin.split("==", 1)[1]
        if env.frozen.get(name, "").split("+")[0] != wanted:
            problems.append(f"package {name}: pinned {wanted}, the replica built {env.frozen.get(name)}")
    added = sorted(set(after) - set(env.frozen) - {"course-lib"})
    if added:
        log(f"{env.name}: the Colab cells added {', '.join(f'{n}=={after[n]}' for n in added)} (Colab lacked them)")
    if "course-lib" not in after:
        problems.append("package course_lib: not installed after the notebooks ran")
    return problems


def widget_problem(env, kernel: str, work: Path, extra_env: dict) -> str:
    """Run tools/colab_replica/widget_check.py in the replica's kernel; '' when every explorer redraws."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    checker = REPO_ROOT / "tools" / "colab_replica" / "widget_check.py"
    folder = work / f"widgets.{env.name}"
    folder.mkdir(parents=True, exist_ok=True)
    notebook = folder / "widget_check.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell(
        f"import runpy\nrunpy.run_path({str(checker)!r}, run_name='__main__')")]), str(notebook))
    # COURSE_HEADLESS (set by the test suite) would give static views: this check drives live widgets
    child_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MPLBACKEND", "COURSE_HEADLESS")}
    child_env.update(extra_env, **ONE_MATH_THREAD)
    result = subprocess.run([sys.executable, str(EXECUTE), str(notebook), str(folder / "executed.ipynb"),
                             "--kernel", kernel, "--cwd", str(folder), "--timeout", "600"],
                            capture_output=True, text=True, env=child_env, check=False)
    if result.returncode != 0:
        lines = [line for line in result.stdout.splitlines() + result.stderr.splitlines() if "Error" in line]
        return f"widget explorers ({env.name}, ipywidgets {env.frozen.get('ipywidgets')}): " + " | ".join(lines[-3:])
    return ""


def run_half(framework: str, env, notebooks, work: Path, extra_env: dict, timeout: int) -> list:
    kernel = write_kernelspec(Path(extra_env["JUPYTER_PATH"]), f"colab-replica-{env.name}", env.python,
                              f"Colab replica ({env.name})")
    results = []
    for notebook in notebooks:
        result = run_notebook(notebook, framework, env, kernel, work, extra_env, timeout)
        log(f"{result.notebook} {framework}: {result.seconds:.0f} s {'ok' if not result.problem else 'FAILED'}")
        results.append(result)
    start = time.perf_counter()
    problem = widget_problem(env, kernel, work, extra_env)
    results.append(RunResult("widget explorers", framework, env.name, time.perf_counter() - start, problem))
    results += [RunResult("freeze check", framework, env.name, 0.0, p) for p in freeze_problems(env)]
    return results


def report(results: list, envs: dict, seconds: float) -> int:
    print(f"\n{'notebook':<36} {'framework':<9} {'environment':<14} {'seconds':>7}  status")
    for r in results:
        print(f"{r.notebook:<36} {r.framework:<9} {r.python:<14} {r.seconds:7.1f}  "
              f"{'ok' if not r.problem else 'FAILED'}")
    for framework, env in envs.items():
        versions = freeze(env.python)
        python = subprocess.run([str(env.python), "-c", "import platform; print(platform.python_version())"],
                                capture_output=True, text=True, check=True).stdout.strip()
        shown = {"python": python, **{n: versions.get(normalise(n)) for n in REPORTED[1:]}}
        log(f"{framework} half ran with " + ", ".join(f"{n} {v}" for n, v in shown.items() if v))
    failed = [r for r in results if r.problem]
    for r in failed:
        print(f"COLAB REPLICA FAILED: {r.notebook}, framework {r.framework} ({r.python}): {r.problem}")
    log(f"wall time {seconds:.0f} s")
    print(f"colab-check: {len(results) - len(failed)} passed, {len(failed)} failed")  # CI reads this closing line
    return 1 if failed else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--frameworks", nargs="+", default=list(FRAMEWORKS), choices=FRAMEWORKS)
    parser.add_argument("--torch-python", default="3.11",
                        help="Python of the torch half: 3.11 (CPU torch on disk, default) or 'colab' (Colab's "
                             "Python and torch version: a CUDA build of several GB)")
    parser.add_argument("--cache", type=Path,
                        default=Path(os.environ.get("COLAB_REPLICA_CACHE", REPO_ROOT / "build" / "colab")))
    parser.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    parser.add_argument("--one-framework-each", action="store_true",
                        help="run each notebook once, the frameworks taking turns (a shorter check for CI)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    notebooks = [n.resolve() for n in args.notebooks] or sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    cache = args.cache.resolve()
    pins = load_pins()
    with ThreadPoolExecutor(max_workers=len(args.frameworks)) as pool:  # mostly waiting on downloads
        builds = {fw: pool.submit(build_env, cache, pins, fw, args.torch_python, log) for fw in args.frameworks}
        envs = {fw: build.result() for fw, build in builds.items()}
    log(f"environments ready after {time.perf_counter() - start:.0f} s")
    commit = snapshot_checkout(REPO_ROOT, cache / "course.git", TAG)
    log(f"Colab cells install {REPOSITORY}@{TAG} from this checkout (snapshot {commit[:10]})")
    extra_env = {**git_rewrite_env(REPOSITORY, cache / "course.git"), "JUPYTER_PATH": str(cache / "jupyter")}
    work = cache / "runs"

    def share(all_notebooks, framework):
        if not args.one_framework_each:
            return all_notebooks
        return [nb for i, nb in enumerate(all_notebooks) if args.frameworks[i % len(args.frameworks)] == framework]

    with ThreadPoolExecutor(max_workers=len(envs)) as pool:
        halves = [pool.submit(run_half, fw, env, share(notebooks, fw), work, extra_env, args.timeout)
                  for fw, env in envs.items()]
        results = [r for half in halves for r in half.result()]
    return report(results, envs, time.perf_counter() - start)


if __name__ == "__main__":
    sys.exit(main())
