"""The one registry of directive handlers: built-ins and plugins register here the same way.

A handler is ``handler(interpreter, command) -> None``. ``consumes_modifiers`` marks commands that
"execute" in mysqltest's sense: they use up the pending replace_*/sorted_result/lowercase_result.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from runner.engine.interpreter import Interpreter
    from runner.language.records import Command

Handler = Callable[["Interpreter", "Command"], None]


@dataclass(frozen=True, slots=True)
class Directive:
    name: str
    handler: Handler
    consumes_modifiers: bool


_REGISTRY: dict[str, Directive] = {}
_BUILTIN_MODULES = (
    "queries", "connections", "flow", "output", "files", "tidb", "blocking", "server", "replication",
    "optimizer_trace",
)
_loaded = False


def directive(*names: str, consumes_modifiers: bool = False) -> Callable[[Handler], Handler]:
    """Register ``handler`` under each of ``names`` (lower case, as the parser gives them)."""

    def register(handler: Handler) -> Handler:
        for name in names:
            _REGISTRY[name.lower()] = Directive(name.lower(), handler, consumes_modifiers)
        return handler

    return register


def lookup(name: str) -> Directive | None:
    _ensure_loaded()
    return _REGISTRY.get(name)


def implemented() -> frozenset[str]:
    _ensure_loaded()
    return frozenset(_REGISTRY)


def _ensure_loaded() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for module in _BUILTIN_MODULES:
        importlib.import_module(f"runner.engine.directives.{module}")
    # Plugins: a package exposing an entry point in group "tidbrun.directives" whose module
    # registers its handlers with @directive on import. (importlib.metadata loads here, at the
    # first command: a start that needs no handler does not pay for it.)
    from importlib.metadata import entry_points

    for entry in entry_points(group="tidbrun.directives"):
        entry.load()
