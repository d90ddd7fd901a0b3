"""A stand-in for Colab's `google.colab` package, for the Colab replica (tools/colab_check.py) only.

Colab's kernel imports `google.colab` at start-up, so a notebook sees `"google.colab" in sys.modules` and runs its
Colab branch. The replica's kernel does the same with this package on its path. It provides what the course's
Colab set-up cell calls (`output.enable_custom_widget_manager`); nothing else of Colab (Drive, forms, the
front end) exists here. Each call is appended to $COLAB_REPLICA_LOG so that the replica can prove
the Colab branch ran.
"""

from __future__ import annotations

import json
import os

__all__ = ["log_call", "output"]

REPLICA = True  # real Colab has no such attribute: code can tell the replica apart when it must


def log_call(name: str, **details) -> None:
    """Append one JSON line {"call": name, ...} to $COLAB_REPLICA_LOG (nothing when the variable is unset)."""
    path = os.environ.get("COLAB_REPLICA_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"call": name, **details}) + "\n")


from google.colab import output  # noqa: E402  (a submodule, as on Colab)

log_call("import google.colab")
