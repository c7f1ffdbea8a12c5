"""Config files (TOML, JSON, pyproject's [tool.tidbrun]) and the options' precedence: command line >
TIDB_* environment > file > defaults; errors name file:line and the key (with the closest valid one)."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

from runner.config import file as config_file
from runner.config.file import ConfigFileError
from runner.config.render import render
from runner.config.run_config import parse_variables
from runner.config.schema import builtin_schema
from runner.config.settings import SettingsError, config_path, resolve_options, settle
from runner.config.sources import OptionValueError, Resolution

GOOD_TOML = b"""# CI settings
[server]
host = "db.example"
port = 4000
user = "ci"
password = "from-file"
connect_timeout = 2.5

[test]
dialect = "mysql-tester"
force = true
statement_timeout = 30
reject_dir = "rejects"
var = { rows = 10000, mode = "fast", big = true }
"""

GOOD_JSON = json.dumps({
    "$comment": "keys starting with $ are comments",
    "server": {"host": "db.example", "port": 4000, "user": "ci", "password": "from-file", "connect_timeout": 2.5},
    "test": {"dialect": "mysql-tester", "force": True, "statement_timeout": 30, "reject_dir": "rejects",
             "var": {"rows": 10000, "mode": "fast", "big": True}},
}, indent=2).encode()

GOOD_PYPROJECT = b"""[project]
name = "mine"

[tool.ruff]
line-length = 100

[tool.tidbrun.server]
host = "db.example"
port = 4000
user = "ci"
password = "from-file"
connect_timeout = 2.5

[tool.tidbrun.test]
dialect = "mysql-tester"
force = true
statement_timeout = 30
reject_dir = "rejects"
var = { rows = 10000, mode = "fast", big = true }
"""

FORMATS = {"toml": ("tidbrun.toml", GOOD_TOML), "json": ("tidbrun.json", GOOD_JSON),
           "pyproject": ("pyproject.toml", GOOD_PYPROJECT)}


def write(folder: Path, name: str, data: bytes, mode: int = 0o600) -> Path:
    path = folder / name
    path.write_bytes(data)
    os.chmod(path, mode)
    return path


def options(path: Path | None, environ: dict[str, str] | None = None, **cli: Any) -> Resolution:
    return resolve_options(cli, config=path, environ=environ or {}, warn=io.StringIO())


def line_of(data: bytes, text: str) -> int:
    return next(n for n, line in enumerate(data.decode().splitlines(), 1) if text in line)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_a_good_file_of_each_format(tmp_path: Path, fmt: str) -> None:
    name, data = FORMATS[fmt]
    path = write(tmp_path, name, data)
    resolved = options(path)
    assert resolved["host"] == "db.example" and resolved["port"] == 4000 and resolved["user"] == "ci"
    assert resolved["force"] is True and resolved["statement_timeout"] == 30.0
    assert resolved["reject_dir"] == tmp_path / "rejects"  # relative to the file
    assert parse_variables(resolved["var"]) == {"rows": "10000", "mode": "fast", "big": "true"}
    assert resolved.origin("port") == f"file {path}:{line_of(data, 'port')}"
    assert resolved.origin("jobs") == "default" and resolved["jobs"] == 1
    assert "from-file" not in repr(resolved) and "from-file" not in repr(config_file.load(path))
    assert resolved.shown("password") == f"set (from file {path}:{line_of(data, 'password')})"


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_priority_command_line_then_environment_then_file_then_default(tmp_path: Path, fmt: str) -> None:
    name, data = FORMATS[fmt]
    path = write(tmp_path, name, data)
    environ = {"TIDB_PORT": "4100", "TIDB_USER": "env-user", "TIDB_FORCE": "false", "TIDB_VARS": "mode=env"}
    resolved = options(path, environ, user="cli-user", var=["rows=1"])
    assert resolved["user"] == "cli-user" and resolved.origin("user") == "cli --user"
    assert resolved["port"] == 4100 and resolved.origin("port") == "env TIDB_PORT"
    assert resolved["force"] is False and resolved.origin("force") == "env TIDB_FORCE"
    assert resolved["host"] == "db.example" and resolved.origin("host").startswith(f"file {path}:")
    assert resolved["database"] == "test" and resolved.origin("database") == "default"
    # --var joins its sources, the command line last: a later name wins
    assert parse_variables(resolved["var"]) == {"rows": "1", "mode": "env", "big": "true"}
    assert resolved.origin("var") == f"file {path}:{line_of(data, 'var')} + env TIDB_VARS + cli --var"


def test_defaults_without_any_source() -> None:
    resolved = options(None)
    for option in builtin_schema():
        assert resolved.origin(option.name) == "default"
        assert resolved[option.name] == option.default
    assert resolved["user"] == "root" and resolved["connect_timeout"] == 5.0 and resolved["log_format"] == "text"


def test_the_file_is_found_without_config(tmp_path: Path) -> None:
    assert config_path(None, {}, cwd=tmp_path) is None
    write(tmp_path, "pyproject.toml", b'[project]\nname = "x"\n')
    assert config_path(None, {}, cwd=tmp_path) is None  # no [tool.tidbrun]: not a config file
    pyproject = write(tmp_path, "pyproject.toml", GOOD_PYPROJECT)
    assert config_path(None, {}, cwd=tmp_path) == pyproject
    own_json = write(tmp_path, "tidbrun.json", GOOD_JSON)
    assert config_path(None, {}, cwd=tmp_path) == own_json
    own = write(tmp_path, "tidbrun.toml", GOOD_TOML)
    assert config_path(None, {}, cwd=tmp_path) == own  # tidbrun.toml first
    named = write(tmp_path, "other.json", GOOD_JSON)
    assert config_path(None, {"TIDB_CONFIG": str(named)}, cwd=tmp_path) == named
    assert config_path(pyproject, {"TIDB_CONFIG": str(named)}, cwd=tmp_path) == pyproject  # --config first


@pytest.mark.parametrize(
    ("name", "text", "line", "message"),
    [
        ("t.toml", b"[server]\nport = 4000\nhots = 'x'\n", 3,
         "unknown key 'hots' in [server] (did you mean [server] host?)"),
        ("t.toml", b"[test]\nstatment_timeout = 3\n", 2, "did you mean [test] statement_timeout?"),
        ("t.toml", b"[server]\n\n[tests]\nforce = true\n", 4,
         "unknown section [tests] (known: [server], [test]; a plugin"),
        ("t.toml", b"[server]\nport = \"4000\"\n", 2, "[server] port must be a port number"),
        ("t.toml", b"[test]\nforce = 1\n", 2, "[test] force must be true or false"),
        ("t.toml", b"[test]\nstatement_timeout = -1\n", 2, "statement_timeout must be a duration above 0"),
        ("t.toml", b"[test]\nlog_level = 'loud'\n", 2, "log_level must be one of debug, info, warning, error"),
        ("t.toml", b"[server]\nhost = \"a\"\nport = \n", 3, "not valid TOML"),
        ("t.toml", b"[server]\nhost = 'a'\nuser = '\xff'\n", 3, "not UTF-8"),
        ("t.toml", b"server = 1\n", 1, "'server' must be a [server] table"),
        ("t.toml", b"host = 'x'\n", 1, "unknown key 'host' outside a section (did you mean [server] host?)"),
        ("t.toml", b"[test]\nvar = { x = [1] }\n", 2, "var must be a table of NAME = value"),
        ("t.json", b'{\n  "server": {\n    "port": 1,\n    "hots": "x"\n  }\n}\n', 4,
         "unknown key 'hots' in [server] (did you mean [server] host?)"),
        ("t.json", b'{\n  "test": {\n    "jobs": "two"\n  }\n}\n', 3, "[test] jobs must be a whole number"),
        ("t.json", b'{\n  "test": {\n    "jobs": 2,\n  }\n}\n', 4, "not valid JSON"),
        ("pyproject.toml", b"[project]\nname='x'\n[tool.tidbrun.server]\nport = 1\nusr = 'x'\n", 5,
         "unknown key 'usr' in [server] (did you mean [server] user?)"),
    ],
)
def test_errors_name_the_file_line_and_key(tmp_path: Path, name: str, text: bytes, line: int, message: str) -> None:
    path = write(tmp_path, name, text)
    with pytest.raises(ConfigFileError) as raised:
        options(path)
    assert raised.value.location is not None and raised.value.location.line == line, str(raised.value)
    assert str(raised.value).startswith(f"{path}:{line}: ")
    assert message in str(raised.value)


def test_a_missing_file_is_our_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigFileError, match="cannot read config file"):
        config_file.load(tmp_path / "nosuch.toml")


@pytest.mark.parametrize(("variable", "text", "message"), [
    ("TIDB_PORT", "abc", "TIDB_PORT='abc': must be a port number (1-65535)"),
    ("TIDB_JOBS", "0", "TIDB_JOBS='0': must be a whole number of at least 1"),
    ("TIDB_FORCE", "maybe", "TIDB_FORCE='maybe': must be true or false"),
    ("TIDB_LOG_FORMAT", "xml", "must be one of text, json"),
])
def test_a_bad_variable_names_itself(variable: str, text: str, message: str) -> None:
    with pytest.raises(OptionValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        options(None, {variable: text})


def test_a_bad_password_variable_is_not_shown() -> None:
    with pytest.raises(OptionValueError) as raised:
        options(None, {"TIDB_PASSWORD": "\udcff-secret"})
    assert "secret" not in str(raised.value)


def test_a_password_readable_by_others_gets_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "tidbrun.toml", GOOD_TOML, 0o644)
    warnings = io.StringIO()
    resolve_options({}, config=path, environ={}, warn=warnings)
    assert f"{path} holds a password and other users can read it (chmod 600 {path})" in warnings.getvalue()
    os.chmod(path, 0o600)
    assert config_file.permission_warning(config_file.load(path)) is None
    no_password = write(tmp_path, "other.toml", b"[server]\nport = 1\n", 0o644)
    assert config_file.permission_warning(config_file.load(no_password)) is None


def test_the_password_and_its_source(tmp_path: Path) -> None:
    path = write(tmp_path, "tidbrun.toml", GOOD_TOML)
    from_file = settle(options(path))
    assert from_file.password == "from-file" and from_file.faults.password_source == f"config file {path}"
    assert from_file.faults.connect_timeout == 2.5 and from_file.faults.statement_timeout == 30
    from_env = settle(options(path, {"TIDB_PASSWORD": "from-env"}))
    assert from_env.password == "from-env" and from_env.faults.password_source == "TIDB_PASSWORD"
    from_cli = settle(options(path, {"TIDB_PASSWORD": "from-env"}, password="from-cli"))
    assert from_cli.password == "from-cli" and from_cli.faults.password_source == "--password"
    asked = settle(options(path, {"TIDB_PASSWORD": "from-env"}), ask_password=True, prompt=lambda text: "typed")
    assert asked.password == "typed" and asked.faults.password_source == "prompt"
    assert settle(options(None)).faults.password_source == "none"


def test_options_that_cannot_go_together() -> None:
    with pytest.raises(SettingsError, match="not both"):
        settle(options(None, password="x"), ask_password=True)
    with pytest.raises(SettingsError, match="forbids asking"):
        settle(options(None, no_password_prompt=True), ask_password=True)
    with pytest.raises(SettingsError, match="--testcase-timeout must be"):
        settle(options(None, testcase_timeout=0.0))


def test_a_choice_typed_on_the_command_line_is_checked() -> None:
    with pytest.raises(OptionValueError, match="--log-level 'loud': must be one of debug"):
        options(None, log_level="loud")


@pytest.mark.parametrize("fmt", ["toml", "json"])
def test_what_config_init_writes_reads_back_as_given(tmp_path: Path, fmt: str) -> None:
    given = {"host": "db.example", "port": 4000, "jobs": 3, "force": True, "statement_timeout": 2.5,
             "var": ["rows=10", "mode=a b"], "do_test": ["alias", "join"], "log_format": "json",
             "basedir": tmp_path / "mysql-test"}
    text = render(builtin_schema(), given, fmt)
    path = write(tmp_path, f"tidbrun.{fmt}", text.encode())
    resolved = options(path)
    for name, value in given.items():
        assert resolved[name] == value, name
        assert resolved.origin(name).startswith(f"file {path}:")
    assert resolved.origin("user") == "default"  # only the values given are set
    for option in builtin_schema():  # every option is in the file, with its help
        assert option.help in text
