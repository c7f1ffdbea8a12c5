"""The process's plugins: tidbrun's built-in ones, the entry-point group ``tidbrun``, and ``--plugin``
modules, behind one pluggy manager (the hooks are in ``runner.hooks``).

Hooks are called one implementation at a time, so that one that raises is reported by its
plugin's name (``PluginError``: one line, exit code 2) instead of a traceback from pluggy's loop.
A test outcome (``TestSkipped``, ``TestFailure``...) raised by a test hook is the test's, not an
error of the plugin.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pluggy

from runner import hooks
from runner.config import schema as builtin_options
from runner.config.schema import OptionRegistering, Schema
from runner.dialects import builtin as builtin_dialects
from runner.dialects.profile import DialectProfile
from runner.engine.directives import builtin as builtin_directives
from runner.engine.directives.registry import DirectiveRegistry, Registering
from runner.engine.outcomes import BreakLoop, TestExit, TestFailure, TestSkipped
from runner.errors import PluginError, TidbrunError
from runner.judge import verdict
from runner.run import kind_python, kind_script, kind_template
from runner.run.kind import TestKindRegistering, TestKinds

if TYPE_CHECKING:
    from runner.run.testinfo import TestInfo
    from runner.sessions.driver import Connection, Outcome
    from runner.sessions.session import Session, StatementWrapper

ENTRY_POINT_GROUP = "tidbrun"
BUILTIN: tuple[tuple[str, ModuleType], ...] = (
    ("tidbrun.directives", builtin_directives),
    ("tidbrun.dialects", builtin_dialects),
    ("tidbrun.judge", verdict),
    ("tidbrun.options", builtin_options),
    ("tidbrun.kind.test", kind_script),
    ("tidbrun.kind.python", kind_python),
    ("tidbrun.kind.template", kind_template),
)
_PASS_THROUGH = (TestFailure, TestSkipped, TestExit, BreakLoop, KeyboardInterrupt)


class DialectRegistering:
    """What a ``tidbrun_add_dialects`` hook gets: ``add(profile)``."""

    def __init__(self, dialects: dict[str, DialectProfile]) -> None:
        self._dialects = dialects

    def add(self, profile: DialectProfile) -> None:
        self._dialects[profile.name] = profile


def _direct(session: Session, connection: Connection, sql: str) -> Outcome:
    return connection.execute(sql)


class Plugins:
    def __init__(
        self, modules: Sequence[str] = (), *, entry_points: bool = True, objects: Sequence[tuple[str, object]] = ()
    ) -> None:
        """``modules``: ``--plugin`` names or files; ``objects``: plugins already at hand, by name."""
        self.modules = tuple(modules)
        self.manager = pluggy.PluginManager(hooks.PROJECT)
        self.manager.add_hookspecs(hooks)
        for name, module in BUILTIN:
            self.manager.register(module, name=name)
        self._builtin = frozenset(name for name, _ in BUILTIN)
        if entry_points:
            self._load_entry_points()
        for spec in self.modules:
            self.register(_import(spec), spec)
        for name, plugin in objects:
            self.register(plugin, name)
        self._check_names()
        self.directives = DirectiveRegistry()
        for impl in self._impls("tidbrun_add_directives"):
            registering = Registering(self.directives, impl.plugin_name, builtin=impl.plugin_name in self._builtin)
            self._call(impl, "tidbrun_add_directives", {"directives": registering})
        self.dialects: dict[str, DialectProfile] = {}
        self.call("tidbrun_add_dialects", dialects=DialectRegistering(self.dialects))
        self.kinds = TestKinds()
        # In the order registered: a plugin's kind comes after (and wins over) the built-in ones.
        for impl in self.manager.hook.tidbrun_add_test_kinds.get_hookimpls():
            kinds = TestKindRegistering(self.kinds, impl.plugin_name, builtin=impl.plugin_name in self._builtin)
            self._call(impl, "tidbrun_add_test_kinds", {"kinds": kinds})
        self.options = Schema()
        # In the order registered: the built-in options first, so that a clash names the plugin.
        for impl in self.manager.hook.tidbrun_add_options.get_hookimpls():
            adding = OptionRegistering(self.options, _section_name(impl.plugin_name))
            self._call(impl, "tidbrun_add_options", {"options": adding})

    def register(self, plugin: object, name: str) -> None:
        """Add a plugin; its registration hooks have run already if it comes after the start
        (the run's own watchdog does): only its test and statement hooks then count."""
        try:
            self.manager.register(plugin, name=name)
        except ValueError as exc:  # already registered, or a hookimpl no spec knows
            raise PluginError(name, str(exc)) from None
        except pluggy.PluginValidationError as exc:
            raise PluginError(name, str(exc)) from None

    def _check_names(self) -> None:
        # A hook implementation no spec knows (a misspelt name) would never be called.
        try:
            self.manager.check_pending()
        except pluggy.PluginValidationError as exc:
            raise PluginError(self.manager.get_name(exc.plugin) or str(exc.plugin), str(exc)) from None

    def unregister(self, name: str) -> None:
        plugin = self.manager.get_plugin(name)
        if plugin is not None:
            self.manager.unregister(plugin, name=name)

    def _load_entry_points(self) -> None:
        from importlib.metadata import entry_points

        for entry in entry_points(group=ENTRY_POINT_GROUP):
            if self.manager.get_plugin(entry.name) is not None:
                continue  # a distribution seen twice on the path
            try:
                plugin = entry.load()
            except Exception as exc:
                raise PluginError(entry.name, f"cannot load {entry.value}: {type(exc).__name__}: {exc}") from None
            self.register(plugin, entry.name)

    # -- calling hooks -------------------------------------------------------------------------------

    def _impls(self, hook: str) -> list[pluggy.HookImpl]:
        # pluggy's call order: the last registered first, tryfirst before, trylast after.
        return list(reversed(getattr(self.manager.hook, hook).get_hookimpls()))

    def _call(self, impl: pluggy.HookImpl, hook: str, kwargs: dict[str, Any]) -> Any:
        try:
            return impl.function(*(kwargs[arg] for arg in impl.argnames))
        except (*_PASS_THROUGH, PluginError):
            raise
        except TidbrunError as exc:
            raise PluginError(impl.plugin_name, f"{hook}: {exc}") from None
        except Exception as exc:
            raise PluginError(impl.plugin_name, f"{hook} raised {type(exc).__name__}: {exc}") from None

    def call(self, hook: str, **kwargs: Any) -> list[Any]:
        """Every implementation's answer that is not None."""
        results = []
        for impl in self._impls(hook):
            result = self._call(impl, hook, kwargs)
            if result is not None:
                results.append(result)
        return results

    def first(self, hook: str, **kwargs: Any) -> Any:
        """The first answer that is not None (the hooks specified ``firstresult``)."""
        for impl in self._impls(hook):
            result = self._call(impl, hook, kwargs)
            if result is not None:
                return result
        return None

    def has(self, hook: str) -> bool:
        return bool(getattr(self.manager.hook, hook).get_hookimpls())

    def statement_wrapper(self, test: TestInfo) -> StatementWrapper | None:
        """The test's wrappers chained, innermost (the watchdog, trylast) first; None: no wrapper."""
        wrapper: StatementWrapper = _direct
        for impl in reversed(self._impls("tidbrun_statement_wrapper")):
            wrapper = self._call(impl, "tidbrun_statement_wrapper", {"test": test, "inner": wrapper}) or wrapper
        return None if wrapper is _direct else wrapper

    def dialect(self, name: str) -> DialectProfile:
        profile = self.dialects.get(name)
        if profile is None:
            known = ", ".join(sorted(self.dialects))
            raise TidbrunError(f"no dialect named {name!r} (known: {known})")
        return profile


def _section_name(plugin_name: str) -> str:
    """A plugin's default config-file section: its module's last name (a file's stem)."""
    return Path(plugin_name).stem.rpartition(".")[2] if plugin_name.endswith(".py") else plugin_name.rpartition(".")[2]


def _import(spec: str) -> ModuleType:
    """A module by name, or a ``.py`` file by path."""
    try:
        if spec.endswith(".py") or "/" in spec:
            path = Path(spec)
            if not path.is_file():
                raise FileNotFoundError(f"no such file: {path}")
            name = f"tidbrun_plugin_{path.stem}"
            module_spec = importlib.util.spec_from_file_location(name, path)
            if module_spec is None or module_spec.loader is None:
                raise ImportError(f"cannot import {path}")
            module = importlib.util.module_from_spec(module_spec)
            sys.modules[name] = module  # pickled hooks and dataclasses find their module
            module_spec.loader.exec_module(module)
            return module
        return importlib.import_module(spec)
    except Exception as exc:
        sys.modules.pop(f"tidbrun_plugin_{Path(spec).stem}", None)
        raise PluginError(spec, f"cannot load: {type(exc).__name__}: {exc}") from None


_current: Plugins | None = None


def current() -> Plugins:
    """The process's plugins: the built-ins and the entry points, unless ``activate`` chose more."""
    global _current
    if _current is None:
        _current = Plugins()
    return _current


def activate(modules: Iterable[str]) -> Plugins:
    """The plugins of a run (``--plugin`` modules besides the built-ins and entry points)."""
    global _current
    modules = tuple(modules)
    if _current is None or _current.modules != modules:
        _current = Plugins(modules)
    return _current
