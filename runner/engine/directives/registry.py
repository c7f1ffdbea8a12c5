"""The one registry of directive handlers: built-ins and plugins fill it through the same hook
(``tidbrun_add_directives`` in ``runner.hooks``), and the readers consult it for the names they
accept, so a plugin can add a name neither mysqltest nor mysql-tester has.

A built-in handler is ``handler(interpreter, command) -> None`` (``internal=True``); a plugin's is
``handler(ctx, command) -> None`` with ``ctx`` a ``runner.engine.context.DirectiveContext``.
``consumes_modifiers`` marks commands that "execute" in mysqltest's sense: they use up the pending
replace_*/sorted_result/lowercase_result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from runner.engine.context import DirectiveContext
from runner.engine.outcomes import BreakLoop, TestExit, TestFailure, TestSkipped
from runner.errors import PluginError

if TYPE_CHECKING:
    from runner.engine.interpreter import Interpreter
    from runner.language.records import Command

Handler = Callable[["Interpreter", "Command"], None]
PluginHandler = Callable[[DirectiveContext, "Command"], None]
# What ``@directive`` marked, by the module that defines the handler (handlers made in a loop
# are no module attribute of their own).
_MARKED: dict[str, list[tuple[str, Handler, bool]]] = {}


@dataclass(frozen=True, slots=True)
class Directive:
    name: str
    handler: Handler
    consumes_modifiers: bool
    plugin: str = "tidbrun"  # who registered it: failures of its handler name it


def directive(*names: str, consumes_modifiers: bool = False) -> Callable[[Handler], Handler]:
    """Mark ``handler`` as the built-in directive ``names`` (lower case, as the readers give them);
    ``add_module`` registers what a module marked."""

    def mark(handler: Handler) -> Handler:
        marked = _MARKED.setdefault(handler.__module__, [])
        marked.extend((name.lower(), handler, consumes_modifiers) for name in names)
        return handler

    return mark


@dataclass(slots=True)
class DirectiveRegistry:
    """Handlers by name: ``shared`` ones serve every dialect, ``by_dialect`` ones come first in theirs."""

    shared: dict[str, Directive] = field(default_factory=dict)
    by_dialect: dict[str, dict[str, Directive]] = field(default_factory=dict)
    # Names plugins added, by dialect (None: all): the readers take them for commands.
    _added: dict[str | None, set[str]] = field(default_factory=dict)

    def lookup(self, name: str, dialect: str = "mysqltest") -> Directive | None:
        own = self.by_dialect.get(dialect)
        if own is not None:
            entry = own.get(name)
            if entry is not None:
                return entry
        return self.shared.get(name)

    def names(self, dialect: str = "mysqltest") -> frozenset[str]:
        return frozenset(self.shared) | frozenset(self.by_dialect.get(dialect, ()))

    def added_names(self, dialect: str) -> frozenset[str]:
        """The names plugins added for ``dialect``, which its reader must take for commands."""
        return frozenset(self._added.get(None, ())) | frozenset(self._added.get(dialect, ()))

    def put(self, entry: Directive, dialects: Iterable[str] | None, *, new_name: bool) -> None:
        if dialects is None:
            self.shared[entry.name] = entry
        else:
            for dialect in dialects:
                self.by_dialect.setdefault(dialect, {})[entry.name] = entry
        if new_name:
            keys: tuple[str | None, ...] = (None,) if dialects is None else tuple(dialects)
            for key in keys:
                self._added.setdefault(key, set()).add(entry.name)


class Registering:
    """What a ``tidbrun_add_directives`` hook gets: ``add`` registers in the name of its plugin."""

    def __init__(self, registry: DirectiveRegistry, plugin: str, *, builtin: bool) -> None:
        self._registry = registry
        self.plugin = plugin
        self._builtin = builtin

    def add(
        self,
        name: str,
        handler: Callable[[Any, Command], None],
        *,
        dialects: Iterable[str] | None = None,
        consumes_modifiers: bool = False,
        internal: bool = False,
    ) -> None:
        """Register ``handler`` as the directive ``name``, for ``dialects`` (None: every dialect).

        ``internal``: the handler takes the interpreter itself (tidbrun's own handlers); otherwise
        it takes a ``DirectiveContext``."""
        name = name.lower()
        if not name.replace("_", "").isalnum():
            raise PluginError(self.plugin, f"directive name {name!r} is not a word")
        wrapped = handler if internal else _with_context(handler, self.plugin, name)
        self._registry.put(
            Directive(name, wrapped, consumes_modifiers, self.plugin),
            tuple(dialects) if dialects is not None else None,
            new_name=not self._builtin,
        )

    def add_module(self, module: ModuleType, *, dialects: Iterable[str] | None = None) -> None:
        """Register every handler ``module`` marked with ``@directive`` (built-ins: internal)."""
        for name, handler, consumes in _MARKED.get(module.__name__, ()):
            self.add(name, handler, dialects=dialects, consumes_modifiers=consumes, internal=self._builtin)


def _with_context(handler: PluginHandler, plugin: str, name: str) -> Handler:
    def run(interpreter: Interpreter, command: Command) -> None:
        try:
            handler(DirectiveContext(interpreter, command), command)
        except (TestFailure, TestSkipped, TestExit, BreakLoop, PluginError):
            raise
        except Exception as exc:
            raise PluginError(plugin, f"directive '{name}' raised {type(exc).__name__}: {exc}") from None

    return run
