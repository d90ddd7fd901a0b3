"""One table row for a set of restored product photos: PSNR and SSIM against the clean originals, FID between
restored and clean images and the downstream classification accuracy, both measured with the course
classifier (course_lib.metrics.classifier), never Inception-v3.

Used in: notebooks/05_product_image_quality.ipynb
"""

from __future__ import annotations

import numpy as np

from course_lib.errors import InputError
from course_lib.metrics.classifier import load_classifier
from course_lib.metrics.evaluation import class_consistency
from course_lib.metrics.frechet import frechet_distance
from course_lib.metrics.quality import psnr, ssim

__all__ = ["evaluate_restoration"]


def evaluate_restoration(restored, clean, labels, clean_features=None) -> dict:
    """PSNR, SSIM, FID (course classifier) and accuracy of restored images next to their clean originals.

    Args:
        restored: uint8 [N, 28, 28] restored images; clean: uint8 [N, 28, 28] originals, the same order.
        labels: int [N], the true class of each photo.
        clean_features: optional course-classifier features of `clean` [N, 128], to skip recomputing them when
            several restorations of the same photos are measured.
    Returns:
        {"psnr": mean dB, "ssim": mean, "fid_course": Fréchet distance between the classifier features of the
         restored and the clean images (0 when identical), "accuracy": the classifier's accuracy on the restored
         images, "n": N}.
    Used in: notebooks/05_product_image_quality.ipynb
    """
    restored, clean, labels = np.asarray(restored), np.asarray(clean), np.asarray(labels)
    if restored.dtype != np.uint8 or clean.dtype != np.uint8 or labels.shape != (len(clean),):
        raise InputError(f"restored and clean must be uint8 [N, 28, 28] and labels int [N]; got {restored.dtype} "
                         f"{restored.shape}, {clean.dtype} {clean.shape} and labels {labels.shape}.")
    classifier = load_classifier()
    features, logits = classifier.features_and_logits(restored)
    if clean_features is None:
        clean_features = classifier.features(clean)
    elif np.shape(clean_features) != (len(clean), classifier.feature_dim):
        raise InputError(f"clean_features must be [N, {classifier.feature_dim}] for the N = {len(clean)} clean photos; "
                         f"got {np.shape(clean_features)}.")
    return {"psnr": float(np.mean(psnr(restored, clean))), "ssim": float(np.mean(ssim(restored, clean))),
            "fid_course": frechet_distance(features, clean_features),
            "accuracy": class_consistency(logits, labels), "n": len(clean)}
