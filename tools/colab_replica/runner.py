"""Run one notebook in a replica environment, as a student on Colab would: a fresh runtime, an empty /content.

The notebook file runs unchanged (its Colab set-up cell included) with nbclient from the caller's environment
(execute.py: papermill's parameter injection, one write at the end), on a kernel of the replica's Python (a
kernelspec under the replica's cache) that imports the stub `google.colab` at start-up, like Colab's kernel.
Before each run course_lib is uninstalled, so that the cell's `%pip install` really installs it (make colab-check;
the test suite installs it once, tools/colab_replica/session.py). A failure is reported with the notebook, the
framework and the package in the traceback.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from tools.colab_replica.environment import installed_versions, pin_problems

__all__ = ["RunResult", "checked_output_problem", "run_notebook", "write_kernelspec"]

STUB = Path(__file__).resolve().parent / "stub"
EXECUTE = Path(__file__).resolve().parent / "execute.py"
_SITE_PACKAGE = re.compile(r"site-packages/([A-Za-z0-9_]+)/")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class RunResult:
    notebook: str
    framework: str
    python: str
    seconds: float
    problem: str = ""  # empty when the run passed


def write_kernelspec(jupyter_dir: Path, name: str, python: Path, display: str) -> str:
    """A kernelspec `name` whose kernel is `python` with the stub google.colab imported at start-up."""
    folder = jupyter_dir / "kernels" / name
    folder.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}",
                 "--IPKernelApp.exec_lines=import google.colab"],
        "display_name": display, "language": "python",
        # only the stub on the path: course_lib must come from what the Colab cell installed
        "env": {"PYTHONPATH": str(STUB), "PYDEVD_DISABLE_FILE_VALIDATION": "1"},
    }
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1))
    return name


def _package_of(traceback_text: str, versions: dict) -> str:
    """The innermost installed package in a traceback, with its version ("course_lib" when none)."""
    found = _SITE_PACKAGE.findall(traceback_text)
    name = found[-1] if found else "course_lib"
    for key in (name, name.replace("_", "-"), {"tensorflow": "tensorflow-cpu"}.get(name, name)):
        if key.lower() in versions:
            return f"{name} {versions[key.lower()]}"
    return name


def _error_of(executed: Path) -> tuple[str, str]:
    """(message, traceback text) of the first error in an executed notebook, with the set-up cell's pip errors."""
    if not executed.exists():
        return "the run wrote no output notebook", ""
    cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
    pip_errors = [line for cell in cells[:3] for out in cell.get("outputs", []) if out.get("output_type") == "stream"
                  for line in _ANSI.sub("", "".join(out.get("text", ""))).splitlines() if "error" in line.lower()]
    for cell in cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                trace = _ANSI.sub("", "\n".join(out.get("traceback", [])))
                message = f"{out.get('ename')}: {out.get('evalue')}"
                return message + ("\n  pip said: " + " | ".join(pip_errors) if pip_errors else ""), trace
    return "no error output (timeout or a dead kernel?)", ""


def _record_problem(content: Path, stem: str, framework: str, log_path: Path, speed_budgets: bool) -> str:
    """What the run must leave: the Colab branch ran, and the notebook's recorded results pass their check."""
    calls = [json.loads(line)["call"] for line in log_path.read_text().splitlines()] if log_path.exists() else []
    if "output.enable_custom_widget_manager" not in calls:
        return f"the Colab branch of the set-up cell did not run (google.colab calls seen: {calls})"
    records_file = content / "course_records" / f"{stem}.json"
    if not records_file.exists():
        return f"the notebook recorded nothing ({records_file} missing)"
    records = json.loads(records_file.read_text())
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    try:
        import importlib

        checker = importlib.import_module(f"tests.notebook_checks.check_{stem}")
        checker.check(records, framework)
    except AssertionError as error:
        line = (traceback.extract_tb(error.__traceback__)[-1].line or "").strip()
        if 'records["seconds"]' in line and not speed_budgets:  # make test's concern, not Colab compatibility
            print(f"colab-check: {stem} {framework}: over the quick-mode time budget here ({line}: {error})")
            return ""
        return f"its recorded results fail tests/notebook_checks/check_{stem}.py: {line} ({error})"
    finally:
        sys.path.pop(0)
    return ""


# two notebooks run side by side on two cores: one math thread each (TensorFlow ignores OMP_NUM_THREADS)
ONE_MATH_THREAD = {"OMP_NUM_THREADS": "1", "TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"}

# the per-cell limit does not end every hang (nbclient can wait for ever on messages a widget front end
# would send, after the kernel went idle), so the whole run gets a deadline too
NOTEBOOK_TIMEOUT_FACTOR = 2


def _call_with_deadline(command, log_file, env, seconds):
    """Run `command` in its own process group; its exit code, or None after killing the group at the deadline."""
    process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        return process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)  # the executor; its kernel notices its parent is gone and exits
        process.wait()
        return None


def checked_output_problem(notebook: Path, executed: Path) -> str:
    """Cells tagged `nbval-check-output` must print what the committed notebook shows, and nothing on stderr
    (nbval's `--nbval-lax` rule, applied here to the replica's run); '' when they do."""
    def texts(cell):
        shown = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                shown.append((out.get("name"), "".join(out.get("text", ""))))
            elif out.get("output_type") in ("execute_result", "display_data"):
                shown.append(("text/plain", "".join(out.get("data", {}).get("text/plain", ""))))
        return shown

    stored = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    ran = {cell.get("id"): cell for cell in json.loads(executed.read_text(encoding="utf-8"))["cells"]}
    for cell in stored:
        if "nbval-check-output" in cell["metadata"].get("tags", []):
            got, want = texts(ran.get(cell.get("id"), {})), texts(cell)
            if got != want:
                return f"cell {cell.get('id')} (tagged nbval-check-output) printed {got!r}, the notebook shows {want!r}"
    return ""


def run_notebook(notebook: Path, framework: str, env, kernel: str, work: Path, extra_env: dict,
                 timeout: int, fresh_install: bool = True, speed_budgets: bool = False) -> RunResult:
    """Execute `notebook` with FRAMEWORK=`framework`, QUICK=True in the replica environment `env`.

    fresh_install: uninstall course_lib first, so that the Colab cell really installs it (one run at a time per
    environment). Without it the cell finds this snapshot installed (tools/colab_replica/session.py).
    speed_budgets: also hold the notebook to its check's quick-mode time budget.
    """
    stem = notebook.stem
    run_dir = work / f"{stem}.{framework}"
    shutil.rmtree(run_dir, ignore_errors=True)
    content = run_dir / "content"  # Colab's working folder: empty, no repository around it
    content.mkdir(parents=True)
    if fresh_install:
        subprocess.run([str(env.python), "-m", "pip", "uninstall", "--quiet", "--yes", "course_lib"],
                       capture_output=True, check=False)
    executed, log_path = run_dir / f"{stem}.{framework}.ipynb", run_dir / "google-colab-calls.jsonl"
    child_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MPLBACKEND", "VIRTUAL_ENV")}
    # COURSE_HEADLESS: the stub google.colab would make explorers build live widgets, and with no front end to
    # answer them nbclient waited for ever after a widget cell; widget_check.py drives the widgets instead
    child_env.update(extra_env, **ONE_MATH_THREAD, COURSE_QUICK="1", COLAB_REPLICA_LOG=str(log_path),
                     COURSE_HEADLESS="1")
    # papermill's way (parameters injected after the `parameters` cell), minus its two saves per cell
    command = [sys.executable, str(EXECUTE), str(notebook), str(executed), "--kernel", kernel, "--cwd", str(content),
               "-p", "FRAMEWORK", repr(framework), "-p", "QUICK", "True", "--timeout", str(timeout)]
    start = time.perf_counter()
    with open(run_dir / "run.log", "w", encoding="utf-8") as log_file:
        code = _call_with_deadline(command, log_file, child_env, NOTEBOOK_TIMEOUT_FACTOR * timeout)
    result = RunResult(notebook.name, framework, env.name, time.perf_counter() - start)
    if code is None:
        result.problem = (f"the run did not end within {NOTEBOOK_TIMEOUT_FACTOR * timeout} s and was killed (a cell "
                          f"that the per-cell limit did not stop; log: {run_dir / 'run.log'})")
    elif code != 0:
        message, trace = _error_of(executed)
        result.problem = f"package {_package_of(trace, env.frozen)}: {message} (log: {run_dir / 'run.log'})"
    else:
        result.problem = (_record_problem(content, stem, framework, log_path, speed_budgets)
                          or checked_output_problem(notebook, executed)
                          or "; ".join(pin_problems(env, installed_versions(env.python))))
    return result
