"""`python -m course_lib product train|sample|evaluate`: the notebook's project from the command line.

  train     train (or resume) a run; writes runs/<name>/config.json, checkpoints/, samples.png, metrics.json
  sample    a catalogue sheet (every class x --per-class samples) from a run's newest checkpoint
  evaluate  course-classifier metrics of a run against real images and the floor -> runs/<name>/metrics.json

Examples:
  python -m course_lib product train --framework torch --name demo --steps 2000
  python -m course_lib product train --config runs/demo/config.json --steps 4000     # resume, train longer
  python -m course_lib product sample --run runs/demo --truncation 1.0
  python -m course_lib product evaluate --run runs/demo --n 2000
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import fields, replace
from pathlib import Path

from course_lib.config import ProductGANConfig
from course_lib.frameworks import FRAMEWORKS, checkpoint_extension, load
from course_lib.product import runs

__all__ = ["load_run", "main", "parse_settings"]


def _parse_value(field, text):
    if field.type in ("bool", bool):
        return text.lower() in ("1", "true", "yes", "on")
    if field.type in ("int", int):
        return int(text)
    if field.type in ("float", float):
        return float(text)
    if "int | None" in str(field.type):
        return None if text.lower() in ("none", "") else int(text)
    return text


def parse_settings(items, option: str = "--set") -> dict:
    """["key=value", ...] -> {field: typed value} for ProductGANConfig; SystemExit naming an unknown key."""
    by_name = {f.name: f for f in fields(ProductGANConfig)}
    changes = {}
    for item in items:
        key, _, value = item.partition("=")
        if key not in by_name:
            raise SystemExit(f"{option} {item}: unknown key {key!r}; known keys: {sorted(by_name)}")
        changes[key] = _parse_value(by_name[key], value)
    return changes


def _config_from_args(args) -> ProductGANConfig:
    config = runs.load_config(args.config) if args.config else ProductGANConfig()
    changes = parse_settings(args.set or [])
    for key in ("name", "steps", "width", "batch_size", "limit", "runs_dir", "seed"):
        value = getattr(args, key, None)
        if value is not None:
            changes[key] = value
    if getattr(args, "tutorial", False):
        config = config.tutorial_baseline()
    return replace(config, **changes)


def load_run(run_dir, framework: str):
    """(config, generator) of a run: the EMA generator from its newest checkpoint of `framework`."""
    run_dir = Path(run_dir)
    if not (run_dir / "config.json").exists():
        raise SystemExit(f"{run_dir} has no config.json: is it a run folder made by `product train`?")
    config = runs.load_config(run_dir / "config.json")
    ext = checkpoint_extension(framework)
    checkpoint = runs.latest_checkpoint(run_dir, ext)
    if checkpoint is None:
        raise SystemExit(f"{run_dir} has no {framework} checkpoint (*.{ext}); train it with --framework {framework}.")
    fw = load(framework)
    generator, discriminator = fw.product_train.build_models(config)
    ema = fw.product_gan.EMA(generator, config.ema_decay) if config.ema_decay > 0 else None
    fw.product_train.load_checkpoint(checkpoint, generator, discriminator, ema)
    return config, (ema.model if ema is not None else generator)


def _evaluate(run_dir, framework, n, seed) -> dict:
    import numpy as np

    from course_lib.metrics import evaluate_images, metric_floor

    config, generator = load_run(run_dir, framework)
    fw = load(framework)
    labels = np.arange(n) % 10
    start = time.time()
    images = fw.product_gan.sample_images(generator, labels, seed=seed)
    row = evaluate_images(images, labels if config.conditional else None, seed=seed)
    result = {"run": str(run_dir), "framework": framework, "n": n, "seed": seed,
              "features": "course classifier (course_lib/metrics/assets/eval_classifier.npz), not Inception",
              "model": row, "floor_train_vs_test": metric_floor(n=n, seed=seed),
              "seconds": round(time.time() - start, 1)}
    runs.atomic_write_json(Path(run_dir) / "metrics.json", result)
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_lib product", description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="train or resume a run")
    train.add_argument("--framework", default="torch", choices=FRAMEWORKS)
    train.add_argument("--config", help="a config.json to start from (e.g. a run's own, to resume it)")
    train.add_argument("--name"), train.add_argument("--steps", type=int), train.add_argument("--width", type=int)
    train.add_argument("--batch-size", type=int), train.add_argument("--limit", type=int)
    train.add_argument("--runs-dir"), train.add_argument("--seed", type=int)
    train.add_argument("--tutorial", action="store_true", help="the tutorial-style baseline recipe")
    train.add_argument("--set", action="append", metavar="KEY=VALUE", help="any ProductGANConfig field")
    train.add_argument("--fresh", action="store_true", help="ignore existing checkpoints")
    train.add_argument("--eval-n", type=int, default=1000, help="images for metrics.json (0: skip)")
    train.add_argument("--no-progress", action="store_true")
    sample = sub.add_parser("sample", help="catalogue sheet from a run")
    sample.add_argument("--run", required=True), sample.add_argument("--framework", default="torch", choices=FRAMEWORKS)
    sample.add_argument("--per-class", type=int, default=8), sample.add_argument("--seed", type=int, default=0)
    sample.add_argument("--truncation", type=float), sample.add_argument("--out")
    evaluate = sub.add_parser("evaluate", help="course-classifier metrics of a run")
    evaluate.add_argument("--run", required=True)
    evaluate.add_argument("--framework", default="torch", choices=FRAMEWORKS)
    evaluate.add_argument("--n", type=int, default=2000), evaluate.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    if args.command == "train":
        config = _config_from_args(args)
        fw = load(args.framework)
        result = fw.product_train.train_product_gan(config, resume=not args.fresh, progress=not args.no_progress)
        print(json.dumps({"run_dir": str(result["run_dir"]), "step": result["step"],
                          "images_per_second": round(result["images_per_second"], 1)}))
        if args.eval_n:
            print(json.dumps(_evaluate(result["run_dir"], args.framework, args.eval_n, config.seed)["model"]))
        return 0
    if args.command == "sample":
        import numpy as np

        from course_lib.data import FASHION_MNIST_CLASSES
        from course_lib.viz.product import catalogue_sheet

        config, generator = load_run(args.run, args.framework)
        fw = load(args.framework)
        labels = np.repeat(np.arange(10), args.per_class)
        images = fw.product_gan.sample_images(generator, labels, seed=args.seed, truncation=args.truncation)
        out = Path(args.out) if args.out else Path(args.run) / "catalogue.png"
        catalogue_sheet(images, labels, FASHION_MNIST_CLASSES, out)
        print(json.dumps({"catalogue": str(out), "images": int(len(images))}))
        return 0
    result = _evaluate(args.run, args.framework, args.n, args.seed)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
