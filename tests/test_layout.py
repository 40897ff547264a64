"""The package's layout: Inspect is imported only in afscope/harness/, through its public API; the
harness's modules, and afscope's packages, import each other without a cycle; only the CLI imports
the harness.

Imports are read with ``ast`` (every import statement, in a function or under TYPE_CHECKING
too), so a docstring or comment that mentions Inspect does not count and a lazy import does.
"""

from __future__ import annotations

import ast
from pathlib import Path

import afscope

SRC = Path(afscope.__file__).parent
HARNESS = SRC / "harness"


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, list[str], int]]:
    """(module, names, line) of every import in ``path``, absolute (relative ones resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path.parent)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            found.append((module, [alias.name for alias in node.names], node.lineno))
    return found


def _is_inspect(module: str) -> bool:
    return module == "inspect_ai" or module.startswith("inspect_ai.")


def test_only_the_harness_imports_inspect() -> None:
    outside = [
        f"{path.relative_to(SRC.parent)}:{line} imports {module}"
        for path in sorted(SRC.rglob("*.py"))
        if HARNESS not in path.parents
        for module, _names, line in _imports(path)
        if _is_inspect(module)
    ]
    assert outside == []


def test_the_harness_uses_only_inspects_public_api() -> None:
    private = [
        f"{path.relative_to(SRC.parent)}:{line} imports {module}"
        for path in sorted(SRC.rglob("*.py"))
        for module, _names, line in _imports(path)
        if _is_inspect(module) and any(part.startswith("_") for part in module.split("."))
    ]
    assert private == []


def _harness_graph() -> dict[str, set[str]]:
    """Harness module -> the harness modules it imports (anywhere in it)."""
    graph: dict[str, set[str]] = {}
    for path in sorted(HARNESS.glob("*.py")):
        name = _module_name(path)
        edges = graph.setdefault(name, set())
        for module, names, _line in _imports(path):
            if module == "afscope.harness":  # `from afscope.harness import _sandbox`
                edges |= {f"{module}.{n}" for n in names if n.startswith("_")}
            elif module.startswith("afscope.harness."):
                edges.add(module)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` (its modules in order), or None."""
    state: dict[str, str] = {}  # "open" while on the path, "done" once left

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = "open"
        for successor in sorted(graph.get(node, ())):
            if state.get(successor) == "open":
                return [*path[path.index(successor) :], successor]
            if successor not in state and (found := visit(successor, [*path, successor])):
                return found
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node, [node])):
            return found
    return None


def test_the_harness_has_no_import_cycle() -> None:
    graph = _harness_graph()
    assert "afscope.harness._logs" in graph["afscope.harness._episodes"]  # the graph is read
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_harness_modules_import_each_other_not_the_package() -> None:
    """A harness module that imported a name from afscope.harness would go through __init__'s
    lazy table back into the harness: a cycle the graph above cannot see."""
    through_package = [
        f"{path.name}:{line} imports {names} from afscope.harness"
        for path in sorted(HARNESS.glob("_*.py"))
        for module, names, line in _imports(path)
        if module == "afscope.harness" and not all(n.startswith("_") for n in names)
    ]
    assert through_package == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycle(graph) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def _package_graph() -> dict[str, set[str]]:
    """Top-level package or module of afscope -> the others it imports (anywhere in it)."""

    def top(module: str) -> str | None:
        parts = module.split(".")
        return ".".join(parts[:2]) if parts[0] == "afscope" and len(parts) > 1 else None

    graph: dict[str, set[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        me = top(_module_name(path)) or "afscope"
        edges = graph.setdefault(me, set())
        for module, names, _line in _imports(path):
            if module == "afscope":  # `from afscope import records`, or a re-exported name
                targets = {f"afscope.{n}" for n in names if (SRC / n).is_dir()}
                targets |= {f"afscope.{n}" for n in names if (SRC / f"{n}.py").is_file()}
            else:
                targets = {t for t in [top(module)] if t is not None}
            edges |= targets - {me}
    return graph


def test_the_packages_have_no_import_cycle_and_only_the_cli_imports_the_harness() -> None:
    graph = _package_graph()
    assert "afscope.stats" in graph["afscope.summary"]  # the graph is read
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])
    assert sorted(p for p, edges in graph.items() if "afscope.harness" in edges) == ["afscope.cli"]
