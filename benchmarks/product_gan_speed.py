"""Speed and quality of the product GAN on a GPU, in each twin; prints one JSON object per measurement.

(a) tutorial-style loop: host-side batches from a framework data loader, fp32, no compilation, separate D passes,
    default Adam;
(b) the course's loop: data held on the GPU, bf16 (fp16 + loss scaling where bf16 is missing), torch.compile /
    tf.function(jit_compile=True), real and fake in one D pass, fused Adam, and in torch each step replayed as
    one captured CUDA graph; --speed-variants also times it with one lever off, to show what each is worth.
All train the same model (class-conditional G, projection D with spectral norm, EMA) for --speed-steps steps;
images/s excludes the first 10 steps (compilation, graph capture); ratios over (a) are measured in the same run.
Quality after a fixed budget (--quality-steps, default the notebook's full mode, same batch size): the course
recipe against the tutorial-style recipe (unconditional, BCE, no spectral norm, no EMA) and the VAE of notebook 03,
with FID / KID / precision / recall / class consistency measured with the course classifier (not Inception), and
the floor (real train vs real test). --variant adds course recipes with changed fields, for comparison.
--check-graph first trains a few fp32 steps with and without the CUDA graph and reports how far they differ.
Without a GPU it prints {"skipped": true, ...} and exits 0.

    python benchmarks/product_gan_speed.py [--frameworks torch,tf] [--speed-steps 600] [--quality-steps 6000]
        [--variant "ttur:lr_g=1e-4,lr_d=4e-4"] [--check-graph] [--results FILE.jsonl] [--figures DIR]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
RESULTS = HERE / "results" / "product_gan_speed.jsonl"
SPEED_VARIANTS = {  # the course loop with one lever turned off
    "course_loop_no_cuda_graph": {"cuda_graph": "no"},
    "course_loop_no_compile": {"compile": "no"},
    "course_loop_fp32": {"mixed_precision": "off"},
}


def emit(record: dict) -> None:
    """Print one JSON line and append it to RESULTS (append: a timeout keeps what was measured)."""
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
    import warnings

    if fw.__name__.endswith("torch"):  # forget compiled code of earlier runs: each new model recompiles, and
        import torch  # after 8 recompilations torch.compile silently falls back to eager

        torch._dynamo.reset()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RuntimeWarning)
            result = fw.product_train.train_product_gan(config, resume=False, progress=False)
        for warning in caught:  # a failed CUDA graph capture, for instance
            if "CUDA graph" in str(warning.message):
                emit({**info, "measure": "warning", "run": config.name, "warning": str(warning.message)[:500]})
        return result
    except Exception as error:  # noqa: BLE001  (a benchmark reports, then carries on)
        if config.compile == "no":
            raise
        emit({**info, "measure": "error", "run": config.name, "error": f"{type(error).__name__}: {error}"[:500],
              "retry": "compile=no"})
        return fw.product_train.train_product_gan(replace(config, compile="no"), resume=False, progress=False)


def parse_variant(text: str):
    """ "name:key=value,key=value" -> (name, {field: value}) with values typed like the CLI's --set."""
    from course_lib.product.cli import parse_settings

    name, _, assignments = text.partition(":")
    changes = parse_settings(filter(None, assignments.split(",")), option="--variant")
    if not name or not changes:
        raise SystemExit(f'--variant {text!r}: expected "name:key=value[,key=value]"')
    return name, changes


def check_graph(fw, base, info, steps=30):
    """fp32, uncompiled: the same steps with and without the CUDA graph; largest differences of losses and G."""
    import numpy as np

    config = replace(base, name="check_graph", steps=steps, log_every=1, mixed_precision="off", compile="no")
    runs = {graph: _train(fw, replace(config, cuda_graph=graph), info) for graph in ("no", "yes")}
    eager, graphed = runs["no"], runs["yes"]
    gaps = np.max([np.abs(np.subtract(eager["history"][k], graphed["history"][k])) for k in ("d_loss", "g_loss")], 0)
    weight_gap = max(float((a.detach() - b.detach()).abs().max()) for a, b in zip(eager["generator"].parameters(),
                                                                                 graphed["generator"].parameters()))
    diverged = [step for step, gap in zip(eager["history"]["step"], gaps) if gap > 1e-4]
    emit({**info, "measure": "cuda_graph_check", "steps": steps, "graph_used": graphed.get("cuda_graph"),
          "warmup_steps_before_capture": fw.speed._CUDAGraphStep.WARMUP,
          "loss_gap_per_step": [float(f"{gap:.3g}") for gap in gaps],
          "first_step_differing_by_more_than_1e-4": diverged[0] if diverged else None,
          "max_abs_generator_weight_difference": weight_gap})


def vae_row(fw, framework, n, info, epochs=10):
    """Notebook 03's MLP VAE (its full mode: 10 epochs), sampled from the prior, on the same metrics."""
    from course_lib.config import VAEConfig
    from course_lib.metrics import evaluate_images

    start = time.time()
    vae, _ = fw.vae_train.train_vae(VAEConfig(architecture="mlp", epochs=epochs, seed=0), progress=False)
    seconds = time.time() - start
    row = evaluate_images(fw.vae_models.sample_images(vae, n, seed=1), None, seed=0)
    emit({**info, "measure": "quality", "recipe": f"vae_notebook03_mlp_{epochs}epochs",
          "train_seconds": round(seconds, 1), "features": "course classifier, not Inception", **row})
    return row


def main(argv=None) -> int:
    global RESULTS
    from course_lib.frameworks import FRAMEWORKS, get, validate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frameworks", default=",".join(FRAMEWORKS), help=f"comma list from {FRAMEWORKS}")
    parser.add_argument("--speed-steps", type=int, default=600)
    parser.add_argument("--repeats", type=int, default=1, help="time each loop this many times; ratios of medians")
    parser.add_argument("--speed-variants", default=",".join(SPEED_VARIANTS),
                        help=f"comma list from {sorted(SPEED_VARIANTS)}, or empty")
    parser.add_argument("--quality-steps", type=int, default=6000, help="0: skip (6000 is the notebook's full mode)")
    parser.add_argument("--variant", action="append", default=[], metavar="NAME:KEY=VALUE[,KEY=VALUE]",
                        help="also train the course recipe with these fields changed")
    parser.add_argument("--vae-epochs", type=int, default=10, help="0: no VAE row")
    parser.add_argument("--check-graph", action="store_true")
    parser.add_argument("--eval-n", type=int, default=5000)
    parser.add_argument("--runs-dir", default=str(HERE / "results" / "runs"))
    parser.add_argument("--results", default=str(RESULTS), help="the JSON-lines file to append to")
    parser.add_argument("--figures", default=str(RESULTS.parent), help="where the catalogue sheets go")
    parser.add_argument("--seed", type=int, default=0, help="seed of the quality runs")
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--limit", type=int, default=None, help="train on the first N images (smoke tests)")
    parser.add_argument("--force", action="store_true", help="run without a GPU too (a CPU smoke test)")
    args = parser.parse_args(argv)
    RESULTS = Path(args.results)
    variants = [parse_variant(text) for text in args.variant]
    speed_variants = [v for v in args.speed_variants.split(",") if v]
    unknown = sorted(set(speed_variants) - set(SPEED_VARIANTS))
    if unknown:
        raise SystemExit(f"--speed-variants: unknown {unknown}; known: {sorted(SPEED_VARIANTS)}")

    import numpy as np

    import course_lib
    from course_lib.config import ProductGANConfig
    from course_lib.data import FASHION_MNIST_CLASSES
    from course_lib.metrics import evaluate_images, metric_floor
    from course_lib.viz.product import catalogue_sheet

    frameworks = [validate(f) for f in args.frameworks.split(",") if f]
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
        version = __import__(get(framework).module).__version__
        info = {**base, "framework": framework, "framework_version": version, "device": names[framework]}
        if args.check_graph and framework == "torch" and "cpu" not in names[framework]:
            check_graph(fw, ours, info)
        # speed: the same model, the tutorial-style loop, the course loop, and the course loop with a lever off
        loops = {"tutorial_loop": dict(tutorial_loop=True, data_on_device="no", mixed_precision="off",
                                       compile="no", cuda_graph="no"),
                 "course_loop": {}}
        loops.update({name: SPEED_VARIANTS[name] for name in speed_variants
                      if framework == "torch" or "cuda_graph" not in SPEED_VARIANTS[name]})
        timings = {loop: [] for loop in loops}
        for repeat in range(args.repeats):  # interleaved, so a slow spell of the machine hits every loop alike
            for loop, changes in loops.items():
                config = replace(ours, name=f"speed_{framework}_{loop}", steps=args.speed_steps, **changes)
                start = time.time()
                result = _train(fw, config, info)
                timings[loop].append(result["images_per_second"])
                emit({**info, "measure": "speed", "loop": loop, "repeat": repeat, "steps": args.speed_steps,
                      "batch_size": args.batch_size, "images_per_second": round(timings[loop][-1], 1),
                      "wall_seconds": round(time.time() - start, 1), "cuda_graph": result.get("cuda_graph"),
                      "changes": changes})
        speed = {loop: float(np.median(values)) for loop, values in timings.items()}
        emit({**info, "measure": "speed_median", "repeats": args.repeats,
              **{f"{loop}_images_per_second": round(value, 1) for loop, value in speed.items()}})
        emit({**info, "measure": "speed_ratio", "steps": args.speed_steps, "repeats": args.repeats,
              **{f"{loop}_over_tutorial": round(value / speed["tutorial_loop"], 2)
                 for loop, value in speed.items() if loop != "tutorial_loop"}})
        # quality after a fixed budget: course recipe vs the tutorial-style recipe, the VAE, and the floor
        if not args.quality_steps:
            continue
        if floor is None:
            floor = metric_floor(n=args.eval_n, seed=0)
            emit({**base, "measure": "floor_train_vs_test", "n": args.eval_n, **floor})
        quality = {}
        recipes = [("course", ours), ("tutorial_baseline", ours.tutorial_baseline())]
        recipes += [(f"course_{name}", replace(ours, **changes)) for name, changes in variants]
        for recipe, config in recipes:
            config = replace(config, name=f"quality_{framework}_{recipe}", steps=args.quality_steps, seed=args.seed)
            start = time.time()
            result = _train(fw, config, info)
            seconds = time.time() - start
            labels = np.arange(args.eval_n) % 10
            images = fw.product_gan.sample_images(result["ema_generator"], labels, seed=1)
            row = evaluate_images(images, labels if config.conditional else None, seed=0)
            sheet = np.repeat(np.arange(10), 8)
            sheet_path = Path(args.figures) / f"catalogue_{framework}_{recipe}_seed{args.seed}.png"
            catalogue_sheet(fw.product_gan.sample_images(result["ema_generator"], sheet, seed=2), sheet,
                            FASHION_MNIST_CLASSES, sheet_path,
                            title=f"{recipe} recipe, {framework}, {args.quality_steps} steps")
            quality[recipe] = row
            emit({**info, "measure": "quality", "recipe": recipe, "steps": args.quality_steps, "seed": args.seed,
                  "train_seconds": round(seconds, 1), "images_per_second": round(result["images_per_second"], 1),
                  "cuda_graph": result.get("cuda_graph"), "features": "course classifier, not Inception", **row})
        emit({**info, "measure": "quality_ratio", "steps": args.quality_steps, "seed": args.seed,
              **{f"fid_{recipe}_over_baseline": round(row["fid_course"] / quality["tutorial_baseline"]["fid_course"], 3)
                 for recipe, row in quality.items() if recipe != "tutorial_baseline"}})
        if args.vae_epochs:
            vae_row(fw, framework, args.eval_n, info, args.vae_epochs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
