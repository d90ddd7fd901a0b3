"""`make run`: execute every notebook in quick mode with papermill in both frameworks, then write a report.

Prints one line per notebook run as it finishes (notebook, framework, seconds, status), with a progress bar when
attached to a terminal and plain lines otherwise (CI). Writes executed notebooks to build/notebooks/, their
records to build/records/, logs to build/logs/, and the HTML report (build/index.html: one page per run, figures
with readable names) with tools/notebook_report.py. Exit code 1 if any run failed.

A run counts as failed when papermill fails, when a cell hit its timeout, or when it took more than
`--slow-factor` times its usual seconds (build/timings.json keeps the median of earlier successful runs): a
notebook that usually takes 25 s and "finishes" in 900 s has hung somewhere, it is not "ok".
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from course_lib.frameworks import FRAMEWORKS  # noqa: E402  (the repo root goes on sys.path first)
from tools.notebook_report import write_report  # noqa: E402

TIMINGS_KEPT = 5  # successful runs remembered per notebook and framework


def papermill_command(notebook: Path, executed: Path, records: Path, framework: str, timeout: int) -> list[str]:
    return [sys.executable, "-m", "papermill", str(notebook), str(executed), "--cwd", str(notebook.parent),
            "-p", "FRAMEWORK", framework, "-p", "QUICK", "True", "-p", "RECORDS_PATH", str(records),
            "--execution-timeout", str(timeout), "--no-progress-bar"]


def kernel_environment() -> dict:
    env = dict(os.environ, COURSE_QUICK="1", COURSE_HEADLESS="1", TF_CPP_MIN_LOG_LEVEL="3",
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])))
    env.pop("MPLBACKEND", None)  # Agg would replace the kernel's inline backend and leave no figures to keep
    return env


def timed_out_cells(executed: Path, timeout: int) -> list[int]:
    """Indices of cells that ran into the cell timeout: papermill may mark such a cell completed, not failed, so
    a cell is caught by its timeout error or by a duration at the limit."""
    if not executed.exists():
        return []
    cells = json.loads(executed.read_text(encoding="utf-8")).get("cells", [])
    return [index for index, cell in enumerate(cells)
            if (cell.get("metadata", {}).get("papermill", {}).get("duration") or 0) >= 0.95 * timeout
            or any(o.get("output_type") == "error" and "Timeout" in o.get("ename", "")
                   for o in cell.get("outputs", []))]


def run_one(notebook: Path, framework: str, build: Path, timeout: int) -> dict:
    stem = f"{notebook.stem}.{framework}"
    executed = build / "notebooks" / f"{stem}.ipynb"
    records = build / "records" / f"{stem}.json"
    log = build / "logs" / f"{stem}.log"
    for folder in (executed.parent, records.parent, log.parent):
        folder.mkdir(parents=True, exist_ok=True)
    records.unlink(missing_ok=True)
    start = time.perf_counter()
    with open(log, "w", encoding="utf-8") as log_file:
        code = subprocess.call(papermill_command(notebook, executed, records, framework, timeout),
                               stdout=log_file, stderr=subprocess.STDOUT, env=kernel_environment(), cwd=REPO_ROOT)
    seconds = time.perf_counter() - start
    status = "ok" if code == 0 else f"FAILED (see {log.relative_to(build.parent)})"
    stuck = timed_out_cells(executed, timeout) if code == 0 else []
    if stuck:
        status = f"FAILED: cell(s) {stuck} hit the {timeout} s cell timeout"
    return {"notebook": notebook.name, "stem": stem, "framework": framework, "seconds": seconds,
            "status": status, "executed": str(executed), "records": str(records)}


def judge_slowness(result: dict, timings: dict, slow_factor: float) -> dict:
    """Mark an 'ok' run that took far longer than its usual seconds as failed; remember good runs' seconds."""
    earlier = timings.get(result["stem"], [])
    if result["status"] == "ok" and earlier:
        usual = statistics.median(earlier)
        if result["seconds"] > slow_factor * usual + 10:
            result["status"] = f"FAILED: {result['seconds']:.0f} s against a usual {usual:.0f} s (a hang?)"
    if result["status"] == "ok":
        timings[result["stem"]] = (earlier + [round(result["seconds"], 1)])[-TIMINGS_KEPT:]
    return result


class Progress:
    """One line per finished run; a tqdm bar on top when stdout is a terminal."""

    def __init__(self, total: int):
        self.bar = None
        if sys.stdout.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="run", leave=False)

    def report(self, result: dict) -> None:
        line = f"{result['notebook']:<34} {result['framework']:<5} {result['seconds']:7.1f} s  {result['status']}"
        if self.bar is not None:
            self.bar.write(line)
            self.bar.update(1)
        else:
            print(line, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def print_table(results: list[dict], report: Path) -> None:
    width = max(len(r["notebook"]) for r in results)
    print(f"\n{'notebook':<{width}}  framework  seconds  figures  status")
    for r in results:
        print(f"{r['notebook']:<{width}}  {r['framework']:<9}  {r['seconds']:7.1f}  {r.get('figures', 0):7d}  "
              f"{r['status']}")
    failed = [r for r in results if r["status"] != "ok"]
    print(f"\n{len(results) - len(failed)} ok, {len(failed)} failed. Report: {report}")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, default=REPO_ROOT / "build")
    parser.add_argument("--frameworks", nargs="+", default=list(FRAMEWORKS), choices=FRAMEWORKS)
    parser.add_argument("--jobs", type=int, default=2, help="notebooks executed at once (default 2)")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    parser.add_argument("--slow-factor", type=float, default=4.0,
                        help="a run slower than this many times its usual seconds is a failure (default 4)")
    parser.add_argument("notebooks", nargs="*", type=Path)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    build = args.build.resolve()
    notebooks = args.notebooks or sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    jobs = [(nb.resolve(), fw) for nb in notebooks for fw in args.frameworks]
    timings_file = build / "timings.json"
    timings = json.loads(timings_file.read_text()) if timings_file.exists() else {}
    print(f"Running {len(jobs)} notebook runs in quick mode, {args.jobs} at a time.", flush=True)
    progress, results = Progress(len(jobs)), []
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(run_one, nb, fw, build, args.timeout) for nb, fw in jobs]
        for future in as_completed(futures):
            result = judge_slowness(future.result(), timings, args.slow_factor)
            progress.report(result)
            results.append(result)
    progress.close()
    order = {(nb.name, fw): k for k, (nb, fw) in enumerate(jobs)}
    results.sort(key=lambda r: order[(r["notebook"], r["framework"])])
    build.mkdir(parents=True, exist_ok=True)
    timings_file.write_text(json.dumps(timings, indent=1, sort_keys=True))
    report = write_report(results, build)
    print_table(results, report)
    return 1 if any(r["status"] != "ok" for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
