"""Grade one submitted notebook: prepare it, run it in the sandbox, read the exports, score them here.

The grade is computed only in this process, from expected values this process computes with the exercise's
reference on inputs from a seed it picks at grading time. The student's kernel only hands over plain data
(course_lib.grading.export). Default to fail: an exercise without a valid export scores 0, with the reason.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from course_lib.version import __version__
from course_lib.grading.exercise import Exercise, get_exercise
from course_lib.grading.export import read_export
from course_lib.grading.library_use import bound_library_names, library_uses
from course_lib.grading.prepare import exercise_ids, prepare_submission, sha256_of
from course_lib.grading.sandbox import Limits, Sandbox

__all__ = ["GRADER_VERSION", "GradingSetup", "SubmissionResult", "grade_submission", "kill_running"]

GRADER_VERSION = f"course_lib-{__version__}-grader-1"
MAX_SUBMISSION_BYTES = 64 * 1024 * 1024
COURSE_ROOT = str(Path(__file__).resolve().parents[2])


@dataclass
class SubmissionResult:
    """One gradebook row and the feedback behind it."""

    student: str
    sha256: str
    points: dict[str, float]
    max_points: dict[str, float]
    status: str
    message: str = ""
    feedback: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    timestamp: str = ""

    @property
    def total(self) -> float:
        return round(sum(self.points.values()), 4)

    @property
    def max_total(self) -> float:
        return round(sum(self.max_points.values()), 4)


@dataclass
class GradingSetup:
    """What is the same for every submission of one grading run."""

    master_path: Path
    master: object
    exercises: list[Exercise]
    framework: str = "torch"
    quick: bool = True
    limits: Limits = field(default_factory=Limits)
    isolation: str = "auto"
    hide: list[str] = field(default_factory=list)
    scratch: Path | None = None
    seed: int | None = None  # None: a fresh secret seed per submission
    keep_workdirs: bool = False
    allow_library: bool = False  # True: answers may call course_lib (grading/library_use.py)
    library_names: dict = field(default_factory=dict)  # names the master binds to course_lib

    @classmethod
    def load(cls, master_path, **kwargs) -> "GradingSetup":
        import nbformat

        master_path = Path(master_path).resolve()
        master = nbformat.read(master_path, as_version=4)
        exercises = [get_exercise(i) for i in exercise_ids(master)]
        outside_exercises = [c.source for c in master.cells if c.cell_type == "code"
                             and "exercise" not in c.get("metadata", {}).get("tags", [])]
        return cls(master_path=master_path, master=master, exercises=exercises,
                   library_names=bound_library_names(outside_exercises), **kwargs)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _kernel_env(workdir: str, runtime: str, setup: GradingSetup) -> dict:
    keep = {k: os.environ[k] for k in ("PATH", "LANG", "COURSE_DATA_DIR", "TF_CPP_MIN_LOG_LEVEL") if k in os.environ}
    python_path = [COURSE_ROOT] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    return {
        **keep, "HOME": workdir, "PYTHONPATH": os.pathsep.join(dict.fromkeys(python_path)),
        "MPLBACKEND": "Agg", "MPLCONFIGDIR": os.path.join(workdir, ".config", "matplotlib"),
        "IPYTHONDIR": os.path.join(workdir, ".ipython"), "XDG_CACHE_HOME": os.path.join(workdir, ".cache"),
        "JUPYTER_RUNTIME_DIR": runtime, "TF_CPP_MIN_LOG_LEVEL": keep.get("TF_CPP_MIN_LOG_LEVEL", "3"),
        "COURSE_RECORD_PATH": os.path.join(workdir, "course_records.json"), "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        **({"COURSE_QUICK": "1"} if setup.quick else {}),
    }


def _export_source(exercise_id: str, seed: int, export_dir: str, nonce: str) -> str:
    return ("# Added by the grader: exports the answer above as plain data (course_lib/grading/export.py).\n"
            f'__import__("course_lib.grading.export", fromlist=["export_answer"]).export_answer('
            f'"{exercise_id}", globals(), {seed}, "{export_dir}", "{nonce}")')


def _kill_group(pid: int) -> None:
    if pid > 1:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


_RUNNING: dict[int, Path] = {}  # worker pid -> its scratch folder, for kill_running()
_RUNNING_LOCK = threading.Lock()


def kill_running() -> None:
    """Kill every worker and kernel still running (the grader was interrupted)."""
    with _RUNNING_LOCK:
        running = dict(_RUNNING)
    for pid, scratch in running.items():
        _kill_group(pid)
        kernel_pid = scratch / "kernel.pid"
        if kernel_pid.exists():
            _kill_group(int(kernel_pid.read_text() or 0))


def _run_worker(job: dict, job_dir: Path, env: dict, limits: Limits) -> tuple[dict | None, bool]:
    """Run the worker process; (its result or None, whether the notebook ran past its wall-clock limit)."""
    job_path = job_dir / "job.json"
    job_path.write_text(json.dumps(job), encoding="utf-8")
    with open(job_dir / "worker.log", "wb") as log:
        worker = subprocess.Popen([sys.executable, "-m", "course_lib.grading.worker", str(job_path)],
                                  env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  start_new_session=True, cwd=str(job_dir))
        with _RUNNING_LOCK:
            _RUNNING[worker.pid] = job_dir
        timed_out = False
        try:
            worker.wait(timeout=limits.notebook_timeout_s + limits.startup_timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            _kill_group(worker.pid)  # the worker and anything left in its process group
            kernel_pid = job_dir / "kernel.pid"
            if kernel_pid.exists():  # the kernel has its own session (jupyter_client); its namespace dies with it
                _kill_group(int(kernel_pid.read_text() or 0))
            worker.wait()
            with _RUNNING_LOCK:
                _RUNNING.pop(worker.pid, None)
    result_path = Path(job["result"])
    if timed_out or not result_path.exists():
        return None, timed_out
    return json.loads(result_path.read_text(encoding="utf-8")), False


def _overall_status(result: dict | None, timed_out: bool) -> tuple[str, str]:
    if timed_out:
        return "timeout", "the notebook ran past its wall-clock limit and was stopped"
    if result is None:
        return "grader-error", "the grading worker ended without a result (see the grader's job log)"
    cells = result.get("cells", [])
    timeouts = [c for c in cells if c.get("timeout")]
    pending = [c for c in cells if c["status"] == "pending"]
    errors = [c for c in cells if c["error"]]
    if result["status"] == "kernel-died":
        return "kernel-died", result["message"]
    if result["status"] == "timeout":
        return "timeout", result["message"]
    if result["status"] == "failed":
        return "failed", result["message"]
    if timeouts:
        return "cell-timeout", f"{len(timeouts)} cell(s) ran past the per-cell limit and were interrupted"
    if pending:
        return "stopped", (f"the notebook stopped early (sys.exit or exit in cell {pending[0]['index']}?); "
                           f"{len(pending)} cell(s) did not run")
    if errors:
        return "errors", f"{len(errors)} cell(s) raised an error; first: {errors[0]['error']}"
    return "ok", ""


def _hide_list(setup: GradingSetup, extra: list[str]) -> list[str]:
    """Folders to hide from the kernel, except those holding course_lib or Python itself (then files only)."""
    protected = [Path(COURSE_ROOT), Path(sys.prefix).resolve(), Path(sys.executable).resolve().parent]
    hide = []
    for path in [*extra, *setup.hide]:
        path = Path(path).resolve()
        folder = path if path.is_dir() else path.parent
        if any(p == folder or folder in p.parents for p in protected):
            hide.append(str(path))
        else:
            hide.append(str(folder))
    return list(dict.fromkeys(hide))


def _expose_list() -> list[str]:
    """What the kernel must read: Python, its packages, course_lib (resolved through symlinks)."""
    paths = [sys.prefix, sys.base_prefix, os.path.dirname(os.path.realpath(sys.executable)), COURSE_ROOT]
    paths += [p for p in sys.path if p and os.path.isdir(p)]
    paths += [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and os.path.isdir(p)]
    real = sorted({os.path.realpath(p) for p in paths}, key=len)
    kept = []
    for path in real:  # drop paths inside another kept one
        if not any(path == k or path.startswith(k + os.sep) for k in kept):
            kept.append(path)
    return kept


def grade_submission(path, student: str, setup: GradingSetup, hide: list[str] = ()) -> SubmissionResult:
    """Grade one notebook file; never raises for anything the submission does."""
    import nbformat

    start = time.monotonic()
    max_points = {e.id: float(e.points) for e in setup.exercises}
    zero = {e.id: 0.0 for e in setup.exercises}
    path = Path(path)
    raw = path.read_bytes()[:MAX_SUBMISSION_BYTES + 1]
    sha = sha256_of(raw)

    def finish(status, message, points=None, feedback=None):
        return SubmissionResult(student, sha, points or dict(zero), max_points, status, message,
                                feedback or {}, round(time.monotonic() - start, 2), _now())

    if len(raw) > MAX_SUBMISSION_BYTES:
        return finish("unreadable", f"the file is larger than {MAX_SUBMISSION_BYTES // 2**20} MB")
    try:
        submission = nbformat.reads(raw.decode("utf-8"), as_version=4)
        _ = submission.cells
    except Exception as error:  # noqa: BLE001
        return finish("unreadable", f"not a readable notebook ({type(error).__name__}: {str(error)[:200]})")

    scratch = Path(tempfile.mkdtemp(prefix="cg-", dir=setup.scratch))
    try:
        workdir, runtime = scratch / "work", scratch / "rt"
        workdir.mkdir()
        runtime.mkdir()
        nonce = secrets.token_hex(16)
        seed = setup.seed if setup.seed is not None else secrets.randbelow(2 ** 31 - 1)
        export_dir = str(workdir / f".grader-{nonce}")
        sources = {e.id: _export_source(e.id, seed, export_dir, nonce) for e in setup.exercises}
        prepared = prepare_submission(setup.master, submission, sources)
        nbformat.write(prepared.nb, scratch / "prepared.ipynb")
        sandbox = Sandbox(workdir=str(workdir), runtime_dir=str(runtime), limits=setup.limits,
                          isolation=setup.isolation, pid_file=str(scratch / "kernel.pid"),
                          log_file=str(scratch / "kernel.log"), expose=_expose_list(),
                          hide=_hide_list(setup, [str(setup.master_path), str(path.resolve().parent), *hide]))
        job = {"input": str(scratch / "prepared.ipynb"), "output": str(scratch / "executed.ipynb"),
               "result": str(scratch / "result.json"), "export_dir": export_dir,
               "collected_dir": str(scratch / "exports"), "sandbox": sandbox.to_json(),
               "parameters": {"FRAMEWORK": setup.framework, "QUICK": setup.quick, "SEED": 0,
                              "RECORDS_PATH": os.path.join(str(workdir), "course_records.json")}}
        result, timed_out = _run_worker(job, scratch, _kernel_env(str(workdir), str(runtime), setup),
                                        setup.limits)
        status, message = _overall_status(result, timed_out)
        points, feedback = {}, {}
        for exercise in setup.exercises:
            points[exercise.id], feedback[exercise.id] = _score_one(exercise, prepared, str(scratch / "exports"),
                                                                    nonce, seed, message, setup)
        return finish(status, message, points, feedback)
    except Exception as error:  # noqa: BLE001 - a grader bug must not lose the other submissions
        return finish("grader-error", f"{type(error).__name__}: {str(error)[:300]}")
    finally:
        if not setup.keep_workdirs:
            shutil.rmtree(scratch, ignore_errors=True)


def _score_one(exercise, prepared, export_dir, nonce, seed, run_message, setup) -> tuple[float, str]:
    note = prepared.notes.get(exercise.id, "")
    if exercise.id not in prepared.graded:
        return 0.0, f"{exercise.id} ({exercise.title}): 0 points: {note}"
    if exercise.kind == "function" and not setup.allow_library:
        uses = library_uses(prepared.sources.get(exercise.id, ""), setup.library_names, exercise.allowed_library)
        if uses:
            return 0.0, (f"{exercise.id} ({exercise.title}): 0 points: the answer calls course_lib "
                         f"({', '.join(uses)}); the exercise asks for your own code (numpy is fine)")
    export = read_export(export_dir, exercise.id, nonce)
    if export.status != "ok":
        reason = export.reason + (f" ({run_message})" if export.status == "absent" and run_message else "")
        return 0.0, f"{exercise.id} ({exercise.title}): 0 points: {reason}"
    score = exercise.score_outputs(export.outputs, seed, errors=export.errors)
    text = score.feedback + (f" [{note}]" if note else "")
    return float(score.points), text
