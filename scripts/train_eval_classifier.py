"""Train the course's evaluation classifier for Fashion-MNIST and write its weights for course_lib.metrics.

Deterministic: one CPU thread, fixed seeds, deterministic algorithms, a fixed data order. It writes
course_lib/metrics/assets/eval_classifier.npz (float32, BatchNorm folded into the convolutions, a few hundred
kB) and course_lib/metrics/assets/eval_classifier.json (architecture, test accuracy, SHA-256 of the .npz, the command).
The numpy forward pass in course_lib/metrics/classifier.py reads that file, so metrics never depend on the
framework that made the images.

    .venv/bin/python scripts/train_eval_classifier.py            # about 5-10 minutes on one CPU core

Architecture (NCHW): 3 x [conv 3x3 pad 1 -> BatchNorm -> ReLU -> max-pool 2] with 32, 64, 64 channels
(28 -> 14 -> 7 -> 3), flatten 576 -> dense 128 -> ReLU (the "features") -> dense 10 (the logits).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def build_model(torch):
    nn = torch.nn

    def block(c_in, c_out):
        return [nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU(), nn.MaxPool2d(2)]

    return nn.Sequential(*block(1, 32), *block(32, 64), *block(64, 64), nn.Flatten(),
                         nn.Linear(576, 128), nn.ReLU(), nn.Dropout(0.3), nn.Linear(128, 10))


def folded_weights(model) -> dict[str, np.ndarray]:
    """Fold each eval-mode BatchNorm into the convolution before it: w' = w * g / s, b' = (b - m) * g / s + beta."""
    layers = list(model)
    out = {}
    for k, index in enumerate((0, 4, 8), start=1):
        conv, bn = layers[index], layers[index + 1]
        scale = (bn.weight / (bn.running_var + bn.eps).sqrt()).detach().double()
        w = conv.weight.detach().double() * scale[:, None, None, None]
        b = (conv.bias.detach().double() - bn.running_mean.double()) * scale + bn.bias.detach().double()
        out[f"conv{k}_w"], out[f"conv{k}_b"] = w.float().numpy(), b.float().numpy()
    out["dense1_w"], out["dense1_b"] = layers[13].weight.detach().numpy(), layers[13].bias.detach().numpy()
    out["dense2_w"], out["dense2_b"] = layers[16].weight.detach().numpy(), layers[16].bias.detach().numpy()
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in out.items()}


def atomic_write_bytes(path: Path, data: bytes) -> None:
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(handle, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(REPO / "course_lib" / "metrics" / "assets" / "eval_classifier.npz"))
    args = parser.parse_args(argv)

    import torch

    from course_lib.data import load_fashion_mnist

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    x_train, y_train = load_fashion_mnist("train")
    x_test, y_test = load_fashion_mnist("test")
    to_x = lambda a: torch.from_numpy(a.astype(np.float32) / 127.5 - 1.0).unsqueeze(1)  # (N, 1, 28, 28)
    xt, yt = to_x(x_train), torch.from_numpy(y_train)

    model = build_model(torch)
    steps_per_epoch = len(xt) // args.batch_size
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=2e-3, total_steps=args.epochs * steps_per_epoch)
    start = time.time()
    for epoch in range(args.epochs):
        model.train()
        order = torch.from_numpy(rng.permutation(len(xt)))
        flips = torch.from_numpy(rng.random(len(xt)) < 0.5)
        for step in range(steps_per_epoch):
            index = order[step * args.batch_size:(step + 1) * args.batch_size]
            xb, yb = xt.index_select(0, index), yt.index_select(0, index)
            flip = flips.index_select(0, index)
            xb = torch.where(flip[:, None, None, None], xb.flip(3), xb)  # left-right flips: products stay products
            loss = torch.nn.functional.cross_entropy(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
        model.eval()
        with torch.no_grad():
            pred = torch.cat([model(to_x(x_test[i:i + 1000])).argmax(1) for i in range(0, len(x_test), 1000)])
        accuracy = float((pred.numpy() == y_test).mean())
        print(f"epoch {epoch + 1}/{args.epochs}: loss {loss.item():.4f} test accuracy {accuracy:.4f} "
              f"({time.time() - start:.0f} s)", flush=True)

    weights = folded_weights(model)
    buffer = io.BytesIO()
    np.savez(buffer, **weights)
    data = buffer.getvalue()
    out = Path(args.out)
    atomic_write_bytes(out, data)

    # check the numpy forward pass against torch before recording anything
    from course_lib.metrics.classifier import EvalClassifier

    numpy_model = EvalClassifier(weights)
    numpy_accuracy = float((numpy_model.logits(x_test).argmax(1) == y_test).mean())
    info = {
        "file": out.name,
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
        "test_accuracy": round(numpy_accuracy, 4),
        "test_accuracy_torch": round(accuracy, 4),
        "architecture": "3 x [conv3x3 pad1 + BN (folded) + ReLU + maxpool2], channels 32-64-64; "
                        "dense 576->128 + ReLU (features); dense 128->10 (logits); input NCHW in [-1, 1]",
        "training": {"epochs": args.epochs, "batch_size": args.batch_size, "seed": args.seed,
                     "optimizer": "Adam, one-cycle lr max 2e-3", "augmentation": "left-right flips",
                     "torch": torch.__version__, "threads": 1, "seconds": round(time.time() - start)},
        "command": "python scripts/train_eval_classifier.py",
    }
    atomic_write_bytes(out.with_suffix(".json"), (json.dumps(info, indent=1) + "\n").encode())
    print(json.dumps(info, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
