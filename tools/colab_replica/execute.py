"""Execute one notebook on a kernel, as papermill does, without papermill's per-cell saves.

    python tools/colab_replica/execute.py NOTEBOOK OUTPUT --kernel NAME --cwd DIR --timeout S [-p NAME VALUE ...]

The parameters are injected as papermill injects them: a cell tagged `injected-parameters` right after the cell
tagged `parameters` (values are Python literals). The executed notebook is written once, at the end, also when a
cell failed or timed out; the exit status is 1 when a cell raised. papermill saves the whole notebook before and
after every cell (two writes of up to a megabyte of figures per cell); the replica only reads the result, so this
runner writes once, which saves seconds per notebook.
"""

from __future__ import annotations

import argparse
import ast
import sys

from course_lib.grading.lean_imports import skip_unused_format_grammar

skip_unused_format_grammar()  # 2-3 s of grammar compiling under nbformat, for a format no notebook uses

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError  # noqa: E402


def inject_parameters(notebook, parameters: dict) -> None:
    """Insert `NAME = value` lines in a cell tagged injected-parameters after the cell tagged parameters."""
    source = "\n".join(f"{name} = {value!r}" for name, value in parameters.items())
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
    tagged = [i for i, c in enumerate(notebook.cells) if "parameters" in c.metadata.get("tags", [])]
    notebook.cells.insert(tagged[0] + 1 if tagged else 0, cell)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook")
    parser.add_argument("output")
    parser.add_argument("--kernel", required=True)
    parser.add_argument("--cwd", required=True)
    parser.add_argument("--timeout", type=int, required=True, help="seconds per cell")
    parser.add_argument("-p", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    args = parser.parse_args(argv)
    notebook = nbformat.read(args.notebook, as_version=4)
    inject_parameters(notebook, {name: ast.literal_eval(value) for name, value in args.p})
    # "immediate": the kernel is killed once the last cell ran, instead of a polite shutdown that waited about 3 s
    # for the frameworks to tear down; everything a run leaves (records, figures) is written by its cells
    client = NotebookClient(notebook, timeout=args.timeout, kernel_name=args.kernel, shutdown_kernel="immediate",
                            resources={"metadata": {"path": args.cwd}})
    try:
        client.execute()
        status = 0
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as error:
        print(f"{type(error).__name__}: {str(error)[-2000:]}", file=sys.stderr)
        status = 1
    finally:
        nbformat.write(notebook, args.output)
    return status


if __name__ == "__main__":
    sys.exit(main())
