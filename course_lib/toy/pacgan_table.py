"""PacGAN's Table 1 under our compute budget: modes, high-quality %, reverse KL on the ring and the grid.

Runs each (dataset, method, seed) in its own single-thread process (two at a time by default: on a 2-core CPU
two single-thread runs give about twice the throughput of one two-thread run), then averages over seeds.
Framework-free: the workers load the twin named by `framework`.
Used in: notebooks/02_gan_instability.ipynb, benchmarks/pacgan_table.py
"""

from __future__ import annotations

import csv
import io
import math
import os
from dataclasses import asdict

import numpy as np

from course_lib.atomic import write_text_atomic
from course_lib.config import ToyGANConfig
from course_lib.frameworks import load

__all__ = ["METHODS", "PUBLISHED", "QUICK_STEPS", "format_table", "run_one", "run_table", "summarize", "table_configs",
           "write_csv"]

# Lin et al. 2018 (arXiv 1712.04086), Table 1: modes, high-quality samples (%), reverse KL.
PUBLISHED = {
    ("ring", "vanilla"): (6.3, 98.2, 0.45),
    ("ring", "PacGAN2"): (7.9, 95.6, 0.07),
    ("grid", "vanilla"): (17.3, 94.8, 0.70),
    ("grid", "PacGAN2"): (23.8, 91.3, 0.13),
}

# Remedy settings, as ToyGANConfig overrides.
METHODS = {
    "vanilla": {},
    "PacGAN2": {"pack": 2},
    "PacGAN3": {"pack": 3, "batch_size": 255},
    "R1": {"r1_gamma": 1.0},
    "minibatch std": {"minibatch_std": True},
    "spectral norm": {"spectral_norm": True},
    "unrolled 5": {"unrolled_steps": 5},
    "WGAN-GP": {"loss": "wasserstein", "gp_weight": 0.1, "critic_steps": 5},
}
DEFAULT_METHODS = ("vanilla", "PacGAN2", "R1")

# Budgets (shared/NOTES.md): ring at a constant learning rate, grid with a linear decay over the last half.
_FULL = {"ring": {"steps": 8000}, "grid": {"steps": 20000, "lr_decay_start": 0.5}}
QUICK_STEPS = 300  # quick mode shows the machinery, not collapse: kept short for a laptop CPU and CI
_QUICK = {"ring": {"steps": QUICK_STEPS}, "grid": {"steps": QUICK_STEPS, "lr_decay_start": 0.5}}


def table_configs(quick=False, seeds=3, methods=DEFAULT_METHODS, datasets=("ring", "grid")):
    """Every run of the table as (dataset, method, ToyGANConfig); quick mode uses short runs.

    Args:
        quick: short runs (QUICK_STEPS) instead of the full budget (ring 8k, grid 20k steps).
        seeds: number of seeds (0, 1, ..., seeds - 1).
        methods: names from METHODS.
        datasets: "ring" and/or "grid".
    Returns:
        list of (dataset, method, ToyGANConfig).
    """
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"unknown methods {unknown}; choose from {list(METHODS)}.")
    budget = _QUICK if quick else _FULL
    runs = []
    for dataset in datasets:
        for method in methods:
            for seed in range(seeds):
                overrides = {**budget[dataset], **METHODS[method]}
                if method == "WGAN-GP":  # 5 critic steps per G step: same number of D steps as the others
                    overrides["steps"] = budget[dataset]["steps"] // 5
                if method.startswith("unrolled"):  # each step costs 1 + k D steps: half the G steps
                    overrides["steps"] = budget[dataset]["steps"] // 2
                runs.append((dataset, method, ToyGANConfig(data=dataset, seed=seed, **overrides)))
    return runs


def run_one(framework, dataset, method, config_dict):
    """Train one toy GAN single-threaded and return its row (for a process pool; arguments are picklable)."""
    from course_lib.metrics import mode_coverage

    fw = load(framework)
    fw.utils.limit_threads(1)
    config = ToyGANConfig(**config_dict)
    result = fw.toy_gan.train_toy_gan(config)
    coverage = mode_coverage(result.samples, result.means, result.std)
    return {"framework": framework, "dataset": dataset, "method": method, "seed": config.seed,
            "steps": config.steps, "modes": coverage.modes, "high_quality": 100.0 * coverage.high_quality,
            "reverse_kl": coverage.reverse_kl, "seconds": result.seconds}


def run_table(framework="torch", quick=False, seeds=3, methods=DEFAULT_METHODS, workers=2, progress=True,
              datasets=("ring", "grid")):
    """Run every (dataset, method, seed) of the table; `workers` single-thread processes at a time.

    Args:
        framework: "torch" or "tf".
        quick: short runs (see table_configs).
        seeds: seeds per cell.
        methods: names from METHODS.
        workers: processes in parallel (1 runs in this process).
        progress: print one line per finished run.
        datasets: "ring" and/or "grid".
    Returns:
        list of per-run rows (dicts), in the order of table_configs.
    """
    runs = table_configs(quick, seeds, methods, datasets)
    jobs = [(framework, d, m, asdict(c)) for d, m, c in runs]
    rows = [None] * len(jobs)
    if workers <= 1:
        for i, job in enumerate(jobs):
            rows[i] = run_one(*job)
            _report(progress, rows[i])
        return rows
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    env = {"OMP_NUM_THREADS": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            # longest runs first (grid, then ring) so that the pool's last runs are short ones
            order = sorted(range(len(jobs)), key=lambda i: -jobs[i][3]["steps"] * (1 + jobs[i][3]["unrolled_steps"]))
            futures = {pool.submit(run_one, *jobs[i]): i for i in order}
            for future in as_completed(futures):
                rows[futures[future]] = future.result()
                _report(progress, rows[futures[future]])
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return rows


def _report(progress, row):
    if progress:
        print(f"{row['dataset']:4s} {row['method']:14s} seed {row['seed']}: {row['modes']} modes, "
              f"{row['high_quality']:.1f} % HQ, reverse KL {row['reverse_kl']:.3f} ({row['seconds']:.0f} s)",
              flush=True)


def summarize(rows):
    """Mean and std (over seeds, ddof=0) of modes, HQ % and reverse KL per (dataset, method), with published values.

    Args:
        rows: per-run rows from run_table.
    Returns:
        list of dicts: dataset, method, seeds, steps, modes_mean, modes_std, modes_per_seed, high_quality_mean,
        high_quality_std, reverse_kl_mean, reverse_kl_std, seconds_mean, published_modes, published_high_quality,
        published_reverse_kl (None when the paper has no such row).
    """
    cells = {}
    for row in rows:
        cells.setdefault((row["dataset"], row["method"]), []).append(row)
    summary = []
    for (dataset, method), group in cells.items():
        entry = {"dataset": dataset, "method": method, "seeds": len(group), "steps": group[0]["steps"],
                 "modes_per_seed": " ".join(str(r["modes"]) for r in group)}
        for key in ("modes", "high_quality", "reverse_kl", "seconds"):
            values = np.array([r[key] for r in group], dtype=float)
            entry[f"{key}_mean"], entry[f"{key}_std"] = float(values.mean()), float(values.std())
        published = PUBLISHED.get((dataset, method), (None, None, None))
        entry.update(published_modes=published[0], published_high_quality=published[1],
                     published_reverse_kl=published[2])
        summary.append(entry)
    return summary


def format_table(summary):
    """The summary as a plain-text table, ours next to PacGAN's published numbers."""
    lines = [f"{'data':4s} {'method':14s} {'modes (ours)':>14s} {'HQ % (ours)':>13s} {'rev KL (ours)':>15s}   "
             f"{'paper: modes / HQ % / rev KL':>28s}   per-seed modes"]
    for e in summary:
        paper = ("-" if e["published_modes"] is None else
                 f"{e['published_modes']:.1f} / {e['published_high_quality']:.1f} / {e['published_reverse_kl']:.2f}")
        lines.append(
            f"{e['dataset']:4s} {e['method']:14s} {e['modes_mean']:7.1f} ± {e['modes_std']:4.1f} "
            f"{e['high_quality_mean']:6.1f} ± {e['high_quality_std']:4.1f} {e['reverse_kl_mean']:7.2f} ± "
            f"{e['reverse_kl_std']:5.2f}   {paper:>28s}   {e['modes_per_seed']}")
    return "\n".join(lines)


def write_csv(rows, path):
    """Write dict rows to `path` as CSV atomically (a temporary file in the same folder, then renamed).

    Args:
        rows: list of dicts with the same keys.
        path: destination; its folder is created.
    Returns:
        The Path written.
    """
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    for row in rows:
        writer.writerow({k: (round(v, 4) if isinstance(v, float) and math.isfinite(v) else v)
                         for k, v in row.items()})
    path = write_text_atomic(path, buffer.getvalue())
    return path


