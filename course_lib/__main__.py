"""`python -m course_lib COMMAND ...`: each command lives in its own module and is loaded only when used.

  data download|check     fetch / verify Fashion-MNIST (course_lib.data.cli)
  grade ...               grade a folder of notebooks (course_lib.grading.cli)
  product train|sample|evaluate   the product-image GAN project (course_lib.product.cli)
"""

from __future__ import annotations

import importlib
import sys

COMMANDS = {
    "data": "course_lib.data.cli",
    "grade": "course_lib.grading.cli",
    "product": "course_lib.product.cli",
}


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in COMMANDS:
        print(__doc__.strip())
        if argv and argv[0] not in ("-h", "--help"):
            print(f"\nUnknown command {argv[0]!r}; expected one of {sorted(COMMANDS)}.", file=sys.stderr)
            return 2
        return 0
    try:
        module = importlib.import_module(COMMANDS[argv[0]])
    except ModuleNotFoundError as error:
        print(f"The command {argv[0]!r} is not available in this version of course_lib ({error}).", file=sys.stderr)
        return 2
    return int(module.main(argv[1:]) or 0)


if __name__ == "__main__":
    sys.exit(main())
