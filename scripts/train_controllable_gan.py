"""Train one controllable GAN (notebook 06's full mode) in PyTorch, on the GPU when there is one, else the CPU,
and save its EMA generator's weights in the framework-neutral .npz layout that both twins load.

    python scripts/train_controllable_gan.py --head projection --steps 3000 --out runs/controllable/projection.npz

The weights are rewritten (atomically) at every logged step, so a run stopped early still leaves its latest
weights; --snapshot-every K also keeps a copy every K steps (OUT with "_stepK" before the suffix), so one long
run can be measured at several budgets.

Prints one JSON line: head, steps, seconds, threads, config. `benchmarks/controllable_generation.py` runs this
for both heads and measures the results.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


class _OutOfTime(Exception):
    """Raised from the logging hook once --max-seconds have passed: the weights of that step are already saved."""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--head", choices=("projection", "acgan"), required=True)
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--width", type=int, default=16)
    parser.add_argument("--latent-dim", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--limit", type=int, default=None, help="first N training images (default: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--log-every", type=int, default=50)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--snapshot-every", type=int, default=0, help="also keep the weights every K steps")
    parser.add_argument("--max-seconds", type=float, default=float("inf"),
                        help="stop at the first logged step past this many seconds of training")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)

    import numpy as np
    import torch

    from course_lib.atomic import write_bytes_atomic
    from course_lib.controllable.config import ControllableGANConfig
    from course_lib.data.colour import coloured_fashion_mnist
    from course_lib.torch.controllable import generator_weights
    from course_lib.torch.controllable_train import train_controllable_gan

    torch.set_num_threads(args.threads)
    images, classes, colours = coloured_fashion_mnist("train", args.limit, seed=args.seed)
    config = ControllableGANConfig(head=args.head, steps=args.steps, width=args.width, latent_dim=args.latent_dim,
                                   batch_size=args.batch_size, seed=args.seed, log_every=args.log_every)

    out, started, reached = Path(args.out), time.perf_counter(), {"step": 0}

    def save(step, ema_generator):  # every logged step: a long run stopped early still leaves its weights
        buffer = io.BytesIO()
        np.savez(buffer, step=np.int64(step), **generator_weights(ema_generator))
        write_bytes_atomic(out, buffer.getvalue())
        if args.snapshot_every and step % args.snapshot_every == 0:
            write_bytes_atomic(out.with_name(f"{out.stem}_step{step}{out.suffix}"), buffer.getvalue())
        reached["step"] = step
        if time.perf_counter() - started > args.max_seconds:
            raise _OutOfTime


    try:
        result = train_controllable_gan(config, images, classes, colours, progress=True, on_log=save)
        seconds, steps, history_tail = result["seconds"], args.steps, result["history"][-3:]
    except _OutOfTime:
        seconds, steps, history_tail = time.perf_counter() - started, reached["step"], []
    summary = {"what": "controllable_gan_training", "head": args.head, "steps": steps,
               "steps_asked": args.steps, "seconds": round(seconds, 1), "threads": args.threads,
               "cpu_count": os.cpu_count(),
               "n_images": len(images), "config": asdict(config), "out": args.out,
               "device": torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu",
               "torch": torch.__version__, "history_tail": history_tail}
    print(json.dumps(summary), flush=True)
    return summary


if __name__ == "__main__":
    main()
