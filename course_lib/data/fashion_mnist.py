"""Fashion-MNIST (Xiao, Rasul, Vollgraf 2017, arXiv 1708.07747): 70,000 28x28 grey product photos, MIT licence.

Search order (first folder holding a file wins): $COURSE_DATA_DIR; the repository's git-ignored cache
`data/cache/fashion-mnist` (or ~/.cache/course_lib/fashion-mnist for an installed package);
/usr/share/datasets/fashion-mnist (Debian/Ubuntu package `dataset-fashion-mnist`); then a download from the
official mirror into the cache. Each file is verified by the SHA-256 of its decompressed IDX content, because
re-compressing a .gz changes its bytes but not its content.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

from course_lib import validation as check

__all__ = [
    "FASHION_MNIST_CLASSES",
    "FASHION_MNIST_FILES",
    "DataIntegrityError",
    "DataNotFoundError",
    "default_cache_dir",
    "download_fashion_mnist",
    "fashion_mnist_search_paths",
    "load_fashion_mnist",
    "locate_fashion_mnist",
]

FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)

# name -> SHA-256 of the decompressed IDX content
FASHION_MNIST_FILES = {
    "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}
_SPLIT_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", 60_000),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 10_000),
}
MIRROR_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
SYSTEM_DIR = Path("/usr/share/datasets/fashion-mnist")
FIX_COMMAND = "python -m course_lib data download   (or: sudo apt-get install dataset-fashion-mnist)"


class DataNotFoundError(FileNotFoundError):
    """Fashion-MNIST is in none of the places searched and could not be downloaded."""


class DataIntegrityError(ValueError):
    """A Fashion-MNIST file exists but its content is corrupt or truncated."""


def default_cache_dir() -> Path:
    """The repository's git-ignored data/cache/fashion-mnist in a source checkout, else ~/.cache/course_lib."""
    repo_data = Path(__file__).resolve().parents[2] / "data"
    if (repo_data / "README.md").exists():
        return repo_data / "cache" / "fashion-mnist"
    return Path.home() / ".cache" / "course_lib" / "fashion-mnist"


def fashion_mnist_search_paths() -> list[Path]:
    """The folders searched, in order."""
    paths = []
    if os.environ.get("COURSE_DATA_DIR"):
        paths.append(Path(os.environ["COURSE_DATA_DIR"]).expanduser())
    paths += [default_cache_dir(), SYSTEM_DIR]
    return paths


def _candidates(folder: Path, name: str) -> list[Path]:
    return [folder / f"{name}.gz", folder / name]


def _read_content(path: Path) -> bytes:
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as handle:
                return handle.read()
        return path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise DataIntegrityError(
            f"{path} is corrupt or truncated ({error}). Delete it and run: {FIX_COMMAND}"
        ) from error


def _verified_content(path: Path, name: str) -> bytes:
    content = _read_content(path)
    digest = hashlib.sha256(content).hexdigest()
    if digest != FASHION_MNIST_FILES[name]:
        raise DataIntegrityError(
            f"{path} does not hold the expected Fashion-MNIST content (sha256 of the decompressed file is "
            f"{digest[:16]}..., expected {FASHION_MNIST_FILES[name][:16]}...): it is corrupt, truncated or another "
            f"file. Delete it and run: {FIX_COMMAND}"
        )
    return content


def locate_fashion_mnist(name: str, download: bool = True) -> Path:
    """The path of one Fashion-MNIST file (e.g. "t10k-labels-idx1-ubyte"), downloading it when missing."""
    if name not in FASHION_MNIST_FILES:
        raise ValueError(f"Unknown Fashion-MNIST file {name!r}; expected one of {sorted(FASHION_MNIST_FILES)}.")
    looked = []
    for folder in fashion_mnist_search_paths():
        for candidate in _candidates(folder, name):
            looked.append(candidate)
            if candidate.is_file():
                return candidate
    if download:
        try:
            return download_fashion_mnist(names=[name])[name]
        except (urllib.error.URLError, OSError, TimeoutError) as error:
            reason = f"the download from {MIRROR_URL} failed ({error})"
    else:
        reason = "downloading was not allowed"
    places = "\n  ".join(str(p) for p in looked)
    raise DataNotFoundError(
        f"Fashion-MNIST file {name} was not found and {reason}.\nLooked in:\n  {places}\n"
        f"Fix: {FIX_COMMAND}\nor set COURSE_DATA_DIR to a folder holding the four .gz files."
    )


def _progress(total: int | None, desc: str):
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is a dependency; keep downloads working without it anyway
        return None
    return tqdm(total=total, unit="B", unit_scale=True, desc=desc, file=sys.stderr)


def download_fashion_mnist(names=None, target_dir: str | os.PathLike | None = None,
                           mirror_url: str = MIRROR_URL) -> dict[str, Path]:
    """Download (with a progress bar), verify and atomically store Fashion-MNIST .gz files.

    Args:
        names: which files (default: all four).
        target_dir: where to store them (default: `default_cache_dir()`).
        mirror_url: base URL of the mirror; any URL urllib opens, file:// included.
    Returns:
        {name: path of the verified .gz file}.
    """
    target = Path(target_dir) if target_dir else default_cache_dir()
    target.mkdir(parents=True, exist_ok=True)
    stored = {}
    for name in names or FASHION_MNIST_FILES:
        destination = target / f"{name}.gz"
        handle, tmp_name = tempfile.mkstemp(dir=target, prefix=f".{name}", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as tmp, urllib.request.urlopen(
                    mirror_url + f"{name}.gz", timeout=60) as response:
                length = response.headers.get("Content-Length")
                bar = _progress(int(length) if length else None, f"{name}.gz")
                while chunk := response.read(1 << 16):
                    tmp.write(chunk)
                    if bar is not None:
                        bar.update(len(chunk))
                if bar is not None:
                    bar.close()
            _check_gz(Path(tmp_name), name)
            os.replace(tmp_name, destination)  # only a verified file ever gets the real name
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        stored[name] = destination
    return stored


def _check_gz(path: Path, name: str) -> None:
    with gzip.open(path, "rb") as handle:
        try:
            content = handle.read()
        except (OSError, EOFError) as error:
            raise DataIntegrityError(f"The downloaded {name}.gz is corrupt or truncated ({error}).") from error
    if hashlib.sha256(content).hexdigest() != FASHION_MNIST_FILES[name]:
        raise DataIntegrityError(f"The downloaded {name}.gz does not match its SHA-256; try the download again.")


def _parse_idx(content: bytes, path: Path, expected_dims: int) -> np.ndarray:
    magic = int.from_bytes(content[:4], "big")
    dims = magic & 0xFF
    if magic >> 8 != 0x08 or dims != expected_dims:
        raise DataIntegrityError(f"{path} is not an unsigned-byte IDX file with {expected_dims} dimensions.")
    shape = tuple(int.from_bytes(content[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(content, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


@functools.lru_cache(maxsize=4)
def _load_split(split: str, search_key: tuple) -> tuple[np.ndarray, np.ndarray]:
    images_name, labels_name, count = _SPLIT_FILES[split]
    images_path = locate_fashion_mnist(images_name)
    labels_path = locate_fashion_mnist(labels_name)
    images = _parse_idx(_verified_content(images_path, images_name), images_path, 3)
    labels = _parse_idx(_verified_content(labels_path, labels_name), labels_path, 1).astype(np.int64)
    assert images.shape == (count, 28, 28) and labels.shape == (count,)
    images.setflags(write=False)  # cached and shared between callers: copy before editing in place
    labels.setflags(write=False)
    return images, labels


def load_fashion_mnist(split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST images and labels for one split.

    Args:
        split: "train" (60,000 images) or "test" (10,000 images).
    Returns:
        (images, labels): uint8 [N, 28, 28] in [0, 255] (read-only arrays, cached in memory) and int64 [N] in
        0..9; class names in FASHION_MNIST_CLASSES.
    Used in: every notebook.
    """
    if split not in _SPLIT_FILES:
        check.fail("split", "'train' or 'test'", repr(split))
    search_key = tuple(str(p) for p in fashion_mnist_search_paths())
    return _load_split(split, search_key)
