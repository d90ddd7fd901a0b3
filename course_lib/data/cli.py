"""`python -m course_lib data download|check`: make sure Fashion-MNIST is present and intact."""

from __future__ import annotations

import argparse
import sys

from course_lib.data.fashion_mnist import DataIntegrityError, DataNotFoundError, load_fashion_mnist

__all__ = ["main"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_lib data",
                                     description="Locate, download and verify Fashion-MNIST.")
    parser.add_argument("action", choices=["download", "check"],
                        help="download: fetch what is missing, then verify; check: verify only, never download")
    args = parser.parse_args(argv)
    from course_lib.data import fashion_mnist

    try:
        for split in ("train", "test"):
            if args.action == "check":
                for name in fashion_mnist._SPLIT_FILES[split][:2]:
                    fashion_mnist.locate_fashion_mnist(name, download=False)
            images, labels = load_fashion_mnist(split)
            print(f"Fashion-MNIST {split}: {len(images)} images, verified")
    except (DataNotFoundError, DataIntegrityError) as error:
        print(error, file=sys.stderr)
        return 1
    return 0
