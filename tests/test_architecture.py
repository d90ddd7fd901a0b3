"""The house rules that the code's shape must keep, read from the source with `ast` (nothing is imported):
no import cycles among course_lib's modules or its folders, function-level imports included; no module climbs
back up to the package root; no function over 80 lines. See docs/architecture.md."""

from __future__ import annotations

import ast

import pytest

from tests.conftest import REPO_ROOT

PACKAGE = REPO_ROOT / "course_lib"
MAX_FUNCTION_LINES = 80


def _module_name(path) -> str:
    parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imported_modules(module: str, path) -> set[str]:
    """course_lib modules that `module` imports anywhere in its file (top level or inside functions), plus the
    packages whose __init__ such an import runs first (not counting the importer's own packages)."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the importer's package, `level` steps up
                anchor = module.split(".")[: len(module.split(".")) - node.level + is_package]
                base = ".".join(anchor + ([base] if base else []))
            # `from package import submodule` imports the submodule; `from module import name` the module
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        for target in targets:
            if target in MODULES and target != module:
                found.add(target)  # named outright: counts even when it is one of the importer's own packages
            parts = target.split(".")
            for i in range(1, len(parts)):
                name = ".".join(parts[:i])
                inside = module == name or module.startswith(name + ".")
                if name in MODULES and not inside:
                    found.add(name)
    return found


GRAPH = {module: _imported_modules(module, path) for module, path in MODULES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan), each sorted."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _room(module: str) -> str:
    """The folder (or flat module) directly under course_lib that holds `module`: course_lib.viz.product -> viz."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_the_graph_sees_function_level_imports():
    # product_train imports the plots inside a function: that edge must be in the graph
    assert "course_lib.viz.product" in GRAPH["course_lib.torch.product_train"]
    assert "course_lib.frameworks" in GRAPH["course_lib"]


def test_no_import_cycles_among_modules():
    assert _cycles(GRAPH) == []


def test_no_import_cycles_among_folders():
    rooms = {}
    for module, targets in GRAPH.items():
        rooms.setdefault(_room(module), set()).update(_room(t) for t in targets if _room(t) != _room(module))
    assert _cycles(rooms) == []


def test_no_module_imports_the_package_root():
    # course_lib/__init__ imports the notebook plumbing, so a module that climbs back up to it closes a circle
    climbers = sorted(module for module, targets in GRAPH.items() if "course_lib" in targets)
    assert climbers == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_function_is_longer_than_80_lines(module):
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    long = [f"{node.name} (line {node.lineno}): {node.end_lineno - node.lineno + 1} lines" for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert long == [], f"{module}: split these functions (at most {MAX_FUNCTION_LINES} lines, decorators aside)"
