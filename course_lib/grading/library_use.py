"""Answers and course_lib: the one place that knows which names point into the library.

The notebooks import the library next to their exercises: notebook 01 binds `ref` to course_lib.reference.losses,
which holds the very functions its exercises ask for, and every notebook has `course_lib`, `nb` and `fw`.

- In the notebook, `check` warns when a right answer uses course_lib (`library_names_in`, which looks at the
  answer function's code, globals and closures): the grader will give it 0.
- The grader needs no such look: it runs the exercise cells in a process where course_lib does not exist
  (course_lib.grading.answer_runner). There the names the master binds to course_lib (`bound_library_names`) are
  stand-ins that fail when used, any import of course_lib fails, and the helpers an exercise hands out
  (`Exercise.allowed_library`, e.g. `bce`) are copied in by source. `plain_imports` gives that process the
  master's other imports (`import numpy as np`), so exercise cells run as they do in the notebook.

Bindings followed in the master's cells outside exercises: `import course_lib[.x] [as y]`, `from course_lib[.x]
import a [as b]`, and `name = <expression starting with a bound name>` (so `fw = nb.fw` counts). The master is
the instructor's file: it is the only notebook this module parses.
"""

from __future__ import annotations

import ast
import types

__all__ = ["bound_library_names", "library_names_in", "plain_imports"]

LIBRARY = "course_lib"


def _parse(source: str) -> ast.Module | None:
    """The cell as Python, IPython magics and shell escapes blanked out; None if it does not parse."""
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _is_library(module: str | None) -> bool:
    return bool(module) and (module == LIBRARY or module.startswith(LIBRARY + "."))


def _imported(node: ast.AST) -> dict[str, str]:
    """name -> dotted course_lib origin, for an import statement of course_lib; {} for anything else."""
    found = {}
    if isinstance(node, ast.Import):
        for alias in node.names:
            if _is_library(alias.name):
                found[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else LIBRARY
    elif isinstance(node, ast.ImportFrom) and node.level == 0 and _is_library(node.module):
        for alias in node.names:
            found[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return found


def _root_name(node: ast.AST) -> str | None:
    """`a` for a.b, a.b(...), a[0].c ...; None when the expression does not start with a name."""
    while isinstance(node, (ast.Attribute, ast.Call, ast.Subscript)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def bound_library_names(sources: list[str]) -> dict[str, str]:
    """Names that the given cells (in order) bind to course_lib objects: name -> dotted origin."""
    bound: dict[str, str] = {}
    for source in sources:
        tree = _parse(source)
        if tree is None:
            continue
        for node in tree.body:  # module level only: names inside functions are local
            bound.update(_imported(node))
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                root = _root_name(node.value)
                if root in bound:
                    bound[node.targets[0].id] = f"{bound[root]}:{ast.unparse(node.value)}"
                else:
                    bound.pop(node.targets[0].id, None)  # rebound to something else
    return bound


def plain_imports(sources: list[str]) -> list[str]:
    """The module-level import statements of the given cells that do not import course_lib, as source."""
    found = []
    for source in sources:
        tree = _parse(source)
        for node in tree.body if tree is not None else []:
            plain_import = isinstance(node, ast.Import) and not any(_is_library(a.name) for a in node.names)
            plain_from = (isinstance(node, ast.ImportFrom) and node.level == 0 and not _is_library(node.module)
                          and node.module != "__future__")
            if plain_import or plain_from:
                found.append(ast.unparse(node))
    return list(dict.fromkeys(found))


def library_names_in(answer, allowed=()) -> list[str]:
    """Global names a function (and the functions it defines) reads that are course_lib modules or objects.

    Args:
        answer: the student's function (anything without `__code__` gives []).
        allowed: dotted origins the exercise hands out (e.g. "course_lib.grading.exercises.ex_01.bce").
    """
    code = getattr(answer, "__code__", None)
    if code is None:
        return []
    names, stack = set(), [code]
    while stack:
        current = stack.pop()
        names.update(current.co_names)
        stack.extend(const for const in current.co_consts if isinstance(const, types.CodeType))
    scope = getattr(answer, "__globals__", {})
    visible = {name: scope[name] for name in names if name in scope}
    for name, cell in zip(code.co_freevars, getattr(answer, "__closure__", None) or ()):
        try:
            visible[name] = cell.cell_contents
        except ValueError:  # not yet assigned
            pass
    found = []
    for name in sorted(visible):
        value = visible[name]
        module = value.__name__ if isinstance(value, types.ModuleType) else getattr(value, "__module__", None)
        origin = f"{module}.{getattr(value, '__name__', '')}"
        if isinstance(module, str) and _is_library(module) and origin not in allowed:
            found.append(name)
    return found
