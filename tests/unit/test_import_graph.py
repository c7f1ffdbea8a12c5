"""The package's import graph: no cycles, and the layers keep to their rules.

Function-level imports count (a lazy import that closes a loop is still a loop: it only moves the
failure from start-up to the first call); imports under ``if TYPE_CHECKING:`` do not, since they
never run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "runner"
Graph = Mapping[str, frozenset[str]]


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported_names(tree: ast.AST, package: str) -> Iterator[str]:
    """Every module name an import statement may load, at any depth, outside TYPE_CHECKING blocks."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                stack.extend(child.orelse)
                continue
            if isinstance(child, ast.Import):
                yield from (alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")[: len(package.split(".")) - (child.level - 1)]
                    module = ".".join([*base, *([child.module] if child.module else [])])
                else:
                    module = child.module or ""
                yield module
                # `from runner.x import y` may load the module runner.x.y.
                yield from (f"{module}.{alias.name}" for alias in child.names)
            stack.append(child)


def import_graph(root: Path = ROOT) -> dict[str, frozenset[str]]:
    """Module -> the package's modules it imports (a name resolves to its longest known module)."""
    paths = {_module_name(path, root): path for path in sorted(root.rglob("*.py"))}
    graph: dict[str, frozenset[str]] = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for imported in _imported_names(ast.parse(path.read_text(), str(path)), package):
            while imported and imported not in paths:
                imported = imported.rpartition(".")[0]
            if imported and imported != name:
                targets.add(imported)
        graph[name] = frozenset(targets)
    return graph


def cycles(graph: Graph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for target in edges:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph.get(target, ())))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return found


def _within(module: str, packages: Iterable[str]) -> bool:
    return any(module == package or module.startswith(package + ".") for package in packages)


def violations(graph: Graph, sources: Iterable[str], forbidden: Iterable[str]) -> list[str]:
    """``a -> b`` for each import from a module under ``sources`` into one under ``forbidden``."""
    sources, forbidden = tuple(sources), tuple(forbidden)
    return sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        if _within(module, sources)
        for target in targets
        if _within(target, forbidden)
    )


# (what, the modules, what they may not import)
LAYER_RULES = [
    (
        "reading knows no server, session, output format or later stage",
        ["runner.language"],
        ["runner.server", "runner.sessions", "runner.render", "runner.dialects", "runner.engine", "runner.judge",
         "runner.run", "runner.report", "runner.cli", "runner.config", "runner.faults", "runner.tidb", "runner.mtr",
         "runner.hooks"],
    ),
    (
        "a session knows no directive (nor the interpreter, a dialect or the run)",
        ["runner.sessions"],
        ["runner.engine", "runner.dialects", "runner.hooks", "runner.run", "runner.cli"],
    ),
    (
        "rendering knows no reader",
        ["runner.render"],
        ["runner.language.parser", "runner.language.permutation_block", "runner.dialects", "runner.engine",
         "runner.run"],
    ),
    (
        "running a test knows neither the run around it nor the command line",
        ["runner.engine"],
        ["runner.run", "runner.cli", "runner.judge", "runner.report"],
    ),
    (
        "nothing below the command line knows the command line",
        [module for module in ("runner." + path.name.removesuffix(".py") for path in ROOT.iterdir())
         if module not in ("runner.cli", "runner.__pycache__")],
        ["runner.cli"],
    ),
]


@pytest.fixture(scope="module")
def graph() -> dict[str, frozenset[str]]:
    return import_graph()


def test_the_package_has_no_import_cycle(graph: dict[str, frozenset[str]]) -> None:
    assert len(graph) > 100  # the whole package was read, not an empty folder
    assert cycles(graph) == []


@pytest.mark.parametrize(("rule", "sources", "forbidden"), LAYER_RULES, ids=[rule[0] for rule in LAYER_RULES])
def test_layer_rule(graph: dict[str, frozenset[str]], rule: str, sources: list[str], forbidden: list[str]) -> None:
    assert violations(graph, sources, forbidden) == []


def test_only_the_command_line_uses_typer() -> None:
    users = sorted(
        _module_name(path, ROOT)
        for path in ROOT.rglob("*.py")
        if "typer" in set(_imported_names(ast.parse(path.read_text()), ""))
    )
    assert users and all(user.startswith("runner.cli") for user in users)


def test_a_cycle_put_back_is_found(tmp_path: Path) -> None:
    # The shapes that hid the package's cycles: a lazy import inside a function, and a relative
    # import; an import under TYPE_CHECKING is no edge.
    package = tmp_path / "runner"
    (package / "engine").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "engine" / "__init__.py").write_text("")
    (package / "engine" / "interpreter.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from runner.engine.flow import Flow\n"
        "def run() -> None:\n    from runner.engine.waits import reap\n"
    )
    (package / "engine" / "waits.py").write_text("from .flow import Flow\n")
    (package / "engine" / "flow.py").write_text("from runner.engine import interpreter\nclass Flow: ...\n")
    found = import_graph(package)
    assert found["runner.engine.interpreter"] == {"runner.engine.waits"}
    assert found["runner.engine.waits"] == {"runner.engine.flow"}
    assert cycles(found) == [["runner.engine.flow", "runner.engine.interpreter", "runner.engine.waits"]]
    (package / "engine" / "flow.py").write_text("class Flow: ...\n")
    assert cycles(import_graph(package)) == []


def test_a_layer_break_is_found() -> None:
    graph = {
        "runner.language.parser": frozenset({"runner.sessions.driver"}),
        "runner.sessions.driver": frozenset(),
    }
    assert violations(graph, ["runner.language"], ["runner.sessions"]) == [
        "runner.language.parser -> runner.sessions.driver"
    ]
    assert violations(graph, ["runner.sessions"], ["runner.language"]) == []


def test_cycles_on_a_synthetic_graph() -> None:
    graph = {
        "a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a", "d"}),
        "d": frozenset({"e"}), "e": frozenset({"d"}), "f": frozenset({"a"}),
    }
    assert sorted(cycles(graph)) == [["a", "b", "c"], ["d", "e"]]
    assert cycles({"a": frozenset({"b"}), "b": frozenset()}) == []
