"""Seconds per submission of the sandboxed grader against bare papermill on the same solved copies.

    python benchmarks/grading_speed.py [--master NOTEBOOK] [--copies 20] [--jobs 2] [--framework torch]
                                       [--solutions tests/fixtures/solutions/ex_01.py] [--repeats 1]

The solved copies come from the master's solution blocks (### BEGIN/END SOLUTION) or, with --solutions, from a
dict {exercise id: solved cell source} in that file. Bare papermill runs each copy with the papermill command
line, --jobs at a time, each in its own temporary folder, with the same parameters (quick mode). Prints one
JSON object and writes it to benchmarks/results/grading_speed_<master stem>.json. The overhead ratio compares
the two in the same run: (grader seconds / papermill seconds) - 1. The grader's time includes the answer process
(the exercise cells run again without course_lib). The machine's load average before and after each arm is
recorded: on a shared machine, compare only figures measured at a similar load.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def solved_copy(master, solutions: dict | None):
    import nbformat

    from course_lib.grading.release import solved_source

    nb = nbformat.reads(nbformat.writes(master), as_version=4)
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        ids = [t for t in tags if t.startswith("ex-")]
        if solutions and "exercise" in tags and ids and ids[0] in solutions:
            cell.source = solutions[ids[0]]
        else:
            cell.source = solved_source(cell.source)
    return nb


def load_solutions(path):
    if not path:
        return None
    spec = importlib.util.spec_from_file_location("solutions", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return next(v for k, v in vars(module).items() if isinstance(v, dict) and not k.startswith("_"))


def bare_papermill(paths, jobs, framework, timeout) -> float:
    env = {**os.environ, "COURSE_QUICK": "1", "MPLBACKEND": "Agg",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}

    def run(path):
        with tempfile.TemporaryDirectory() as cwd:
            subprocess.run([sys.executable, "-m", "papermill", str(path), os.path.join(cwd, "out.ipynb"),
                            "-p", "FRAMEWORK", framework, "-p", "QUICK", "True", "--cwd", cwd,
                            "--execution-timeout", str(int(timeout)), "--no-progress-bar"],
                           env=env, check=False, capture_output=True, timeout=timeout * 2)

    start = time.monotonic()
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(run, paths))
    return time.monotonic() - start


def main(argv=None) -> int:
    import nbformat

    from course_lib import __version__
    from course_lib.frameworks import FRAMEWORKS
    from course_lib.grading.cli import grade_folder
    from course_lib.grading.sandbox import Limits, probe_isolation

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--master", default=str(REPO / "tests/fixtures/submissions/master.ipynb"))
    parser.add_argument("--solutions", default=None)
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--framework", default="torch", choices=FRAMEWORKS)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args(argv)

    master = nbformat.read(args.master, as_version=4)
    solved = solved_copy(master, load_solutions(args.solutions))
    grader_s, bare_s, full_marks, loads = [], [], True, []
    with tempfile.TemporaryDirectory() as root:
        subs = Path(root) / "subs"
        subs.mkdir()
        paths = []
        for i in range(args.copies):
            solved.metadata["copy"] = i  # distinct sha256 per copy
            paths.append(subs / f"student{i:03d}.ipynb")
            nbformat.write(solved, paths[-1])
        for repeat in range(args.repeats):
            out = Path(root) / f"gradebook{repeat}.csv"
            loads.append(round(os.getloadavg()[0], 2))
            start = time.monotonic()
            summary = grade_folder(args.master, subs, out, jobs=args.jobs, progress=False, log=None, setup_kwargs={
                "framework": args.framework, "limits": Limits(notebook_timeout_s=args.timeout,
                                                              cell_timeout_s=min(args.timeout, 300))})
            grader_s.append(time.monotonic() - start)
            full_marks &= summary["statuses"] == {"ok": args.copies}
            import csv

            with open(out, newline="") as handle:
                full_marks &= all(row["total"] == row["max"] for row in csv.DictReader(handle))
            loads.append(round(os.getloadavg()[0], 2))
            bare_s.append(bare_papermill(paths, args.jobs, args.framework, args.timeout))
            loads.append(round(os.getloadavg()[0], 2))
    grader, bare = statistics.median(grader_s), statistics.median(bare_s)
    result = {
        "what": "grading_speed", "master": os.path.relpath(args.master, REPO), "framework": args.framework,
        "copies": args.copies, "jobs": args.jobs, "repeats": args.repeats, "device": "cpu",
        "cpus": os.cpu_count(), "isolation": probe_isolation(),
        "grader_seconds_per_submission": round(grader / args.copies, 3),
        "papermill_seconds_per_submission": round(bare / args.copies, 3),
        "overhead_ratio": round(grader / bare - 1.0, 3), "all_full_marks": bool(full_marks),
        "grader_seconds": [round(s, 2) for s in grader_s], "papermill_seconds": [round(s, 2) for s in bare_s],
        "load_average_1min": loads,
        "versions": {"course_lib": __version__, "python": platform.python_version()},
    }
    print(json.dumps(result))
    results = REPO / "benchmarks" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / f"grading_speed_{Path(args.master).stem}.json").write_text(json.dumps(result, indent=1) + "\n")
    return 0 if full_marks else 1


if __name__ == "__main__":
    sys.exit(main())
