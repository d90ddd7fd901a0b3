"""Grade-side half of the answer process: what it receives, how it runs, how its lines are read.

The notebook's own run (course_lib.grading.worker) gives the student's outputs and the run's status; it never
sees the seed and hands the grader nothing that counts. The points come from here: a fresh process inside the
sandbox (course_lib.grading.answer_runner) receives only the exercise cells' code, the master's plain imports, the
helpers the exercises hand out and the hidden inputs, with the repository and course_lib hidden. The grader reads
its stdout through a pipe, never a file: at most MAX_LINE_BYTES per exercise, with a watchdog per exercise. A
hang or a crash costs that exercise, and a new process goes on with the next one.
"""

from __future__ import annotations

import importlib
import inspect
import os
import pickle
import selectors
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from course_lib.grading.export import (
    MAX_LINE_BYTES,
    ExportResult,
    parse_line,
    read_frame,
)

__all__ = ["AnswerSetup", "answer_setup", "build_cells", "kill_runners", "run_answers", "start_runner"]

RUNNER = Path(__file__).with_name("answer_runner.py")
_RUNNING: set = set()  # runner processes alive, for kill_runners()
_RUNNING_LOCK = threading.Lock()


def kill_runners() -> None:
    """Kill every answer process still running (the grader was interrupted)."""
    with _RUNNING_LOCK:
        running = list(_RUNNING)
    for run in running:
        run.kill()


class AnswerSetup(dict):
    """prelude, helpers, helper_names, constants, library_names: the same for every submission of one master."""


def answer_setup(master, exercises) -> AnswerSetup:
    from course_lib.grading.library_use import bound_library_names, plain_imports

    outside = [c.source for c in master.cells if c.cell_type == "code"
               and "exercise" not in c.get("metadata", {}).get("tags", [])]
    answer_names = {exercise.answer_name for exercise in exercises}  # check cells rebind them: not course_lib
    bound = {k: v for k, v in bound_library_names(outside).items() if k not in answer_names}
    allowed = {origin for exercise in exercises for origin in exercise.allowed_library}
    helpers: dict[str, dict[str, str]] = {}
    for origin in sorted(allowed):
        module_name, _, attribute = origin.rpartition(".")
        helpers.setdefault(module_name, {})[attribute] = inspect.getsource(
            getattr(importlib.import_module(module_name), attribute))
    helper_names = {name: tuple(origin.rsplit(".", 1)) for name, origin in bound.items() if origin in allowed}
    constants = {name: value for name, origin in bound.items() if name not in helper_names
                 and (value := _public_constant(origin)) is not None}
    return AnswerSetup(prelude=plain_imports(outside), helpers=helpers, helper_names=helper_names,
                       constants=constants, library_names=sorted(set(bound) - set(helper_names) - set(constants)))


def _plain_data(value, depth: int = 0) -> bool:
    if value is None or isinstance(value, (bool, int, float, str)):
        return not isinstance(value, str) or len(value) < 10_000
    if isinstance(value, (list, tuple)) and depth < 4 and len(value) < 10_000:
        return all(_plain_data(v, depth + 1) for v in value)
    return False


def _public_constant(origin: str):
    """The value behind `from course_lib.data import FASHION_MNIST_CLASSES`: plain data from a module that is
    neither grading nor a reference implementation; None for anything else (functions, modules, objects)."""
    module_name, _, attribute = origin.rpartition(".")
    if ":" in origin or not module_name or module_name.startswith(("course_lib.grading", "course_lib.reference")):
        return None
    try:
        value = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError):
        return None
    return value if _plain_data(value) and not callable(value) else None


def _python_source(source: str) -> str:
    """IPython syntax (`!cmd`, `%magic`) as Python calls of get_ipython(), which the runner makes harmless."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001 - a cell the transformer chokes on is run as written (and fails there)
        return source


def build_cells(exercises, sources: dict[str, str], seed: int, timeout_s: float) -> list[dict]:
    """The runner's cells: the graded exercise cells in notebook order, with the inputs to call each answer on."""
    return [{"id": e.id, "kind": e.kind, "answer_name": e.answer_name, "source": _python_source(sources[e.id]),
             "cases": e.input_cases(seed), "timeout_s": timeout_s} for e in exercises]


STARTUP_ALLOWANCE_S = 30.0  # the answer process's start (Python, numpy, the master's set-up) on a busy machine


def _budget(cell: dict) -> float:
    return cell["timeout_s"] * (len(cell["cases"]) + 1) + 10.0


class _Run:
    """One runner process: feeds it the job, reads its lines until it ends, hangs or floods."""

    def __init__(self, command, env, cwd, payload: bytes):
        self.process = subprocess.Popen(command, env=env, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        threading.Thread(target=self._feed, args=(payload,), daemon=True).start()
        self.buffer = b""
        with _RUNNING_LOCK:
            _RUNNING.add(self)

    def _feed(self, payload):
        try:
            self.process.stdin.write(payload)
            self.process.stdin.close()
        except OSError:
            pass

    def next_line(self, deadline: float) -> tuple[bytes | None, str]:
        """(line, "") or (None, why: "ended" | "timeout" | "too-large")."""
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        try:
            while b"\n" not in self.buffer:
                if len(self.buffer) > MAX_LINE_BYTES:
                    return None, "too-large"
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(timeout=left):
                    return None, "timeout"
                chunk = os.read(self.process.stdout.fileno(), 1 << 20)
                if not chunk:
                    return None, "ended"
                self.buffer += chunk
        finally:
            selector.close()
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line, ""

    def kill(self):
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except OSError:
            pass
        self.process.wait()
        self.process.stdout.close()
        with _RUNNING_LOCK:
            _RUNNING.discard(self)


LOST = {"timeout": "the answer ran past the time limit and was stopped",
        "ended": "the answer's process died (a crash, os._exit, or the memory limit)",
        "too-large": f"the answer's output is larger than {MAX_LINE_BYTES // 2 ** 20} MB"}


def run_answers(cells: list[dict], setup: AnswerSetup, start_process) -> dict[str, ExportResult]:
    """Run the runner (started by `start_process(payload) -> _Run`, restarted after a lost exercise)."""
    results: dict[str, ExportResult] = {}
    start, lost = 0, []
    while start < len(cells):
        payload = pickle.dumps({**setup, "cells": cells, "start": start, "skip": lost})
        run = start_process(payload)
        try:
            # Starting (numpy, the imports, the cells before `start`) gets an allowance on top of the budgets.
            deadline = time.monotonic() + STARTUP_ALLOWANCE_S + sum(_budget(c) for c in cells[:start + 1])
            index = start
            while index < len(cells):
                line, why = run.next_line(deadline)
                if line is None:
                    results[cells[index]["id"]] = ExportResult("absent", LOST[why])
                    lost.append(index)  # the next process does not run this cell again
                    break
                frame = parse_line(line)
                if frame is None or frame.get("index") != index or cells[index]["id"] in results:
                    continue  # not the runner's line for this exercise (the student's code may write too)
                results[cells[index]["id"]] = read_frame(frame, cells[index]["id"])
                index += 1
                if index < len(cells):
                    deadline = time.monotonic() + _budget(cells[index])
            start = index + 1
        finally:
            run.kill()
    return results


def start_runner(sandbox, env: dict):
    """A `start_process` for run_answers: the runner inside `sandbox`, no course_lib on its path."""
    command = sandbox.wrap([sys.executable, "-I", "-c", RUNNER.read_text(encoding="utf-8")])

    def start(payload: bytes) -> _Run:
        return _Run(command, sandbox.env(env), sandbox.workdir, payload)

    return start
