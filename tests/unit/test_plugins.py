"""The plugin API without a server: one registry that the readers consult, hook calls that name a
failing plugin, statement wrappers chained once, plugins from entry points and from files."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from runner import errors, plugins
from runner.dialects.mysql_tester.reader import parse_tester_text
from runner.engine import outcomes
from runner.engine.directives.registry import DirectiveRegistry, Registering
from runner.errors import PluginError
from runner.hooks import hookimpl
from runner.language.parser import parse_text
from runner.language.records import Command

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "tidbrun_example_plugin.py"


def _plugin(name: str, **hooks: Any) -> ModuleType:
    module = ModuleType(name)
    for hook, function in hooks.items():
        setattr(module, hook, hookimpl(function))
    return module


def _with(*modules: ModuleType) -> plugins.Plugins:
    return plugins.Plugins(entry_points=False, objects=[(module.__name__, module) for module in modules])


def test_built_ins_register_through_the_hooks_and_add_no_new_name() -> None:
    loaded = plugins.Plugins(entry_points=False)
    assert set(loaded.dialects) == {"mysqltest", "mysql-tester"}
    for dialect in loaded.dialects:
        assert loaded.directives.added_names(dialect) == frozenset()
    echo = loaded.directives.lookup("echo", "mysqltest")
    assert echo is not None and echo.plugin == "tidbrun.directives"
    tester_echo = loaded.directives.lookup("echo", "mysql-tester")
    assert tester_echo is not None and tester_echo.plugin == "tidbrun.dialects"
    assert loaded.directives.lookup("banner", "mysqltest") is None


def test_a_plugin_adds_a_new_name_that_both_readers_take_for_a_command() -> None:
    loaded = plugins.Plugins([str(EXAMPLE)], entry_points=False)
    for dialect in ("mysqltest", "mysql-tester"):
        assert {"banner", "assert_row_count"} <= loaded.directives.added_names(dialect)
        entry = loaded.directives.lookup("banner", dialect)
        assert entry is not None and entry.plugin == str(EXAMPLE)
    added = loaded.directives.added_names("mysqltest")
    for parse in (lambda text, commands: parse_text(text, "a.test", commands=commands),
                  lambda text, commands: parse_tester_text(text, "a.test", commands)):
        records = parse("--banner hi\nbanner there;\nselect 1;\n", added).records
        assert [(r.name, r.style) for r in records if isinstance(r, Command)] == [
            ("banner", "dash"), ("banner", "delimited")
        ]
        with pytest.raises(errors.TestFileError, match="'--banner' is not a mysql"):
            parse("--banner hi\n", frozenset())


def test_a_name_for_one_dialect_only() -> None:
    def add(directives: Registering) -> None:
        directives.add("tester_only", lambda ctx, command: None, dialects=["mysql-tester"])

    loaded = _with(_plugin("one_dialect", tidbrun_add_directives=add))
    assert "tester_only" in loaded.directives.added_names("mysql-tester")
    assert "tester_only" not in loaded.directives.added_names("mysqltest")
    assert loaded.directives.lookup("tester_only", "mysqltest") is None


def test_a_plugin_overrides_a_built_in_name() -> None:
    def handler(ctx: Any, command: Command) -> None:
        pass

    loaded = plugins.Plugins(entry_points=False)
    registry = loaded.directives
    Registering(registry, "mine", builtin=False).add("sleep", handler)
    entry = registry.lookup("sleep", "mysqltest")
    assert entry is not None and entry.plugin == "mine"


def test_a_directive_name_must_be_a_word() -> None:
    with pytest.raises(PluginError, match=r"plugin 'p': directive name 'no good' is not a word"):
        Registering(DirectiveRegistry(), "p", builtin=False).add("no good", lambda ctx, command: None)


def test_a_hook_that_raises_is_named_and_a_test_outcome_is_not_its_error() -> None:
    def broken(test: Any) -> None:
        raise KeyError("gone")

    def skipping(test: Any) -> None:
        raise outcomes.TestSkipped("not today")

    with pytest.raises(PluginError) as raised:
        _with(_plugin("broken_one", tidbrun_test_setup=broken)).call("tidbrun_test_setup", test=None)
    assert str(raised.value) == "plugin 'broken_one': tidbrun_test_setup raised KeyError: 'gone'"
    with pytest.raises(outcomes.TestSkipped):
        _with(_plugin("skipping", tidbrun_test_setup=skipping)).call("tidbrun_test_setup", test=None)


def test_a_hook_with_an_unknown_name_is_refused_naming_the_plugin() -> None:
    with pytest.raises(PluginError, match="plugin 'typo'"):
        _with(_plugin("typo", tidbrun_test_stup=lambda test: None))


def test_statement_wrappers_chain_once_innermost_first() -> None:
    calls: list[str] = []

    class Innermost:
        @hookimpl(trylast=True)
        def tidbrun_statement_wrapper(self, test: Any, inner: Any) -> Any:
            def run(session: Any, connection: Any, sql: str) -> Any:
                calls.append("inner")
                return inner(session, connection, sql)

            return run

    def outer(test: Any, inner: Any) -> Any:
        def run(session: Any, connection: Any, sql: str) -> Any:
            calls.append("outer")
            return inner(session, connection, sql)

        return run

    class Connection:
        def execute(self, sql: str) -> str:
            calls.append(sql)
            return "outcome"

    assert plugins.Plugins(entry_points=False).statement_wrapper(None) is None  # type: ignore[arg-type]
    loaded = plugins.Plugins(entry_points=False)
    loaded.register(Innermost(), "innermost")
    loaded.register(_plugin("outer", tidbrun_statement_wrapper=outer), "outer")
    wrapper = loaded.statement_wrapper(None)  # type: ignore[arg-type]
    assert wrapper is not None
    assert wrapper(None, Connection(), "select 1") == "outcome"  # type: ignore[arg-type]
    assert calls == ["outer", "inner", "select 1"]


def test_a_plugin_from_an_entry_point(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ep_plugin_ok.py").write_text(
        "from runner.hooks import hookimpl\n"
        "@hookimpl\n"
        "def tidbrun_add_directives(directives):\n"
        "    directives.add('from_entry_point', lambda ctx, command: None)\n"
    )
    info = tmp_path / "ep_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: ep-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[tidbrun]\nep = ep_plugin_ok\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    loaded = plugins.Plugins()
    entry = loaded.directives.lookup("from_entry_point", "mysqltest")
    assert entry is not None and entry.plugin == "ep"
    assert plugins.Plugins(entry_points=False).directives.lookup("from_entry_point") is None
    (info / "entry_points.txt").write_text("[tidbrun]\nep = ep_plugin_missing\n")
    with pytest.raises(PluginError, match=r"^plugin 'ep': cannot load ep_plugin_missing: ModuleNotFoundError"):
        plugins.Plugins()


def test_a_plugin_file_or_module_that_cannot_load(tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("raise RuntimeError('half written')\n")
    with pytest.raises(PluginError, match=r"plugin '.*broken.py': cannot load: RuntimeError: half written"):
        plugins.Plugins([str(broken)], entry_points=False)
    assert "tidbrun_plugin_broken" not in sys.modules
    with pytest.raises(PluginError, match=r"plugin 'no_such_plugin_here': cannot load: ModuleNotFoundError"):
        plugins.Plugins(["no_such_plugin_here"], entry_points=False)


def test_activate_keeps_the_plugins_of_the_same_modules() -> None:
    first = plugins.activate([str(EXAMPLE)])
    try:
        assert plugins.activate([str(EXAMPLE)]) is first
        assert plugins.current() is first
    finally:
        plugins.activate([])
    assert plugins.current().directives.lookup("banner") is None


def test_handlers_made_in_a_loop_register_too() -> None:
    # enable_*/disable_* handlers are made by a function, not written one by one.
    directives = plugins.Plugins(entry_points=False).directives
    for toggle in ("query_log", "result_log", "warnings", "info", "metadata", "abort_on_error"):
        for name in (f"enable_{toggle}", f"disable_{toggle}"):
            assert directives.lookup(name, "mysqltest") is not None, name
            assert directives.lookup(name, "mysql-tester") is not None, name
