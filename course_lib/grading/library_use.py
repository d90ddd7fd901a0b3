"""Does an answer call course_lib instead of being the student's own code? A static look at the exercise cell.

The notebooks import the library next to their exercises: notebook 01 binds `ref` to course_lib.reference.losses,
which holds the very functions its exercises ask for, and every notebook has `course_lib`, `nb` and `fw`. An
answer that calls them is right without being written. The grader therefore reads the master notebook to learn
which names point into course_lib, and lists the ones a function exercise's cell uses: 0 points, with the names
in the feedback. An exercise can allow the helpers its text hands out (`Exercise.allowed_library`), value
exercises are not checked (a constant such as FASHION_MNIST_CLASSES may well give the value), and the
instructor can switch the check off (`--allow-course-lib`). It catches the shortcut, not a determined cheat
(`globals()["n" + "b"]` hides a name from any static look).

Bindings followed in the master's cells outside exercises: `import course_lib[.x] [as y]`, `from course_lib[.x]
import a [as b]`, and `name = <expression starting with a bound name>` (so `fw = nb.fw` counts).
"""

from __future__ import annotations

import ast

__all__ = ["bound_library_names", "library_uses"]

LIBRARY = "course_lib"


def _parse(source: str) -> ast.Module | None:
    """The cell as Python, IPython magics and shell escapes blanked out; None if it does not parse."""
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def _imported(node: ast.AST) -> dict[str, str]:
    """name -> dotted course_lib origin, for an import statement of course_lib; {} for anything else."""
    found = {}
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name == LIBRARY or alias.name.startswith(LIBRARY + "."):
                if alias.asname:
                    found[alias.asname] = alias.name
                else:
                    found[alias.name.split(".")[0]] = LIBRARY
    elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and (
            node.module == LIBRARY or node.module.startswith(LIBRARY + ".")):
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


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def library_uses(source: str, bound: dict[str, str], allowed: tuple[str, ...] = ()) -> list[str]:
    """The course_lib names an exercise cell uses, as written there (e.g. "ref.minimax_discriminator_loss").

    Args:
        source: the exercise cell's code.
        bound: names the notebook binds to course_lib (`bound_library_names`).
        allowed: dotted origins the exercise allows (e.g. "course_lib.grading.exercises.ex_01.bce").
    Returns:
        Sorted, without repeats; [] when the cell does not parse (the grader reports that on its own).
    """
    tree = _parse(source)
    if tree is None:
        return []
    allowed_set = set(allowed)
    uses = set()
    defined = set()  # a name the cell binds itself is the student's own, whatever the notebook had bound
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            defined.add(node.id)
        elif isinstance(node, ast.arg):
            defined.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
        imported = _imported(node)
        uses.update(origin for origin in imported.values() if origin not in allowed_set)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            defined.update(name for name, origin in imported.items() if origin in allowed_set)
    attributes = {}  # the longest a.b.c written for each Name node, for the message
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            inner = node
            while isinstance(inner, ast.Attribute):
                inner = inner.value
            if isinstance(inner, ast.Name):
                text = _dotted(node)
                if len(text) > len(attributes.get(id(inner), "")):
                    attributes[id(inner)] = text
    for node in ast.walk(tree):
        if (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in bound
                and node.id not in defined and bound[node.id] not in allowed_set):
            uses.add(attributes.get(id(node), node.id))
    return sorted(uses)
