"""Train the product generator that notebook 04's quick mode loads, and export it as one framework-neutral .npz.

Notebook 04's full-mode recipe (ProductGANConfig defaults: conditional G with conditional BatchNorm, projection
D with spectral normalisation, hinge loss, EMA 0.999; width 64, batch 128, all 60,000 training images), trained
with the torch twin on the GPU when there is one, else on the CPU, one thread. The run is resumable (a checkpoint
after every chunk of steps), so a budget cut short is continued by running the same command again;
`--export-only` writes the asset from the newest checkpoint (its step is stored in the file and shown by the
notebook).

    PYTHONPATH=. python scripts/train_shipped_product_gan.py --steps 6000 --chunk-steps 6000       # on a GPU
    nice -n 10 env OMP_NUM_THREADS=1 PYTHONPATH=. .venv/bin/python scripts/train_shipped_product_gan.py --steps 6000

Writes (atomically) course_lib/product/assets/product_generator.npz (the EMA generator's weights in torch's
layout, float32, plus metadata) and course_lib/product/assets/product_generator.json (SHA-256, step, width,
seconds of training, the command). course_lib.product.shipped loads it into either twin.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

ASSETS = REPO / "course_lib" / "product" / "assets"


def export(run_dir: Path, config, seconds_total: float, command: str) -> dict:
    """Write the newest checkpoint's EMA generator to ASSETS/product_generator.npz and its .json sidecar."""
    import torch

    from course_lib.atomic import write_bytes_atomic, write_text_atomic
    from course_lib.product import runs

    last = runs.latest_checkpoint(run_dir, "pt")
    if last is None:
        raise SystemExit(f"no checkpoint in {run_dir}: train first")
    state = torch.load(last, map_location="cpu", weights_only=False)
    arrays = {name: value.detach().cpu().numpy() for name, value in state["ema"].items()
              if value.dtype.is_floating_point}
    arrays = {name: value.astype(np.float32) for name, value in arrays.items()}
    config = runs.load_config(state["config"])  # what the checkpoint was trained with, whatever the flags say now
    meta = {"step": int(state["step"]), "width": config.width, "latent_dim": config.latent_dim,
            "conditional": config.conditional, "layout": "torch (dense (out, in), conv OIHW)"}
    buffer = io.BytesIO()
    np.savez_compressed(buffer, __meta__=np.array(json.dumps(meta)), **arrays)
    data = buffer.getvalue()
    write_bytes_atomic(ASSETS / "product_generator.npz", data)
    info = {**meta, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
            "train_seconds": round(seconds_total, 1), "command": command,
            "device": torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu",
            "config": {k: getattr(config, k) for k in ("loss", "spectral_norm", "ema_decay", "diffaugment",
                                                       "batch_size", "lr_g", "lr_d", "beta1", "beta2", "limit",
                                                       "seed")}}
    write_text_atomic(ASSETS / "product_generator.json", json.dumps(info, indent=1, sort_keys=True) + "\n")
    return info


def evaluate(n: int) -> dict:
    """Course-classifier metrics of the exported weights (torch twin, z and labels from seed 1), and the floor."""
    from course_lib import metrics
    from course_lib.product.shipped import load_shipped_generator
    from course_lib.torch.product_gan import sample_images

    generator = load_shipped_generator("torch", sha256="")  # the file just written; the code's SHA comes after
    labels = np.arange(n) % 10
    t0 = time.perf_counter()
    images = sample_images(generator, labels, seed=1)
    sampling_seconds = time.perf_counter() - t0
    row = metrics.evaluate_images(images, labels, seed=0)
    floor = metrics.metric_floor(n=n, seed=0)
    return {"n": n, "shipped": row, "floor": floor, "sampling_seconds": round(sampling_seconds, 2)}


def _evaluate_asset(n: int) -> dict:
    from course_lib.atomic import write_text_atomic

    info = json.loads((ASSETS / "product_generator.json").read_text())
    info["metrics"] = evaluate(n)
    write_text_atomic(ASSETS / "product_generator.json", json.dumps(info, indent=1, sort_keys=True) + "\n")
    print(json.dumps(info, indent=1))
    return info


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=6000)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--run-dir", default=str(REPO / "runs" / "shipped_product_gan"))
    parser.add_argument("--export-only", action="store_true")
    parser.add_argument("--evaluate", type=int, default=5000,
                        help="measure the exported generator on this many images per metric (0: skip)")
    parser.add_argument("--chunk-steps", type=int, default=250,
                        help="train this many steps per call (a checkpoint after each); on a GPU give --steps, "
                             "since each call captures its CUDA graph anew")
    parser.add_argument("--budget-seconds", type=float, default=float("inf"),
                        help="stop after the chunk that passes this many seconds of training (all runs together)")
    parser.add_argument("--evaluate-only", action="store_true",
                        help="measure the asset already written (say, on a GPU machine) and update its .json")
    args = parser.parse_args(argv)
    if args.evaluate_only:
        return _evaluate_asset(args.evaluate or 5000)

    import torch

    torch.set_num_threads(1)
    if args.chunk_steps < 1:
        parser.error(f"--chunk-steps must be a positive integer; got {args.chunk_steps}")
    from course_lib.config import ProductGANConfig
    from course_lib.torch import product_train

    config = ProductGANConfig(name="shipped_product_gan", width=args.width, batch_size=args.batch_size,
                              steps=args.steps, limit=None, seed=0, checkpoint_every=250, keep_checkpoints=2,
                              sample_every=1000, log_every=100)
    run_dir = Path(args.run_dir)
    timing = run_dir / "train_seconds.json"
    spent = json.loads(timing.read_text())["seconds"] if timing.exists() else 0.0
    command = "scripts/train_shipped_product_gan.py " + " ".join(sys.argv[1:] if argv is None else argv)
    if args.export_only and timing.exists():  # the asset records how it was trained, not how it was exported
        command = json.loads(timing.read_text()).get("command", command)
    if not args.export_only:
        from dataclasses import replace

        from course_lib.atomic import write_text_atomic
        from course_lib.data import load_fashion_mnist

        images, labels = load_fashion_mnist("train")
        step = 0
        while step < args.steps and spent < args.budget_seconds:
            # a chunk at a time (resuming is bit-identical on the CPU), so the time spent is never lost
            target = min(args.steps, step + args.chunk_steps)
            t0 = time.perf_counter()
            result = product_train.train_product_gan(replace(config, steps=target), images=images, labels=labels,
                                                     run_dir=run_dir, resume=True, progress=False)
            if result["step"] > step:
                spent += time.perf_counter() - t0
            step = result["step"]
            write_text_atomic(timing, json.dumps({"seconds": spent, "step": step, "command": command}))
            print(f"step {step}: {spent:.0f} s of training in all", flush=True)
    info = export(run_dir, config, spent, command)
    if args.evaluate:
        info["metrics"] = evaluate(args.evaluate)
        from course_lib.atomic import write_text_atomic

        write_text_atomic(ASSETS / "product_generator.json", json.dumps(info, indent=1, sort_keys=True) + "\n")
    print(json.dumps(info, indent=1))


if __name__ == "__main__":
    main()
