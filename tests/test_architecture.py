"""The shape of the code base, as docs/architecture.md describes it: small
modules, no import cycles, and an output layer that never loads the analysis.

Imports are read from the source with `ast` (nothing is imported), counting
the ones inside functions too: a lazy import still ties two modules together.
Only `if TYPE_CHECKING:` blocks are left out.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {"leaklint": ROOT / "linter", "leaklint.rules": ROOT / "rules"}
MAX_LINES = 600
OUTPUT_LAYER = ("leaklint.output", "leaklint.reporters", "leaklint.diagnostics")
ANALYSIS = ("libcst", "leaklint.analysis", "leaklint.flow", "leaklint.calls", "leaklint.resolve", "leaklint.rulebase", "leaklint.rules", "leaklint.engine")


def _modules() -> dict[str, Path]:
    found = {}
    for package, directory in PACKAGES.items():
        for path in sorted(directory.rglob("*.py")):
            parts = list(path.relative_to(directory).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            name = ".".join([package] + parts)
            if package == "leaklint" and name.startswith("leaklint.rules"):
                continue  # not a package of its own here
            found[name] = path
    return found


MODULES = _modules()


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _imports(name: str) -> set[str]:
    """The modules of leaklint (and third-party roots) that `name` imports."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    package = name if _is_package(name) else name.rpartition(".")[0]
    found: set[str] = set()
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for sub in node.body for n in ast.walk(sub))
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            for alias in node.names:  # `from . import flow`: the submodule itself
                if f"{module}.{alias.name}" in MODULES:
                    found.add(f"{module}.{alias.name}")
    return {_known(m) for m in found if _known(m)}


def _known(module: str) -> str:
    """The project module an import names (its longest known prefix), or a third-party root."""
    parts = module.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in MODULES:
            return candidate
        parts.pop()
    return module.split(".")[0]


GRAPH = {name: _imports(name) - {name} for name in MODULES}


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(GRAPH[node] & MODULES.keys()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for name in sorted(MODULES):
        if name not in index:
            visit(name)
    return found


def _reachable(start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        current = todo.pop()
        for target in GRAPH.get(current, ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_the_module_list_is_real():
    # a walk that found nothing would pass every check below
    assert {"leaklint.engine", "leaklint.cli", "leaklint.rules"} <= MODULES.keys()
    assert "libcst" in _reachable("leaklint.engine")


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_is_small(name):
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{MODULES[name].relative_to(ROOT)} has {lines} lines; split it along its seams"


def test_no_import_cycles():
    assert _cycles() == []


@pytest.mark.parametrize("name", [m for m in sorted(MODULES) if m.startswith(OUTPUT_LAYER)])
def test_output_layer_does_not_load_the_analysis(name):
    reached = _reachable(name)
    bad = sorted(m for m in reached if m.startswith(ANALYSIS))
    assert not bad, f"{name} reaches {bad}"


def test_every_package_is_installed():
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    packages = {name for name in MODULES if _is_package(name)}
    assert packages <= listed, f"missing from [tool.setuptools] packages: {sorted(packages - listed)}"


def _exact_type_tests(tree: ast.AST) -> set[str]:
    """The LibCST classes compared by exact type: `type(x) is cst.Name`,
    `type(x) in (cst.If, cst.While)`."""
    found = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Compare) and isinstance(node.left, ast.Call)):
            continue
        if not (isinstance(node.left.func, ast.Name) and node.left.func.id == "type"):
            continue
        for op, right in zip(node.ops, node.comparators):
            if isinstance(op, (ast.Is, ast.IsNot, ast.In, ast.NotIn)):
                options = right.elts if isinstance(right, (ast.Tuple, ast.Set, ast.List)) else [right]
                found.update(o.attr for o in options if isinstance(o, ast.Attribute) and isinstance(o.value, ast.Name) and o.value.id == "cst")
    return found


def test_exact_type_tests_name_classes_libcst_never_subclasses():
    """The hot walks compare `type(node) is cst.X` instead of `isinstance`
    (every LibCST class is an ABC): exact only while LibCST has no subclass of X."""
    import libcst as cst

    compared = set()
    for path in MODULES.values():
        compared |= _exact_type_tests(ast.parse(path.read_text(encoding="utf-8")))
    assert len(compared) > 30  # the scan finds the comparisons
    assert {name for name in compared if getattr(cst, name).__subclasses__()} == set()
