"""Make the shipped restoration weights and the notebook-05 table: full mode on this machine's CPU.

    python scripts/train_restoration_weights.py                 # train, evaluate, print the table as JSON
    python scripts/train_restoration_weights.py --save          # also write course_lib/data/restoration_unet.npz

Trains one U-Net with L1 for --pretrain-steps, then two copies for --finetune-steps more each: one with L1 only
(the L1 model) and one with L1 + adversarial loss (pix2pix-style conditional discriminator), so both final
models saw the same number of steps and the same start. Evaluates bicubic / L1 / adversarial on --n-eval test photos
degraded with a seed the training never saw. The JSON goes to benchmarks/results/restoration_table.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


import course_lib
from course_lib.atomic import write_text_atomic
from course_lib.data import load_fashion_mnist
from course_lib.data.degradations import DEFAULT_PIPELINE, bicubic_upscale, degrade
from course_lib.data.restoration_weights import (
    restoration_weights_path,
    save_restoration_weights,
)
from course_lib.metrics.restoration import evaluate_restoration

RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "restoration_table.json"
TRAIN_SEED, EVAL_SEED = 0, 1  # degradation seeds: the evaluation noise is never seen in training


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--framework", default="torch")
    parser.add_argument("--width", type=int, default=16)
    parser.add_argument("--n-train", type=int, default=20000)
    parser.add_argument("--n-eval", type=int, default=2000)
    parser.add_argument("--pretrain-steps", type=int, default=600)
    parser.add_argument("--finetune-steps", type=int, default=600)
    parser.add_argument("--adversarial-weight", type=float, default=0.02)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--learning-rate", type=float, default=5e-4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", action="store_true", help="write the shipped weights file")
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)

    fw = course_lib.load(args.framework)
    fw.utils.set_seed(args.seed)
    clean, _ = load_fashion_mnist("train")
    clean = clean[:args.n_train]
    inputs = bicubic_upscale(degrade(clean, DEFAULT_PIPELINE, seed=TRAIN_SEED))
    test_clean, test_labels = load_fashion_mnist("test")
    test_clean, test_labels = test_clean[:args.n_eval], test_labels[:args.n_eval]
    test_inputs = bicubic_upscale(degrade(test_clean, DEFAULT_PIPELINE, seed=EVAL_SEED))

    train = lambda model, steps, seed, weight=0.0: fw.restoration_train.train_restoration(
        model, inputs, clean, adversarial_weight=weight, steps=steps, batch_size=args.batch_size,
        learning_rate=args.learning_rate, seed=seed)
    l1_model = fw.unet.UNet(args.width)
    pretrain = train(l1_model, args.pretrain_steps, args.seed)
    adversarial_model = fw.unet.UNet(args.width)
    fw.unet.set_weights(adversarial_model, fw.unet.get_weights(l1_model))  # both continue from the same start
    l1 = train(l1_model, args.finetune_steps, args.seed + 1)
    adversarial = train(adversarial_model, args.finetune_steps, args.seed + 1, args.adversarial_weight)
    table = {
        "bicubic": evaluate_restoration(test_inputs, test_clean, test_labels),
        "l1": evaluate_restoration(fw.unet.restore_images(l1_model, test_inputs), test_clean, test_labels),
        "adversarial": evaluate_restoration(fw.unet.restore_images(adversarial_model, test_inputs), test_clean,
                                            test_labels),
    }
    settings = {k: v for k, v in vars(args).items() if k not in ("save", "out")}
    meta = {**settings, "pipeline": [list(step) for step in DEFAULT_PIPELINE], "train_seed": TRAIN_SEED,
            "eval_seed": EVAL_SEED, "pretrain_seconds": round(pretrain["seconds"], 1),
            "l1_seconds": round(l1["seconds"], 1), "adversarial_seconds": round(adversarial["seconds"], 1)}
    result = {"what": "restoration table (notebook 05 full mode)", "framework": args.framework, "device": "cpu",
              "process_cpu_seconds": round(time.process_time(), 1),
              "cpu_count": os.cpu_count(), "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
              "machine": platform.machine(), "python": platform.python_version(), "settings": meta,
              "table": table, "final_losses": {"l1": l1["history"]["l1"][-1],
                                               "adversarial_l1": adversarial["history"]["l1"][-1],
                                               "adversarial_d_loss": adversarial["history"]["d_loss"][-1]}}
    if args.save:
        result["sha256"] = save_restoration_weights(restoration_weights_path(), fw.unet.get_weights(l1_model),
                                                    fw.unet.get_weights(adversarial_model), meta)
    print(json.dumps(result, indent=1))
    write_text_atomic(args.out, json.dumps(result, indent=1) + "\n")
    return result


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"total {time.perf_counter() - started:.0f} s", file=sys.stderr)
