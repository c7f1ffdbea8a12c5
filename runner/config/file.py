"""``--config tidbrun.toml``: settings from a file, below the command line and the environment.

    [server]                      [test]
    host = "127.0.0.1"            dialect = "mysqltest"
    port = 4000                   force = true
    user = "ci"                   statement_timeout = 30
    password = "..."              testcase_timeout = "10m"  (a number of seconds, or 90s/15m/1h)
    socket = "/run/mysqld.sock"   suite_timeout = "1h"
    database = "test"             basedir / reject_dir / vardir / log_file / report_file = "path"
    connect_timeout = 5

Relative paths are taken from the file's folder. Anything else — an unknown section or key, a
value of the wrong type, text that is not TOML — is an error naming ``file:line``. A file that
holds a password and that others can read gets a warning.
"""

from __future__ import annotations

import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner.config.durations import UNITS_HINT, parse_duration
from runner.errors import TestFileError
from runner.language.records import Location


class ConfigFileError(TestFileError):
    """A config file tidbrun cannot use, reported as ``file:line: message``."""


def _positive_number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        return None
    return float(value)


def _duration(value: Any) -> float | None:
    """A number of seconds, or text with a unit (``"15m"``), as on the command line."""
    if isinstance(value, str):
        try:
            return parse_duration(value)
        except ValueError:
            return None
    return _positive_number(value)


def _port(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 65536:
        return None
    return value


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        value.encode("utf-8")  # TOML's \\uXXXX escapes can make a lone surrogate
    except UnicodeEncodeError:
        return None
    return value


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _variables(value: Any) -> dict[str, str] | None:
    """``var = { rows = 1000, isolation = "SERIALIZABLE" }``: mysqltest variables, as text."""
    if not isinstance(value, dict):
        return None
    variables: dict[str, str] = {}
    for name, item in value.items():
        if not re.fullmatch(r"[A-Za-z0-9_]+", name) or not isinstance(item, str | int | float | bool):
            return None
        variables[name] = str(item).lower() if isinstance(item, bool) else str(item)
    return variables


# section -> key -> (converter returning None for a bad value, what a good value is)
Converter = Callable[[Any], Any]
SCHEMA: dict[str, dict[str, tuple[Converter, str]]] = {
    "server": {
        "host": (_text, "a string"),
        "port": (_port, "a port number (1-65535)"),
        "user": (_text, "a string"),
        "password": (_text, "a string"),
        "socket": (_text, "a string"),
        "database": (_text, "a string"),
        "connect_timeout": (_duration, UNITS_HINT),
    },
    "test": {
        "dialect": (_text, "a string"),
        "force": (_flag, "true or false"),
        "verbose": (_flag, "true or false"),
        "statement_timeout": (_duration, UNITS_HINT),
        "testcase_timeout": (_duration, UNITS_HINT),
        "suite_timeout": (_duration, UNITS_HINT),
        "basedir": (_text, "a path"),
        "reject_dir": (_text, "a path"),
        "vardir": (_text, "a path"),
        "log_file": (_text, "a path"),
        "report_file": (_text, "a path"),
        "var": (_variables, "a table of NAME = value (mysqltest variables, as --var)"),
    },
}
PATH_KEYS = frozenset({"basedir", "reject_dir", "vardir", "log_file", "report_file"})
# The [server] keys, as the TIDB_* variables they stand below.
ENVIRONMENT_NAMES = {"host": "TIDB_HOST", "port": "TIDB_PORT", "user": "TIDB_USER", "database": "TIDB_DATABASE"}

_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")


@dataclass(slots=True)
class FileSettings:
    path: Path
    server: dict[str, Any] = field(default_factory=dict)
    test: dict[str, Any] = field(default_factory=dict)

    @property
    def password(self) -> str | None:
        value = self.server.get("password")
        return value if isinstance(value, str) else None

    def as_environment(self) -> dict[str, str]:
        """The [server] settings as the TIDB_* variables (the real environment goes over them)."""
        return {name: str(self.server[key]) for key, name in ENVIRONMENT_NAMES.items() if key in self.server}

    def __repr__(self) -> str:  # never the password
        return f"FileSettings(path={self.path!s}, server keys={sorted(self.server)}, test={self.test!r})"


def load(path: Path) -> FileSettings:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigFileError(None, f"cannot read config file {path}: {exc.strerror}") from None
    return parse(data, str(path), base=path.resolve().parent)


def parse(data: bytes, name: str, *, base: Path) -> FileSettings:
    """Config file bytes → settings; ConfigFileError (with the line) for anything else."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigFileError(Location(name, line), "not UTF-8 text (TOML files are UTF-8)") from None
    import tomllib  # loaded with the first settings file: a run without one does not pay for it

    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigFileError(Location(name, _toml_line(str(exc), text)), f"not valid TOML: {exc}") from None
    except RecursionError:
        raise ConfigFileError(Location(name, 1), "not valid TOML: nested too deeply") from None
    settings = FileSettings(Path(name))
    for section, values in document.items():
        schema = SCHEMA.get(section)
        if schema is None:
            known = ", ".join(f"[{s}]" for s in SCHEMA)
            where = Location(name, _line_of(text, section))
            raise ConfigFileError(where, f"unknown section [{section}] (known: {known})")
        if not isinstance(values, dict):
            where = Location(name, _line_of(text, section))
            raise ConfigFileError(where, f"'{section}' must be a [{section}] table")
        target = settings.server if section == "server" else settings.test
        for key, value in values.items():
            entry = schema.get(key)
            location = Location(name, _line_of(text, key, section))
            if entry is None:
                raise ConfigFileError(location, f"unknown key '{key}' in [{section}] (known: {', '.join(schema)})")
            convert, wanted = entry
            converted = convert(value)
            if converted is None:
                raise ConfigFileError(location, f"[{section}] {key} must be {wanted}")
            if key in PATH_KEYS:
                converted = str(base / Path(converted).expanduser())
            target[key] = converted
    return settings


def readable_by_others(path: Path) -> bool:
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return bool(mode & (stat.S_IRGRP | stat.S_IROTH))


def permission_warning(settings: FileSettings) -> str | None:
    """A warning when the file holds a password that other users can read."""
    if settings.password and readable_by_others(settings.path):
        return (f"warning: {settings.path} holds a password and other users can read it "
                f"(chmod 600 {settings.path})")
    return None


def _toml_line(message: str, text: str) -> int:
    match = _TOML_POSITION.search(message)
    if match:
        return int(match.group(1))
    return text.count("\n") + 1  # "at end of document"


def _line_of(text: str, key: str, section: str | None = None) -> int:
    """The line that sets ``key`` (in ``section`` when given), or of the section header."""
    lines = text.splitlines()
    start = 0
    if section is not None:
        header = re.compile(rf"^\s*\[\s*[\"']?{re.escape(section)}[\"']?\s*\]")
        for index, line in enumerate(lines):
            if header.match(line):
                start = index
                break
        pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    else:
        pattern = re.compile(rf"^\s*(\[\s*)?[\"']?{re.escape(key)}[\"']?\s*(\]|=|\.)")
    for index in range(start, len(lines)):
        if pattern.match(lines[index]):
            return index + 1
    for index, line in enumerate(lines):
        if key in line:
            return index + 1
    return 1
