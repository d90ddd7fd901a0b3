"""Notebook 06's full mode on this machine: train G(z, class, colour) against a projection and an ACGAN
discriminator on the same budget (two single-thread PyTorch processes in parallel), then measure both:
class consistency, colour accuracy, FID (course classifier), intra-class diversity, per-class recall, and the
SeFa directions' measured effects. Prints one JSON object and writes benchmarks/results/controllable_generation.json.

    python benchmarks/controllable_generation.py --steps 15000             # train both heads, then measure
    python benchmarks/controllable_generation.py --skip-training           # measure runs/controllable/full_*.npz
    python benchmarks/controllable_generation.py --skip-training --ship --trained-on "..."   # and ship them

The shipped weights were trained on a GPU by scripts/train_shipped_on_gpu.sh (both heads side by side, the same
GPU time each), copied to runs/controllable/full_<head>.npz, then measured and shipped here on the CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results"
RUNS = ROOT / "runs" / "controllable"
HEADS = ("projection", "acgan")


def _train_both(steps, width, batch_size):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    procs = {head: subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "train_controllable_gan.py"), "--head", head, "--steps", str(steps),
         "--width", str(width), "--batch-size", str(batch_size), "--out", str(RUNS / f"full_{head}.npz")],
        env=env, stdout=subprocess.PIPE, text=True) for head in HEADS}
    summaries = {}
    for head, proc in procs.items():
        lines = proc.communicate()[0].strip().splitlines()
        if proc.returncode:
            raise SystemExit(f"training {head} failed with exit code {proc.returncode}")
        summaries[head] = json.loads(lines[-1])
    return summaries


def _load(head, prefix="full"):
    import numpy as np

    with np.load(RUNS / f"{prefix}_{head}.npz") as archive:
        step = int(archive["step"]) if "step" in archive.files else None
        return {k: archive[k] for k in archive.files if k != "step"}, step


def measure(per_combo, seed, prefix="full"):
    from course_lib.controllable.config import ControllableGANConfig
    from course_lib.controllable.evaluate import (
        discover_directions,
        evaluate_generator,
        real_reference,
    )
    from course_lib.data.colour import coloured_fashion_mnist
    from course_lib.torch.controllable import generate_images, load_generator_weights
    from course_lib.torch.controllable_train import build_models

    real_images, real_classes, _ = coloured_fashion_mnist("test", 10 * 6 * per_combo, seed=seed + 7)
    reference = real_reference(real_images, real_classes)
    table, directions, weights_by_head = {}, {}, {}
    for head in HEADS:
        weights, step = _load(head, prefix)
        width = weights["conv_out.kernel"].shape[2] * 2
        config = ControllableGANConfig(head=head, width=int(width), latent_dim=int(weights["dense.kernel"].shape[0]))
        generator = load_generator_weights(build_models(config)[0], weights)
        render = partial(generate_images, generator)
        table[head] = {**evaluate_generator(render, config.latent_dim, reference, per_combo, seed), "step": step}
        _, effects = discover_directions(render, weights, k=5, seed=seed)
        directions[head] = [{key: e[key] for key in ("label", "eigenvalue", "spearman", "monotone",
                                                      "class_consistency", "means")} for e in effects]
        weights_by_head[head] = weights
    table["real (test images)"] = {"class_consistency": reference["accuracy"], "diversity": reference["diversity"]}
    return table, directions, weights_by_head


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=15000)
    parser.add_argument("--width", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--trained-on", default="",
                        help="with --skip-training: where and how the measured weights were trained (for the record)")
    parser.add_argument("--per-combo", type=int, default=20, help="samples per (class, colour) pair")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-training", action="store_true")
    parser.add_argument("--ship", action="store_true", help="write course_lib/controllable/controllable_generators.npz")
    parser.add_argument("--prefix", default="full",
                        help="with --skip-training: measure runs/controllable/PREFIX_<head>.npz and write "
                             "results/controllable_generation[_PREFIX].json (say, snapshots at equal steps)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    training = None if args.skip_training else _train_both(args.steps, args.width, args.batch_size)
    train_seconds = time.perf_counter() - started
    if args.ship and args.prefix != "full":
        parser.error("--ship ships the full_<head>.npz runs only")
    table, directions, weights = measure(args.per_combo, args.seed, args.prefix)
    result = {"what": "controllable_generation", "framework": "torch", "measured_on": "cpu",
              "cpu_count": os.cpu_count(),
              "machine": platform.machine(), "python": platform.python_version(), "training": training,
              "trained_on": args.trained_on or (None if training is None else "cpu (this machine)"),
              "train_wall_seconds": None if training is None else round(train_seconds, 1),
              "measure_seconds": round(time.perf_counter() - started - train_seconds, 1), "table": table,
              "directions": directions, "monotone_directions": {
                  head: sum(d["label"] is not None for d in directions[head]) for head in HEADS}}
    if args.ship:
        from course_lib.controllable.weights import SHIPPED_FILE, save_generators

        meta = {"made_by": "python benchmarks/controllable_generation.py --ship", "table": table,
                "steps": {head: table[head]["step"] for head in HEADS},
                "width": int(weights[HEADS[0]]["conv_out.kernel"].shape[2] * 2), "batch_size": args.batch_size,
                "framework": "torch", "trained_on": args.trained_on or "cpu (this machine)"}
        result["shipped_sha256"] = save_generators(SHIPPED_FILE, weights, meta)
    RESULTS.mkdir(parents=True, exist_ok=True)
    from course_lib.atomic import write_text_atomic

    name = "controllable_generation" + ("" if args.prefix == "full" else f"_{args.prefix}")
    write_text_atomic(RESULTS / f"{name}.json", json.dumps(result, indent=1, default=float))
    print(json.dumps(result, default=float))


if __name__ == "__main__":
    main()
