"""`make run`: execute every notebook in quick mode with papermill in both frameworks.

Writes executed notebooks to build/notebooks/, their figures (PNG outputs) to build/figures/ and their records to
build/records/, then prints a summary table (notebook, framework, seconds, status). Exit code 1 if any failed.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
_TIMES_LOCK = threading.Lock()  # two notebooks may finish at once


def extract_figures(executed: Path, figures_dir: Path) -> int:
    """Save every PNG output of an executed notebook as figures_dir/cell-NN-K.png; return how many."""
    figures_dir.mkdir(parents=True, exist_ok=True)
    count = 0
    cells = json.loads(executed.read_text(encoding="utf-8")).get("cells", [])
    for index, cell in enumerate(cells):
        for k, output in enumerate(cell.get("outputs", [])):
            png = output.get("data", {}).get("image/png")
            if png:
                (figures_dir / f"cell-{index:02d}-{k}.png").write_bytes(base64.b64decode(png))
                count += 1
    return count


def timed_out_cells(executed: Path, timeout: int) -> list[int]:
    """Indices of cells that ran into the cell timeout (papermill may mark such a cell completed, not failed)."""
    cells = json.loads(executed.read_text(encoding="utf-8")).get("cells", [])
    return [i for i, cell in enumerate(cells)
            if (cell.get("metadata", {}).get("papermill", {}).get("duration") or 0) >= 0.95 * timeout]


def slow_verdict(stem: str, seconds: float, build: Path, factor: float = 3.0) -> str:
    """"" or why the run counts as failed: it took `factor` times its usual seconds (median of earlier ok runs,
    kept in build/run_times.json). A hung widget cell once "passed" in 924 s instead of 25 s."""
    path = build / "run_times.json"
    history = json.loads(path.read_text()) if path.exists() else {}
    usual = sorted(history.get(stem, []))
    if usual and seconds > factor * max(usual[len(usual) // 2], 10.0):
        return f"FAILED: {seconds:.0f} s, over {factor:g}x its usual {usual[len(usual) // 2]:.0f} s"
    return ""


def remember_time(stem: str, seconds: float, build: Path) -> None:
    path = build / "run_times.json"
    with _TIMES_LOCK:
        history = json.loads(path.read_text()) if path.exists() else {}
        history[stem] = (history.get(stem, []) + [round(seconds, 1)])[-5:]
        path.write_text(json.dumps(history, indent=1))


def run_one(notebook: Path, framework: str, build: Path, timeout: int) -> dict:
    stem = f"{notebook.stem}.{framework}"
    executed = build / "notebooks" / f"{stem}.ipynb"
    records = build / "records" / f"{stem}.json"
    log = build / "logs" / f"{stem}.log"
    for folder in (executed.parent, records.parent, log.parent):
        folder.mkdir(parents=True, exist_ok=True)
    records.unlink(missing_ok=True)
    command = [sys.executable, "-m", "papermill", str(notebook), str(executed), "--cwd", str(notebook.parent),
               "-p", "FRAMEWORK", framework, "-p", "QUICK", "True", "-p", "RECORDS_PATH", str(records),
               "--execution-timeout", str(timeout), "--no-progress-bar"]
    env = dict(os.environ, COURSE_QUICK="1", TF_CPP_MIN_LOG_LEVEL="3", COURSE_HEADLESS="1",
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])))
    env.pop("MPLBACKEND", None)  # Agg would replace the kernel's inline backend and leave no figures to keep
    start = time.perf_counter()
    with open(log, "w", encoding="utf-8") as log_file:
        code = subprocess.call(command, stdout=log_file, stderr=subprocess.STDOUT, env=env, cwd=REPO_ROOT)
    seconds = time.perf_counter() - start
    figures = extract_figures(executed, build / "figures" / stem) if executed.exists() else 0
    status = "ok" if code == 0 else f"FAILED (see {log.relative_to(REPO_ROOT)})"
    stuck = timed_out_cells(executed, timeout) if executed.exists() else []
    if status == "ok" and stuck:
        status = f"FAILED: cell(s) {stuck} hit the {timeout} s cell timeout"
    if status == "ok":
        status = slow_verdict(stem, seconds, build) or status
    if status == "ok":
        remember_time(stem, seconds, build)
    return {"notebook": notebook.name, "framework": framework, "seconds": seconds, "status": status,
            "figures": figures}


def main(argv=None) -> int:
    from course_lib.frameworks import FRAMEWORKS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, default=REPO_ROOT / "build")
    parser.add_argument("--frameworks", nargs="+", default=list(FRAMEWORKS), choices=FRAMEWORKS)
    parser.add_argument("--jobs", type=int, default=2, help="notebooks executed at once (default 2)")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    jobs = [(nb.resolve(), fw) for nb in notebooks for fw in args.frameworks]
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(lambda job: run_one(job[0], job[1], args.build.resolve(), args.timeout), jobs))
    width = max(len(r["notebook"]) for r in results)
    print(f"\n{'notebook':<{width}}  framework  seconds  figures  status")
    for r in results:
        print(f"{r['notebook']:<{width}}  {r['framework']:<9}  {r['seconds']:7.1f}  {r['figures']:7d}  {r['status']}")
    failed = [r for r in results if r["status"] != "ok"]
    print(f"\n{len(results) - len(failed)} ok, {len(failed)} failed; executed notebooks and figures in {args.build}/")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
