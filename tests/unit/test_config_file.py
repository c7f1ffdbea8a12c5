"""--config: a TOML file below the command line and the environment; errors name file:line."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from runner.config import file as config_file
from runner.config.file import ConfigFileError
from runner.config.settings import SettingsError, resolve

GOOD = b"""# CI settings
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


def write(tmp_path: Path, data: bytes, mode: int = 0o600) -> Path:
    path = tmp_path / "tidbrun.toml"
    path.write_bytes(data)
    os.chmod(path, mode)
    return path


def test_a_good_file(tmp_path: Path) -> None:
    settings = config_file.load(write(tmp_path, GOOD))
    assert settings.server["port"] == 4000 and settings.password == "from-file"
    assert settings.test["force"] is True and settings.test["statement_timeout"] == 30.0
    assert settings.test["reject_dir"] == str(tmp_path / "rejects")  # relative to the file
    assert settings.test["var"] == {"rows": "10000", "mode": "fast", "big": "true"}
    assert settings.as_environment() == {"TIDB_HOST": "db.example", "TIDB_PORT": "4000", "TIDB_USER": "ci"}
    assert "from-file" not in repr(settings)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (b"[server]\nport = 4000\nhots = 'x'\n", 3, "unknown key 'hots' in [server]"),
        (b"[server]\n\n[tests]\nforce = true\n", 3, "unknown section [tests]"),
        (b"[server]\nport = \"4000\"\n", 2, "port must be a port number"),
        (b"[test]\nforce = 1\n", 2, "force must be true or false"),
        (b"[test]\nstatement_timeout = -1\n", 2, "statement_timeout must be a duration above 0: a number of seconds"),
        (b"[server]\nhost = \"a\"\nport = \n", 3, "not valid TOML"),
        (b"[server]\nhost = 'a'\nuser = '\xff'\n", 3, "not UTF-8"),
        (b"server = 1\n", 1, "'server' must be a [server] table"),
        (b"[test]\nvar = { x = [1] }\n", 2, "var must be a table of NAME = value"),
    ],
)
def test_errors_name_the_line(tmp_path: Path, text: bytes, line: int, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigFileError) as raised:
        config_file.load(path)
    assert raised.value.location is not None and raised.value.location.line == line
    assert str(raised.value).startswith(f"{path}:{line}: ")
    assert message in str(raised.value)


def test_a_missing_file_is_our_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigFileError, match="cannot read config file"):
        config_file.load(tmp_path / "nosuch.toml")


def test_a_password_readable_by_others_gets_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD, 0o644)
    warnings = io.StringIO()
    resolve(config_path=path, password=None, ask_password=False, no_password_prompt=True, statement_timeout=None,
            testcase_timeout=None, suite_timeout=None, connect_timeout=None, log_file=None, report_file=None,
            environ={}, warn=warnings)
    assert f"{path} holds a password and other users can read it (chmod 600 {path})" in warnings.getvalue()
    os.chmod(path, 0o600)
    assert config_file.permission_warning(config_file.load(path)) is None
    no_password = write(tmp_path, b"[server]\nport = 1\n", 0o644)
    assert config_file.permission_warning(config_file.load(no_password)) is None


def settle(path: Path | None, environ: dict[str, str], **options: object) -> object:
    defaults: dict[str, object] = dict(
        config_path=path, password=None, ask_password=False, no_password_prompt=True, statement_timeout=None,
        testcase_timeout=None, suite_timeout=None, connect_timeout=None, log_file=None, report_file=None,
        environ=environ, warn=io.StringIO(),
    )
    defaults.update(options)
    return resolve(**defaults)  # type: ignore[arg-type]


def test_priority_command_line_then_environment_then_file(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    from_file = settle(path, {})
    assert from_file.password == "from-file" and from_file.faults.password_source == f"config file {path}"  # type: ignore[attr-defined]
    assert from_file.faults.connect_timeout == 2.5 and from_file.faults.statement_timeout == 30  # type: ignore[attr-defined]
    from_env = settle(path, {"TIDB_PASSWORD": "from-env", "TIDB_HOST": "env.example"})
    assert from_env.password == "from-env" and from_env.faults.password_source == "TIDB_PASSWORD"  # type: ignore[attr-defined]
    assert from_env.environ["TIDB_HOST"] == "env.example" and from_env.environ["TIDB_PORT"] == "4000"  # type: ignore[attr-defined]
    from_cli = settle(path, {"TIDB_PASSWORD": "from-env"}, password="from-cli", statement_timeout=5.0)
    assert from_cli.password == "from-cli" and from_cli.faults.password_source == "--password"  # type: ignore[attr-defined]
    assert from_cli.faults.statement_timeout == 5.0  # type: ignore[attr-defined]
    asked = settle(path, {"TIDB_PASSWORD": "from-env"}, ask_password=True, no_password_prompt=False,
                   prompt=lambda text: "typed")
    assert asked.password == "typed" and asked.faults.password_source == "prompt"  # type: ignore[attr-defined]


def test_options_that_cannot_go_together(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="not both"):
        settle(None, {}, password="x", ask_password=True)
    with pytest.raises(SettingsError, match="forbids asking"):
        settle(None, {}, ask_password=True, no_password_prompt=True)
    with pytest.raises(SettingsError, match="--testcase-timeout must be"):
        settle(None, {}, testcase_timeout=0.0)
