"""Reproduce PacGAN's Table 1 (arXiv 1712.04086) under our budget; print JSON, write CSVs under benchmarks/results/.

Full mode (default): 3 seeds of vanilla, PacGAN2 and R1 on the ring (8k steps) and the grid (20k steps), two
single-thread processes at a time. Writes benchmarks/results/pacgan_table_<framework>.csv (summary) and
..._runs.csv (per run). Quick mode (--quick) writes ..._quick.csv files and never touches the full-mode ones.

    python benchmarks/pacgan_table.py [--framework torch] [--seeds 3] [--workers 2] [--quick]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from course_lib.frameworks import FRAMEWORKS  # noqa: E402  (imports follow the sys.path line above)
from course_lib.toy import pacgan_table  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--framework", default="torch", choices=FRAMEWORKS)
    parser.add_argument("--seeds", type=int, default=None, help="seeds per cell (3 full, 1 quick)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--methods", default=",".join(pacgan_table.DEFAULT_METHODS),
                        help=f"comma-separated, from {list(pacgan_table.METHODS)} or 'all'")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--tag", default="", help="suffix for the CSV names")
    args = parser.parse_args(argv)
    methods = list(pacgan_table.METHODS) if args.methods == "all" else args.methods.split(",")
    seeds = args.seeds or (1 if args.quick else 3)
    start = time.perf_counter()
    rows = pacgan_table.run_table(args.framework, args.quick, seeds, methods, args.workers)
    wall = time.perf_counter() - start
    summary = pacgan_table.summarize(rows)
    print(pacgan_table.format_table(summary), flush=True)
    stem = f"pacgan_table_{args.framework}{'_quick' if args.quick else ''}{args.tag}"
    pacgan_table.write_csv(summary, RESULTS / f"{stem}.csv")
    pacgan_table.write_csv(rows, RESULTS / f"{stem}_runs.csv")
    print(json.dumps({"what": "pacgan_table", "framework": args.framework, "quick": args.quick, "seeds": seeds,
                      "methods": methods, "workers": args.workers, "wall_seconds": round(wall, 1),
                      "cpu_seconds_sum": round(sum(r["seconds"] for r in rows), 1),
                      "machine": platform.processor() or platform.machine(), "python": platform.python_version(),
                      "summary": summary}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
