"""Options that plugins add to the schema: through the same hook as the built-in ones, read from
the environment and the file, checked like the built-in ones, and clashes named."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from runner import plugins
from runner.config.file import ConfigFileError, parse
from runner.config.render import render
from runner.config.schema import OPTIONS, SECONDS, OptionRegistering
from runner.config.sources import OptionValueError, resolve
from runner.errors import PluginError
from runner.hooks import hookimpl

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "tidbrun_example_plugin.py"


def _plugin(name: str, adds: Any) -> ModuleType:
    module = ModuleType(name)
    module.tidbrun_add_options = hookimpl(adds)  # type: ignore[attr-defined]
    return module


def _with(module: ModuleType) -> plugins.Plugins:
    return plugins.Plugins(entry_points=False, objects=[(module.__name__, module)])


def test_the_built_in_options_come_through_the_hook() -> None:
    schema = plugins.Plugins(entry_points=False).options
    assert [option.name for option in schema] == [option.name for option in OPTIONS]


def test_a_plugin_option_from_every_source() -> None:
    def adds(options: OptionRegistering) -> None:
        options.add("rows", default=10, help="Rows to load.")
        options.add("pause", default=0.5, help="Seconds between polls.", kind=SECONDS, section="poll")

    schema = _with(_plugin("mine.loader", adds)).options
    assert schema["rows"].place == "[loader] rows" and schema["rows"].variable == "TIDB_ROWS"
    file = parse(b"[loader]\nrows = 20\n[poll]\npause = 2\n", Path("t.toml"))
    from_file = resolve(schema, cli={}, environ={}, file=file)
    assert (from_file["rows"], from_file.origin("rows")) == (20, "file t.toml:2")
    assert from_file["pause"] == 2.0
    from_env = resolve(schema, cli={}, environ={"TIDB_ROWS": "30"}, file=file)
    assert (from_env["rows"], from_env.origin("rows")) == (30, "env TIDB_ROWS")
    assert resolve(schema, cli={}, environ={}, file=None)["rows"] == 10
    with pytest.raises(ConfigFileError, match=r"t.toml:2: \[loader\] rows must be a whole number"):
        resolve(schema, cli={}, environ={}, file=parse(b"[loader]\nrows = 'many'\n", Path("t.toml")))
    misspelt = r"t.toml:2: unknown key 'row' in \[loader\] \(did you mean \[loader\] rows"
    with pytest.raises(ConfigFileError, match=misspelt):
        resolve(schema, cli={}, environ={}, file=parse(b"[loader]\nrow = 1\n", Path("t.toml")))
    with pytest.raises(OptionValueError, match="TIDB_PAUSE='-1': must be a duration above 0"):
        resolve(schema, cli={}, environ={"TIDB_PAUSE": "-1"}, file=None)
    text = render(schema, {"rows": 5}, "toml")
    assert "[loader]\n# Rows to load. (env TIDB_ROWS; default: 10)\nrows = 5\n" in text


@pytest.mark.parametrize("name", ["host", "port"])
def test_a_clash_with_a_built_in_option_names_the_plugin(name: str) -> None:
    def adds(options: OptionRegistering) -> None:
        options.add(name, default="x", section="server", help="mine")

    with pytest.raises(PluginError) as raised:
        _with(_plugin("clashing", adds))
    assert "plugin 'clashing'" in str(raised.value) and f"clashes with '{name}'" in str(raised.value)


def test_the_example_plugin_adds_its_option() -> None:
    schema = plugins.Plugins([str(EXAMPLE)], entry_points=False).options
    option = schema["example_variable"]
    assert option.place == "[example] variable" and option.default == "EXAMPLE_PLUGIN"
    assert option.variable == "TIDB_EXAMPLE_VARIABLE"


def test_help_lists_the_options_of_loaded_plugins() -> None:
    from typer.testing import CliRunner

    from runner.cli.app import app

    previous = plugins.current().modules
    try:
        plugins.activate([str(EXAMPLE)])
        shown = CliRunner().invoke(app, ["--help"], terminal_width=200).output
        assert "Options plugins add" in shown
        assert "[example] variable, TIDB_EXAMPLE_VARIABLE" in shown
        plugins.activate([])
        assert "Options plugins add" not in CliRunner().invoke(app, ["--help"]).output
    finally:
        plugins.activate(previous)
