"""The course's evaluation classifier for Fashion-MNIST: a small CNN whose forward pass runs in numpy.

Its 128-d penultimate activations are the features behind every FID / KID / precision-recall number of the
course. Those numbers are "measured with the course classifier": they are comparable with each other, not
with the Inception-network FID of papers (Heusel et al. 2017, arXiv 1706.08500, use Inception-v3 features).
The weights (package data: course_lib/metrics/assets/eval_classifier.npz) come from
scripts/train_eval_classifier.py; their SHA-256 is checked on load. Used in: notebooks/04_product_image_project.ipynb
"""

from __future__ import annotations

import hashlib
import importlib.resources
import io
import os
from pathlib import Path

import numpy as np

from course_lib import validation as check

__all__ = ["CLASSIFIER_SHA256", "EvalClassifier", "classifier_path", "load_classifier"]

CLASSIFIER_FILE = "eval_classifier.npz"
CLASSIFIER_SHA256 = "0ecb19177872f63a25d3a9073d17b419448d4af2ea3408c925b38045069b2c88"

def _to_nchw(images) -> np.ndarray:
    """uint8 [N, 28, 28] or float in [-1, 1] ([N, 28, 28], [N, 1, 28, 28] or [N, 28, 28, 1]) -> float32 NCHW."""
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[1] == 1:
        images = images[:, 0]
    elif images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        check.fail("images", "shape [N, 28, 28], [N, 1, 28, 28] or [N, 28, 28, 1] (uint8, or float in [-1, 1])",
                   f"shape {images.shape}")
    if images.dtype == np.uint8:
        x = images.astype(np.float32) / 127.5 - 1.0
    elif np.issubdtype(images.dtype, np.floating):
        # [0, 1] floats would read as the top half of [-1, 1] (FID 286 instead of 5.6): warn; out of range: raise
        check.check_image_scale(images, "images", "[-1, 1]")
        x = images.astype(np.float32)
    else:
        check.fail("images", "uint8 in [0, 255] or float in [-1, 1]", f"dtype {images.dtype}",
                   "Convert with course_lib.data.images.unit_range_to_uint8 or x / 127.5 - 1.")
    return x[:, None]  # (N, 1, 28, 28)

def _conv3x3_relu_pool(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """conv 3x3 (padding 1) -> ReLU -> 2x2 max-pool (floor), NCHW, as one matrix product per batch."""
    n, c, h, width = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (3, 3), axis=(2, 3))  # (N, C, H, W, 3, 3)
    columns = windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * h * width, c * 9)
    y = columns @ w.reshape(w.shape[0], -1).T + b  # (N*H*W, O)
    y = np.maximum(y, 0.0).reshape(n, h, width, -1).transpose(0, 3, 1, 2)
    h2, w2 = h // 2, width // 2
    return y[:, :, :2 * h2, :2 * w2].reshape(n, y.shape[1], h2, 2, w2, 2).max(axis=(3, 5))

class EvalClassifier:
    """numpy forward pass of the evaluation CNN: `logits(images)` [N, 10] and `features(images)` [N, 128]."""

    feature_dim = 128

    def __init__(self, weights: dict, batch_size: int = 500):
        check.check_positive_int(batch_size, "batch_size")
        self.w = {k: np.asarray(v, dtype=np.float32) for k, v in weights.items()}
        self.batch_size = batch_size

    def _forward(self, images) -> tuple[np.ndarray, np.ndarray]:
        x = _to_nchw(images)
        feats, logits = [], []
        for start in range(0, len(x), self.batch_size):
            h = x[start:start + self.batch_size]
            for k in (1, 2, 3):
                h = _conv3x3_relu_pool(h, self.w[f"conv{k}_w"], self.w[f"conv{k}_b"])  # 28->14->7->3
            h = h.reshape(len(h), -1)  # (B, 576), flattened in NCHW order as in the torch training script
            f = np.maximum(h @ self.w["dense1_w"].T + self.w["dense1_b"], 0.0)
            feats.append(f)
            logits.append(f @ self.w["dense2_w"].T + self.w["dense2_b"])
        if not feats:
            return np.zeros((0, self.feature_dim), np.float32), np.zeros((0, 10), np.float32)
        return np.concatenate(feats), np.concatenate(logits)

    def features(self, images) -> np.ndarray:
        """Penultimate activations, float32 [N, 128], for uint8 [N, 28, 28] images (or float in [-1, 1])."""
        return self._forward(images)[0]

    def logits(self, images) -> np.ndarray:
        """Class logits, float32 [N, 10] (classes in FASHION_MNIST_CLASSES order)."""
        return self._forward(images)[1]

    def predict(self, images) -> np.ndarray:
        """Predicted class indices, int64 [N]."""
        return self.logits(images).argmax(axis=1)

    def features_and_logits(self, images) -> tuple[np.ndarray, np.ndarray]:
        """Both in one pass: (features [N, 128], logits [N, 10])."""
        return self._forward(images)

def _packaged_weights():
    """The weights shipped inside the package (course_lib/metrics/assets/): any install has them, no download."""
    resource = importlib.resources.files("course_lib.metrics") / "assets" / CLASSIFIER_FILE
    if not resource.is_file():
        raise FileNotFoundError(
            f"The course classifier's weights are missing from the installed course_lib ({resource}). "
            "Reinstall course_lib, or in the repository run `git checkout course_lib/metrics/assets`.")
    return resource

def classifier_path() -> Path:
    """Where the packaged weights are on disk (course_lib/metrics/assets/eval_classifier.npz)."""
    return Path(str(_packaged_weights()))

_LOADED: dict[str, EvalClassifier] = {}

def load_classifier(path: str | os.PathLike | None = None, verify: bool = True) -> EvalClassifier:
    """Load the evaluation classifier (cached in memory), checking the file's SHA-256.

    Args:
        path: optional path to an .npz; by default the weights shipped with the package.
        verify: compare the SHA-256 with CLASSIFIER_SHA256 (turn off only for a classifier you retrained).
    Returns:
        An `EvalClassifier` with `logits(images)` and `features(images)`.
    Used in: notebooks/04_product_image_project.ipynb
    """
    target = Path(path).resolve() if path else _packaged_weights()
    key = str(target)
    if key not in _LOADED:
        data = target.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if verify and digest != CLASSIFIER_SHA256:
            raise ValueError(
                f"{target} has SHA-256 {digest}, expected {CLASSIFIER_SHA256}: the file is damaged or from "
                "another training run. Reinstall course_lib (in the repository: `git checkout "
                "course_lib/metrics/assets`), or pass verify=False for a classifier you trained yourself.")
        with np.load(io.BytesIO(data)) as archive:
            _LOADED[key] = EvalClassifier({k: archive[k] for k in archive.files})
    return _LOADED[key]
