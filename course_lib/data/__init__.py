"""Framework-free data: Fashion-MNIST (locate, verify, download) and toy 2-D Gaussian mixtures."""

from course_lib.data import toy2d
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
