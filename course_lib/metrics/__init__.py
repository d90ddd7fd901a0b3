"""course_lib.metrics: framework-free (numpy) metrics. FID / KID here use the course's own Fashion-MNIST
classifier as feature extractor ("measured with the course classifier"), never Inception-v3."""

from course_lib.metrics.classifier import EvalClassifier, load_classifier
from course_lib.metrics.controllable import (
                                             colour_accuracy,
                                             colour_accuracy_table,
                                             intra_class_diversity,
                                             luminance_class_consistency,
                                             per_class_precision_recall,
)
from course_lib.metrics.evaluation import (
                                             class_consistency,
                                             evaluate_images,
                                             metric_floor,
                                             nearest_training_neighbours,
                                             real_features,
)
from course_lib.metrics.frechet import feature_statistics, frechet_distance, frechet_distance_from_statistics
from course_lib.metrics.kid import kernel_distance, mmd2_unbiased, polynomial_kernel
from course_lib.metrics.mode_coverage import ModeCoverage, assign_modes, mode_coverage
from course_lib.metrics.precision_recall import knn_radii, precision_recall
from course_lib.metrics.quality import psnr, ssim
from course_lib.metrics.restoration import evaluate_restoration
from course_lib.metrics.stats import standard_error

__all__ = ["EvalClassifier", "ModeCoverage", "assign_modes", "class_consistency", "evaluate_images",
           "evaluate_restoration", "psnr", "ssim", "colour_accuracy", "colour_accuracy_table",
           "intra_class_diversity", "luminance_class_consistency", "per_class_precision_recall",
           "feature_statistics", "frechet_distance", "frechet_distance_from_statistics", "kernel_distance",
           "knn_radii", "load_classifier", "metric_floor", "mmd2_unbiased", "mode_coverage",
           "nearest_training_neighbours", "polynomial_kernel", "precision_recall", "real_features",
           "standard_error"]
