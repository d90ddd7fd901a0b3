"""Speed and quality of the product GAN on a GPU, in each twin; prints one JSON object per measurement.

(a) tutorial-style loop: host-side batches from a framework data loader, fp32, no compilation, separate D passes;
(b) the course's loop: data held on the GPU, bf16 (fp16 + loss scaling where bf16 is missing), torch.compile /
    tf.function(jit_compile=True), real and fake in one D pass.
Both train the same model (class-conditional G, projection D with spectral norm, EMA) for --speed-steps steps;
images/s excludes the first 10 steps (compilation); the ratio (b)/(a) is measured in the same run.
Quality after a fixed budget (--quality-steps, same batch size): the course recipe against the tutorial-style
recipe (unconditional, BCE, no spectral norm, no EMA), with FID / KID / precision / recall / class consistency
measured with the course classifier (not Inception), and the floor (real train vs real test).
Without a GPU it prints {"skipped": true, ...} and exits 0.

    python benchmarks/product_gan_speed.py [--frameworks torch,tf] [--speed-steps 300] [--quality-steps 4000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
RESULTS = HERE / "results" / "product_gan_speed.jsonl"


def emit(record: dict) -> None:
    """Print one JSON line and append it to benchmarks/results/ (append: a timeout keeps what was measured)."""
    line = json.dumps(record, sort_keys=True)
    print(line, flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with open(RESULTS, "a", encoding="utf-8") as f:
        f.write(line + "\n")


def gpu_name(framework: str) -> str | None:
    if framework == "torch":
        import torch

        return torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return None
    return tf.config.experimental.get_device_details(gpus[0]).get("device_name", "GPU")


def _train(fw, config, info):
    """train_product_gan; if compilation fails on this machine, say so and train uncompiled."""
    try:
        return fw.product_train.train_product_gan(config, resume=False, progress=False)
    except Exception as error:  # noqa: BLE001  (a benchmark reports, then carries on)
        if config.compile == "no":
            raise
        emit({**info, "measure": "error", "run": config.name, "error": f"{type(error).__name__}: {error}"[:500],
              "retry": "compile=no"})
        return fw.product_train.train_product_gan(replace(config, compile="no"), resume=False, progress=False)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frameworks", default="torch,tf")
    parser.add_argument("--speed-steps", type=int, default=300)
    parser.add_argument("--quality-steps", type=int, default=4000)
    parser.add_argument("--eval-n", type=int, default=5000)
    parser.add_argument("--runs-dir", default=str(HERE / "results" / "runs"))
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--limit", type=int, default=None, help="train on the first N images (smoke tests)")
    parser.add_argument("--force", action="store_true", help="run without a GPU too (a CPU smoke test)")
    args = parser.parse_args(argv)

    import numpy as np

    import course_lib
    from course_lib.config import ProductGANConfig
    from course_lib.metrics import evaluate_images, metric_floor

    frameworks = [f for f in args.frameworks.split(",") if f]
    base = {"what": "product_gan_speed", "python": platform.python_version(), "course_lib": course_lib.__version__}
    names = {}
    for framework in frameworks:
        try:
            names[framework] = gpu_name(framework)
        except ImportError as error:
            names[framework] = None
            emit({**base, "framework": framework, "skipped": True, "reason": f"not installed: {error}"})
    if args.force:
        names = {f: names.get(f) or "cpu (forced)" for f in frameworks}
    if not any(names.values()):
        emit({**base, "skipped": True, "reason": "no GPU visible to torch or tensorflow"})
        return 0

    ours = ProductGANConfig(width=args.width, batch_size=args.batch_size, runs_dir=args.runs_dir, limit=args.limit,
                            log_every=100, sample_every=10**9, checkpoint_every=10**9, keep_checkpoints=1)
    floor = None
    for framework in frameworks:
        if not names.get(framework):
            continue
        fw = course_lib.load(framework)
        version = getattr(__import__("torch" if framework == "torch" else "tensorflow"), "__version__")
        info = {**base, "framework": framework, "framework_version": version, "device": names[framework]}
        # speed: the same model, two loops
        speed = {}
        for loop in ("tutorial_loop", "course_loop"):
            config = replace(ours, name=f"speed_{framework}_{loop}", steps=args.speed_steps)
            if loop == "tutorial_loop":
                config = replace(config, tutorial_loop=True, data_on_device="no", mixed_precision="off", compile="no")
            start = time.time()
            result = _train(fw, config, info)
            speed[loop] = result["images_per_second"]
            emit({**info, "measure": "speed", "loop": loop, "steps": args.speed_steps, "batch_size": args.batch_size,
                  "images_per_second": round(speed[loop], 1), "wall_seconds": round(time.time() - start, 1)})
        emit({**info, "measure": "speed_ratio", "course_over_tutorial": round(speed["course_loop"] / speed["tutorial_loop"], 2)})
        # quality after a fixed budget: course recipe vs the tutorial-style recipe
        if args.quality_steps:
            if floor is None:
                floor = metric_floor(n=args.eval_n, seed=0)
                emit({**base, "measure": "floor_train_vs_test", "n": args.eval_n, **floor})
            quality = {}
            for recipe, config in (("course", ours), ("tutorial_baseline", ours.tutorial_baseline())):
                config = replace(config, name=f"quality_{framework}_{recipe}", steps=args.quality_steps)
                start = time.time()
                result = _train(fw, config, info)
                seconds = time.time() - start
                labels = np.arange(args.eval_n) % 10
                images = fw.product_gan.sample_images(result["ema_generator"], labels, seed=1)
                row = evaluate_images(images, labels if config.conditional else None, seed=0)
                from course_lib.data import FASHION_MNIST_CLASSES
                from course_lib.viz.product import catalogue_sheet

                sheet = np.repeat(np.arange(10), 8)
                catalogue_sheet(fw.product_gan.sample_images(result["ema_generator"], sheet, seed=2), sheet,
                                FASHION_MNIST_CLASSES, RESULTS.parent / f"catalogue_{framework}_{recipe}.png",
                                title=f"{recipe} recipe, {framework}, {args.quality_steps} steps")
                quality[recipe] = row
                emit({**info, "measure": "quality", "recipe": recipe, "steps": args.quality_steps,
                      "train_seconds": round(seconds, 1), "images_per_second": round(result["images_per_second"], 1),
                      "features": "course classifier, not Inception", **row})
            emit({**info, "measure": "quality_ratio", "steps": args.quality_steps,
                  "fid_course_over_baseline": round(quality["course"]["fid_course"]
                                                    / quality["tutorial_baseline"]["fid_course"], 3)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
