"""Grade one submitted notebook: prepare it, run it in the sandbox, run its answers apart, score them here.

1. The notebook runs top to bottom in a sandboxed kernel (course_lib.grading.worker): its status and which
   exercise cells it reached. Nothing the kernel does counts towards the points, and it never sees the seed.
2. The exercise cells alone run in a second sandboxed process without course_lib (course_lib.grading.answers),
   which calls each answer on hidden inputs from a seed this process picks and hands back plain data.
3. This process computes the expected values with the exercise's reference and compares.
Default to fail: an exercise whose cell the notebook did not reach, or whose answer gave nothing valid, scores 0
with the reason. Anything that goes wrong with one exercise costs that exercise only.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from course_lib.grading.answers import (
    AnswerSetup,
    answer_setup,
    build_cells,
    kill_runners,
    run_answers,
    start_runner,
)
from course_lib.grading.cgroups import JobCgroup
from course_lib.grading.exercise import Exercise, get_exercise
from course_lib.grading.export import ExportResult
from course_lib.grading.mounts import COURSE_ROOT, expose_and_mask, hide_list
from course_lib.grading.prepare import exercise_ids, prepare_submission, sha256_of
from course_lib.grading.sandbox import Limits, Sandbox, job_uid
from course_lib.version import __version__

__all__ = ["GRADER_VERSION", "GradingSetup", "SubmissionResult", "grade_submission", "kill_running", "read_submission"]

GRADER_VERSION = f"course_lib-{__version__}-grader-2"
MAX_SUBMISSION_BYTES = 64 * 1024 * 1024


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
    allow_library: bool = False  # kept for the command line; answers never reach course_lib now
    answers: AnswerSetup = field(default_factory=AnswerSetup)  # what the answer process gets besides the cells

    @classmethod
    def load(cls, master_path, **kwargs) -> GradingSetup:
        import nbformat

        master_path = Path(master_path).resolve()
        master = nbformat.read(master_path, as_version=4)
        exercises = [get_exercise(i) for i in exercise_ids(master)]
        return cls(master_path=master_path, master=master, exercises=exercises,
                   answers=answer_setup(master, exercises), **kwargs)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _kernel_env(workdir: str, runtime: str, setup: GradingSetup) -> dict:
    keep = {k: os.environ[k] for k in ("PATH", "LANG", "COURSE_DATA_DIR", "TF_CPP_MIN_LOG_LEVEL") if k in os.environ}
    python_path = [COURSE_ROOT] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    return {
        **keep, "HOME": workdir, "PYTHONPATH": os.pathsep.join(dict.fromkeys(python_path)),
        "MPLBACKEND": "Agg", "MPLCONFIGDIR": os.path.join(workdir, ".config", "matplotlib"),
        "IPYTHONDIR": os.path.join(workdir, ".ipython"), "XDG_CACHE_HOME": os.path.join(workdir, ".cache"),
        "JUPYTER_RUNTIME_DIR": runtime, "TF_CPP_MIN_LOG_LEVEL": keep.get("TF_CPP_MIN_LOG_LEVEL", "3"),
        "COURSE_RECORD_PATH": os.path.join(workdir, "course_records.json"), "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "USER": "student", "LOGNAME": "student",  # the job's uid has no passwd entry
        **({"COURSE_QUICK": "1"} if setup.quick else {}),
    }


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
    kill_runners()


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
        # papermill saved the notebook after each cell: which exercise cells it reached still counts
        from course_lib.grading.worker import _cell_report

        cells = _cell_report(job["output"]) if os.path.exists(job["output"]) else []
        return ({"status": "unfinished", "message": "", "cells": cells} if cells else None), timed_out
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


def read_submission(path: Path) -> bytes:
    """The file's bytes: no link followed, no FIFO or device opened for long, at most the size cap (+1)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError("not a regular file")
        if info.st_size > MAX_SUBMISSION_BYTES:
            return b"\0" * (MAX_SUBMISSION_BYTES + 1)
        chunks, size = [], 0
        while size <= MAX_SUBMISSION_BYTES and (chunk := os.read(fd, 1 << 20)):
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def grade_submission(path, student: str, setup: GradingSetup, hide: list[str] = ()) -> SubmissionResult:
    """Grade one notebook file; never raises for anything the submission does."""
    start = time.monotonic()
    max_points = {e.id: float(e.points) for e in setup.exercises}
    zero = {e.id: 0.0 for e in setup.exercises}
    sha = ""

    def finish(status, message, points=None, feedback=None):
        return SubmissionResult(student, sha, points or dict(zero), max_points, status, message,
                                feedback or {}, round(time.monotonic() - start, 2), _now())

    path = Path(path)
    try:
        raw = read_submission(path)
    except OSError as error:
        return finish("unreadable", f"the file could not be read ({type(error).__name__}: {error.strerror or error})")
    sha = sha256_of(raw)
    if len(raw) > MAX_SUBMISSION_BYTES:
        return finish("unreadable", f"the file is larger than {MAX_SUBMISSION_BYTES // 2**20} MB")
    try:
        import nbformat

        submission = nbformat.reads(raw.decode("utf-8"), as_version=4)
        prepared = prepare_submission(setup.master, submission)
    except Exception as error:  # noqa: BLE001
        return finish("unreadable", f"not a readable notebook ({type(error).__name__}: {str(error)[:200]})")
    scratch = Path(tempfile.mkdtemp(prefix="cg-", dir=setup.scratch))
    try:
        hide = hide_list(setup.hide, [str(setup.master_path), str(path.resolve().parent), *hide]) + [str(scratch)]
        seed = setup.seed if setup.seed is not None else secrets.randbelow(2 ** 31 - 1)
        # The answer process needs nothing from the notebook's run: both run at once (the kernel often waits).
        with ThreadPoolExecutor(max_workers=1) as pool:
            answers_future = pool.submit(_run_answers, prepared, setup, scratch, hide, seed)
            result, timed_out = _run_notebook(prepared, setup, scratch, hide)
            answers = answers_future.result()
        status, message = _overall_status(result, timed_out)
        reached = {c["exercise"]: c["status"] for c in (result or {}).get("cells", []) if c.get("exercise")}
        points, feedback = {}, {}
        for exercise in setup.exercises:
            try:
                points[exercise.id], feedback[exercise.id] = _score_one(exercise, prepared, answers, reached,
                                                                        seed, message)
            except Exception as error:  # noqa: BLE001 - one exercise's problem, never the submission's
                points[exercise.id] = 0.0
                feedback[exercise.id] = (f"{exercise.id} ({exercise.title}): 0 points: the answer could not be "
                                         f"scored ({type(error).__name__})")
        return finish(status, message, points, feedback)
    except Exception as error:  # noqa: BLE001 - a grader bug must not lose the other submissions
        return finish("grader-error", f"{type(error).__name__}: {str(error)[:300]}")
    finally:
        if not setup.keep_workdirs:
            shutil.rmtree(scratch, ignore_errors=True)  # fd-based: never follows a link the sandbox made


def _sandbox(setup, workdir: Path, runtime: Path, hide, with_course_lib: bool, group, scratch: Path) -> Sandbox:
    expose, mask = expose_and_mask(with_course_lib)
    return Sandbox(workdir=str(workdir), runtime_dir=str(runtime), limits=setup.limits, isolation=setup.isolation,
                   pid_file=str(scratch / "kernel.pid"), log_file=str(scratch / "kernel.log"), expose=expose,
                   mask=mask, hide=hide, uid=job_uid(), cgroups=group.paths if group else [])


def _job_cgroup(setup, sandbox_level: str):
    return JobCgroup.create(setup.limits.memory_mb, setup.limits.nproc) if sandbox_level == "full" else None


def _run_notebook(prepared, setup, scratch: Path, hide) -> tuple[dict | None, bool]:
    import nbformat

    workdir, runtime = scratch / "work", scratch / "rt"
    workdir.mkdir()
    runtime.mkdir()
    nbformat.write(prepared.nb, scratch / "prepared.ipynb")
    level = Sandbox(workdir="", runtime_dir="", isolation=setup.isolation).level()
    group = _job_cgroup(setup, level)
    try:
        sandbox = _sandbox(setup, workdir, runtime, hide, True, group, scratch)
        job = {"input": str(scratch / "prepared.ipynb"), "output": str(scratch / "executed.ipynb"),
               "result": str(scratch / "result.json"), "sandbox": sandbox.to_json(),
               "parameters": {"FRAMEWORK": setup.framework, "QUICK": setup.quick, "SEED": 0,
                              "RECORDS_PATH": os.path.join(str(workdir), "course_records.json")}}
        return _run_worker(job, scratch, _kernel_env(str(workdir), str(runtime), setup), setup.limits)
    finally:
        if group is not None:
            group.remove()


def _run_answers(prepared, setup, scratch: Path, hide, seed: int) -> dict[str, ExportResult]:
    graded = sorted(prepared.graded, key=prepared.cell_index.get)
    exercises = [get_exercise(i) for i in graded]
    if not exercises:
        return {}
    answers_dir = scratch / "answers"
    answers_dir.mkdir()
    level = Sandbox(workdir="", runtime_dir="", isolation=setup.isolation).level()
    group = _job_cgroup(setup, level)
    try:
        sandbox = _sandbox(setup, answers_dir, answers_dir, hide, False, group, scratch)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(answers_dir), "USER": "student",
               "LOGNAME": "student", "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
        timeout_s = min(setup.limits.cell_timeout_s, 60.0)
        cells = build_cells(exercises, prepared.sources, seed, timeout_s)
        return run_answers(cells, setup.answers, start_runner(sandbox, env))
    finally:
        if group is not None:
            group.remove()


def _score_one(exercise, prepared, answers, reached, seed, run_message) -> tuple[float, str]:
    head = f"{exercise.id} ({exercise.title}): 0 points: "
    note = prepared.notes.get(exercise.id, "")
    if exercise.id not in prepared.graded:
        return 0.0, head + note
    if reached.get(exercise.id, "pending") == "pending":
        return 0.0, head + ("the notebook did not reach this exercise's cell (an earlier timeout, exit or crash)"
                            + (f"; {run_message}" if run_message else ""))
    export = answers.get(exercise.id) or ExportResult("absent", "the answer was not run")
    if export.library and exercise.kind == "function":
        return 0.0, head + (f"the answer calls course_lib ({', '.join(export.library)}); graded answers run "
                            "without course_lib: write your own code (numpy is fine)")
    if export.status != "ok":
        return 0.0, head + export.reason
    score = exercise.score_outputs(export.outputs, seed, errors=export.errors)
    text = score.feedback + (f" [{note}]" if note else "")
    if export.library and score.points < score.max_points:
        text += f" (the answer tried to use course_lib: {', '.join(export.library)}, which graded answers cannot)"
    return float(score.points), text
