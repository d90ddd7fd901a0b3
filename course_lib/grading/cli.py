"""`python -m course_lib grade ...`: grade a folder of notebooks, or release a student version.

  python -m course_lib grade MASTER_NOTEBOOK SUBMISSIONS_DIR --out GRADEBOOK.csv [--jobs N] [--timeout SECONDS]
                             [--framework torch|tf]
  python -m course_lib grade release MASTER_NOTEBOOK STUDENT_NOTEBOOK

Every *.ipynb under SUBMISSIONS_DIR is one submission; its path relative to the folder, without .ipynb, is the
student id (made safe and unique by course_lib.grading.ids). The gradebook is rewritten after each submission; a
rerun skips submissions already graded with the same sha256 and a status the student caused. Feedback files go to
GRADEBOOK_feedback/<student>.md. See docs/instructors.md.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from course_lib.frameworks import FRAMEWORKS
from course_lib.grading.ids import clean_text, student_id

__all__ = ["find_submissions", "grade_folder", "main"]


def find_submissions(folder) -> dict[str, Path]:
    """Student id -> notebook path, for every regular .ipynb file under `folder` (links and checkpoints skipped).

    Names are walked as bytes, so a file name in any encoding gets an id (course_lib.grading.ids)."""
    root = os.fsencode(os.path.abspath(folder))
    found = {}
    for current, dirs, files in os.walk(root):  # never follows links to folders
        dirs[:] = sorted(d for d in dirs if d != b".ipynb_checkpoints")
        for name in sorted(files):
            if not name.lower().endswith(b".ipynb"):
                continue
            path = os.path.join(current, name)
            try:
                if not stat.S_ISREG(os.lstat(path).st_mode):
                    continue  # links, FIFOs, devices
            except OSError:
                continue
            found[student_id(os.path.relpath(path, root))] = Path(os.fsdecode(path))
    return found


def grade_folder(master, submissions_dir, out, jobs: int = 1, setup_kwargs=None, progress: bool = True,
                 log=print) -> dict:
    """Grade every submission into the gradebook `out`; returns a summary dict."""
    from course_lib.grading.gradebook import Gradebook
    from course_lib.grading.grader import (
        GRADER_VERSION,
        GradingSetup,
        grade_submission,
        kill_running,
    )

    setup = GradingSetup.load(master, **(setup_kwargs or {}))
    out = Path(out).resolve()
    feedback_dir = out.with_name(out.stem + "_feedback")
    gradebook = Gradebook(out, [e.id for e in setup.exercises])
    submissions = find_submissions(submissions_dir)
    todo = {}
    from course_lib.grading.grader import read_submission
    from course_lib.grading.prepare import sha256_of

    for student, path in submissions.items():
        if path.resolve() == setup.master_path:
            continue  # the master is not a submission
        try:
            if gradebook.already_graded(student, sha256_of(read_submission(path))):
                continue
        except OSError:
            pass  # graded (as unreadable) below
        todo[student] = path
    hide = [str(out), str(feedback_dir), str(Path(submissions_dir).resolve())]  # all students' folders
    lock, statuses, start = threading.Lock(), Counter(), time.monotonic()
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(todo), desc="grading", unit="notebook", file=sys.stderr)
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    futures = {pool.submit(grade_submission, path, student, setup, hide): student for student, path in todo.items()}
    try:
        for future in as_completed(futures):
            result = _result_or_error(future, futures[future], setup)
            with lock:
                _record(result, gradebook, feedback_dir, GRADER_VERSION, log)
                statuses[result.status] += 1
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix_str(clean_text(f"{result.student}: {result.total:g}/{result.max_total:g} "
                                                   f"{result.status}", limit=120))
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)
        kill_running()
        print(f"\nInterrupted: the gradebook {out} holds the {sum(statuses.values())} submission(s) graded in this "
              "run; run the same command again to grade the rest.", file=sys.stderr)
        raise
    pool.shutdown(wait=True)
    if bar is not None:
        bar.close()
    seconds = time.monotonic() - start
    summary = {
        "submissions": len(submissions), "graded": len(todo), "skipped": len(submissions) - len(todo),
        "statuses": dict(statuses), "seconds": round(seconds, 2),
        "seconds_per_submission": round(seconds / len(todo), 2) if todo else 0.0,
        "gradebook": str(out), "feedback": str(feedback_dir), "isolation": _isolation(setup),
    }
    if log:
        totals = [float(row["total"]) for row in gradebook.rows.values() if row.get("total")]
        mean = sum(totals) / len(totals) if totals else 0.0
        log(f"Graded {len(todo)} submission(s), skipped {summary['skipped']} unchanged, in {seconds:.1f} s "
            f"({summary['seconds_per_submission']} s each). Status: "
            f"{', '.join(f'{k} {v}' for k, v in sorted(statuses.items())) or 'none'}. "
            f"Mean total {mean:.2f}. Gradebook: {out}. Sandbox: {summary['isolation']}.")
    return summary


def _result_or_error(future, student: str, setup):
    """The submission's result, or a grader-error row for it when grading raised (a bug, never the student's)."""
    from course_lib.grading.grader import SubmissionResult, _now

    try:
        return future.result()
    except Exception as error:  # noqa: BLE001 - one submission's crash never loses another
        zero = {e.id: 0.0 for e in setup.exercises}
        return SubmissionResult(student, "", zero, {e.id: float(e.points) for e in setup.exercises}, "grader-error",
                                clean_text(f"{type(error).__name__}: {error}", limit=300), {}, 0.0, _now())


def _record(result, gradebook, feedback_dir, grader_version, log) -> None:
    """One row and one feedback file; if writing either fails, the row says so and the run goes on."""
    from course_lib.grading.feedback import write_feedback

    try:
        gradebook.add(result, grader_version)
        write_feedback(feedback_dir, result, grader_version)
    except Exception as error:  # noqa: BLE001
        result.status, result.message = "grader-error", clean_text(f"recording failed: {error}", limit=300)
        gradebook.add(result, grader_version)
        if log:
            log(f"could not write the feedback of {result.student}: {result.message}")
    gradebook.save()  # after each submission: a crash never loses the graded ones


def _isolation(setup) -> str:
    from course_lib.grading.sandbox import Sandbox

    return Sandbox(workdir="", runtime_dir="", limits=setup.limits, isolation=setup.isolation).describe()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m course_lib grade", description=__doc__.split("\n\n")[0])
    parser.add_argument("master", help="the master notebook (with or without solutions)")
    parser.add_argument("submissions", help="folder of submitted notebooks (searched recursively)")
    parser.add_argument("--out", required=True, help="gradebook CSV to create or update")
    parser.add_argument("--jobs", type=int, default=1, help="submissions graded in parallel (default 1)")
    parser.add_argument("--timeout", type=float, default=600.0, help="wall-clock limit per notebook, seconds")
    parser.add_argument("--cell-timeout", type=float, default=None,
                        help="wall-clock limit per cell, seconds (default: the notebook limit, at most 300)")
    parser.add_argument("--framework", choices=FRAMEWORKS, default="torch")
    parser.add_argument("--full", action="store_true", help="run in full mode (default: quick mode)")
    parser.add_argument("--memory-mb", type=int, default=6144, help="address-space limit of each kernel")
    parser.add_argument("--output-kb", type=int, default=2048, help="outputs kept per notebook")
    parser.add_argument("--isolation", choices=["auto", "full", "limits-only"], default="auto")
    parser.add_argument("--seed", type=int, default=None, help="fixed hidden-input seed (default: secret, "
                                                                "fresh per submission)")
    parser.add_argument("--keep-workdirs", action="store_true", help="keep each submission's scratch folder")
    parser.add_argument("--allow-course-lib", action="store_true",
                        help="no effect (kept for old command lines): graded answers never reach course_lib")
    parser.add_argument("--no-progress", action="store_true")
    return parser


def main(argv) -> int:
    from course_lib.grading.lean_imports import skip_unused_format_grammar

    skip_unused_format_grammar()
    argv = list(argv)
    if argv and argv[0] == "release":
        if len(argv) != 3:
            print("usage: python -m course_lib grade release MASTER_NOTEBOOK STUDENT_NOTEBOOK", file=sys.stderr)
            return 2
        from course_lib.grading.release import release_notebook

        try:
            count = release_notebook(argv[1], argv[2])
        except (OSError, ValueError) as error:
            print(f"release failed: {error}", file=sys.stderr)
            return 1
        print(f"Wrote {argv[2]}: {count} solution cell(s) replaced by stubs.")
        return 0
    args = _parser().parse_args(argv)
    from course_lib.grading.sandbox import Limits

    if not Path(args.master).is_file():
        print(f"No master notebook at {args.master}: pass the instructor's copy of the notebook.", file=sys.stderr)
        return 2
    if not Path(args.submissions).is_dir():
        print(f"No folder {args.submissions}: pass the folder that holds the submitted .ipynb files.",
              file=sys.stderr)
        return 2
    if args.allow_course_lib:
        print("--allow-course-lib has no effect any more: graded answers run where course_lib does not exist "
              "(docs/instructors.md).", file=sys.stderr)
    cell_timeout = args.cell_timeout or min(args.timeout, 300.0)
    limits = Limits(notebook_timeout_s=args.timeout, cell_timeout_s=cell_timeout, memory_mb=args.memory_mb,
                    output_kb=args.output_kb)
    setup_kwargs = {"framework": args.framework, "quick": not args.full, "limits": limits,
                    "isolation": args.isolation, "seed": args.seed, "keep_workdirs": args.keep_workdirs,
                    "allow_library": args.allow_course_lib}
    try:
        grade_folder(args.master, args.submissions, args.out, jobs=args.jobs, setup_kwargs=setup_kwargs,
                     progress=not args.no_progress)
    except KeyboardInterrupt:
        return 130
    except (KeyError, ValueError) as error:
        print(f"grading stopped before any submission ran: {error}", file=sys.stderr)
        return 2
    return 0
