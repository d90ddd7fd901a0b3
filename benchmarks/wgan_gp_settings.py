"""WGAN-GP on the 8-Gaussian ring: notebook 01's settings against the paper's, at the same generator budget.

Notebook 01 trains every loss for the same number of generator steps (700 in quick mode). It runs WGAN-GP with
lambda = 0.1, one critic step per generator step and lr 1e-3; the paper (Gulrajani et al. 2017, arXiv 1704.00028)
uses lambda = 10, five critic steps and lr 1e-4, both with Adam betas (0, 0.9). This script measures both at that
budget, over several seeds, and writes benchmarks/results/wgan_gp_settings_torch.csv.

    OMP_NUM_THREADS=1 python benchmarks/wgan_gp_settings.py [--steps 700] [--seeds 3]
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from course_lib.atomic import write_text_atomic
from course_lib.config import ToyGANConfig
from course_lib.metrics import mode_coverage

SETTINGS = {
    "notebook (lambda 0.1, 1 critic step, lr 1e-3)": {"gp_weight": 0.1, "critic_steps": 1, "lr": 1e-3},
    "paper (lambda 10, 5 critic steps, lr 1e-4)": {"gp_weight": 10.0, "critic_steps": 5, "lr": 1e-4},
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=700)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "wgan_gp_settings_torch.csv"))
    args = parser.parse_args(argv)
    import torch

    from course_lib.torch import toy_gan

    torch.set_num_threads(1)
    rows = []
    for name, setting in SETTINGS.items():
        for seed in range(args.seeds):
            config = ToyGANConfig(data="ring", loss="wasserstein", steps=args.steps, seed=seed, beta1=0.0,
                                  beta2=0.9, **setting)
            run = toy_gan.train_toy_gan(config)
            coverage = mode_coverage(run.samples, run.means, run.std)
            distance = float(np.median(np.linalg.norm(run.samples[:, None] - run.means[None], axis=-1).min(axis=1)))
            rows.append({"setting": name, "seed": seed, "steps": args.steps, "modes": coverage.modes,
                         "high_quality": round(100 * coverage.high_quality, 2), "median_distance": round(distance, 4),
                         "seconds": round(run.seconds, 2)})
            print(rows[-1], flush=True)
    print("\nmedians over seeds:")
    for name in SETTINGS:
        mine = [r for r in rows if r["setting"] == name]
        print(f"{name:48s} modes {statistics.median(r['modes'] for r in mine):4.1f}  high quality "
              f"{statistics.median(r['high_quality'] for r in mine):5.1f} %  median distance "
              f"{statistics.median(r['median_distance'] for r in mine):.3f}  "
              f"seconds {statistics.median(r['seconds'] for r in mine):.1f}")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    write_text_atomic(args.out, buffer.getvalue())
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
