"""Fashion-MNIST loader: search order, SHA-256 checks, download, offline error, and the real data."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from course_lib.data import fashion_mnist as fm

LABELS = "t10k-labels-idx1-ubyte"  # the smallest file (10 kB): enough to test every rule of the loader
REAL_PLACES = fm.fashion_mnist_search_paths()  # taken before any test redirects the search


def _real_file(name: str) -> Path:
    for folder in REAL_PLACES:
        for candidate in (folder / f"{name}.gz", folder / name):
            if candidate.is_file():
                return candidate
    pytest.skip("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")


def _copy_as_gz(source: Path, folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.gz"
    content = gzip.open(source).read() if source.suffix == ".gz" else source.read_bytes()
    with gzip.open(target, "wb") as handle:  # re-compressed: new .gz bytes, same content
        handle.write(content)
    return target


@pytest.fixture
def places(tmp_path, monkeypatch):
    """Three empty search locations (env, cache, system) and an unreachable mirror."""
    env, cache, system = tmp_path / "env", tmp_path / "cache", tmp_path / "system"
    monkeypatch.setenv("COURSE_DATA_DIR", str(env))
    monkeypatch.setattr(fm, "default_cache_dir", lambda: cache)
    monkeypatch.setattr(fm, "SYSTEM_DIR", system)
    monkeypatch.setattr(fm, "MIRROR_URL", (tmp_path / "no-mirror").as_uri() + "/")
    fm._load_split.cache_clear()
    yield {"env": env, "cache": cache, "system": system, "tmp": tmp_path}
    fm._load_split.cache_clear()


def test_search_order_is_env_then_cache_then_system(places):
    source = _real_file(LABELS)
    assert fm.fashion_mnist_search_paths() == [places["env"], places["cache"], places["system"]]
    _copy_as_gz(source, places["system"], LABELS)
    assert fm.locate_fashion_mnist(LABELS).parent == places["system"]
    _copy_as_gz(source, places["cache"], LABELS)
    assert fm.locate_fashion_mnist(LABELS).parent == places["cache"]
    _copy_as_gz(source, places["env"], LABELS)
    assert fm.locate_fashion_mnist(LABELS).parent == places["env"]


def test_uncompressed_files_are_accepted_and_verified(places):
    source = _real_file(LABELS)
    places["env"].mkdir()
    raw = places["env"] / LABELS
    raw.write_bytes(gzip.open(source).read() if source.suffix == ".gz" else source.read_bytes())
    content = fm._verified_content(fm.locate_fashion_mnist(LABELS), LABELS)
    assert len(content) == 8 + 10_000


def test_corrupted_copy_raises_an_error_naming_the_file(places):
    source = _real_file(LABELS)
    places["env"].mkdir()
    content = bytearray(gzip.open(source).read() if source.suffix == ".gz" else source.read_bytes())
    content[100] ^= 0xFF  # one flipped label byte
    bad = places["env"] / f"{LABELS}.gz"
    with gzip.open(bad, "wb") as handle:
        handle.write(bytes(content))
    with pytest.raises(fm.DataIntegrityError, match=str(bad).replace(".", r"\.")):
        fm._verified_content(fm.locate_fashion_mnist(LABELS), LABELS)


def test_truncated_gzip_raises_an_error_naming_the_file(places):
    good = _copy_as_gz(_real_file(LABELS), places["env"], LABELS)
    good.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    with pytest.raises(fm.DataIntegrityError, match="corrupt or truncated") as error:
        fm._verified_content(good, LABELS)
    assert str(good) in str(error.value)


def test_load_rejects_a_corrupt_split_with_the_fix(places):
    for name in ("t10k-images-idx3-ubyte", LABELS):
        _copy_as_gz(_real_file(name), places["env"], name)
    labels = places["env"] / f"{LABELS}.gz"
    labels.write_bytes(gzip.compress(b"\x00\x00\x08\x01" + b"\x00" * 10))
    with pytest.raises(fm.DataIntegrityError, match="python -m course_lib data download"):
        fm.load_fashion_mnist("test")


def test_offline_and_missing_lists_every_place_and_the_fix(places):
    with pytest.raises(fm.DataNotFoundError) as error:
        fm.locate_fashion_mnist(LABELS)
    message = str(error.value)
    for folder in ("env", "cache", "system"):
        assert str(places[folder] / f"{LABELS}.gz") in message
    assert "python -m course_lib data download" in message and "apt-get install dataset-fashion-mnist" in message
    assert "download" in message and "failed" in message
    assert not any(places["cache"].glob("*")) if places["cache"].exists() else True  # nothing half-written


def test_download_verifies_and_writes_atomically(places):
    mirror = places["tmp"] / "mirror"
    _copy_as_gz(_real_file(LABELS), mirror, LABELS)
    stored = fm.download_fashion_mnist([LABELS], target_dir=places["cache"], mirror_url=mirror.as_uri() + "/")
    assert stored[LABELS] == places["cache"] / f"{LABELS}.gz"
    assert [p.name for p in places["cache"].iterdir()] == [f"{LABELS}.gz"]  # no temporary files left behind


def test_download_of_a_corrupt_file_leaves_nothing_behind(places):
    mirror = places["tmp"] / "mirror"
    mirror.mkdir()
    (mirror / f"{LABELS}.gz").write_bytes(gzip.compress(b"not fashion-mnist"))
    with pytest.raises(fm.DataIntegrityError):
        fm.download_fashion_mnist([LABELS], target_dir=places["cache"], mirror_url=mirror.as_uri() + "/")
    assert list(places["cache"].iterdir()) == []


def test_missing_file_is_downloaded_into_the_cache(places, monkeypatch):
    mirror = places["tmp"] / "mirror"
    _copy_as_gz(_real_file(LABELS), mirror, LABELS)
    monkeypatch.setattr(fm, "MIRROR_URL", mirror.as_uri() + "/")
    monkeypatch.setattr(fm.download_fashion_mnist, "__defaults__", (None, None, mirror.as_uri() + "/"))
    assert fm.locate_fashion_mnist(LABELS) == places["cache"] / f"{LABELS}.gz"


def test_bad_arguments_say_what_was_expected():
    with pytest.raises(ValueError, match="'train' or 'test'"):
        fm.load_fashion_mnist("validation")
    with pytest.raises(ValueError, match="Unknown Fashion-MNIST file"):
        fm.locate_fashion_mnist("train-images")


def test_real_data_shapes_types_and_balance():
    _real_file(LABELS)
    for split, count in (("train", 60_000), ("test", 10_000)):
        images, labels = fm.load_fashion_mnist(split)
        assert images.shape == (count, 28, 28) and images.dtype == np.uint8
        assert labels.shape == (count,) and labels.dtype == np.int64
        assert np.array_equal(np.bincount(labels), np.full(10, count // 10))
        assert images.max() == 255 and images.min() == 0
    assert len(fm.FASHION_MNIST_CLASSES) == 10 and fm.FASHION_MNIST_CLASSES[7] == "Sneaker"
