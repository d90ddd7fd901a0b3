"""Framework-free data: Fashion-MNIST (locate, verify, download), its coloured version (notebook 06), toy 2-D
Gaussian mixtures and seeded degradations of product photos (restoration inputs)."""

from course_lib.data import toy2d
from course_lib.data.colour import PALETTE, PALETTE_NAMES, coloured_fashion_mnist, luminance_ink, tint
from course_lib.data.degradations import (
    DEFAULT_PIPELINE,
    add_gaussian_noise,
    bicubic_upscale,
    degrade,
    downscale,
    gaussian_blur,
    jpeg_blocks,
)
from course_lib.data.fashion_mnist import (
    FASHION_MNIST_CLASSES,
    FASHION_MNIST_FILES,
    DataIntegrityError,
    DataNotFoundError,
    download_fashion_mnist,
    fashion_mnist_search_paths,
    load_fashion_mnist,
    locate_fashion_mnist,
)

__all__ = [
    "DEFAULT_PIPELINE",
    "add_gaussian_noise",
    "bicubic_upscale",
    "degrade",
    "downscale",
    "gaussian_blur",
    "jpeg_blocks",
    "PALETTE",
    "PALETTE_NAMES",
    "coloured_fashion_mnist",
    "luminance_ink",
    "tint",
    "FASHION_MNIST_CLASSES",
    "FASHION_MNIST_FILES",
    "DataIntegrityError",
    "DataNotFoundError",
    "download_fashion_mnist",
    "fashion_mnist_search_paths",
    "load_fashion_mnist",
    "locate_fashion_mnist",
    "toy2d",
]
