"""Keep the grader's short-lived processes from paying for an import they never use.

nbformat validates notebooks with jsonschema, and jsonschema imports `rfc3987_syntax` when it is installed (it comes
with jupyterlab, through jupyter-events' `jsonschema[format-nongpl]`). That module compiles a grammar at import:
2.3 s of CPU measured on the course's 2-core machine, paid again by every grading worker, once per submission.
It only adds the "iri" string-format check, which the notebook schema never uses, and jsonschema skips that check
when the import fails.
"""

from __future__ import annotations

import sys

__all__ = ["skip_unused_format_grammar"]


def skip_unused_format_grammar() -> None:
    """Make `import rfc3987_syntax` fail in this process (unless it is already imported); call before nbformat."""
    sys.modules.setdefault("rfc3987_syntax", None)
