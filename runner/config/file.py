"""Config files: TOML or JSON (by extension), or ``[tool.tidbrun]`` of a ``pyproject.toml``.

    [server]                      [test]
    host = "127.0.0.1"            dialect = "mysqltest"
    port = 4000                   force = true
    user = "ci"                   statement_timeout = 30
    password = "..."              var = { rows = 1000 }

Every key is a run option's ``[section] key`` in ``runner.config.schema``. A file is read into
entries (section, key, value, line) here; ``runner.config.sources`` checks them against the schema.
Without ``--config``, ``./tidbrun.toml`` (or ``./tidbrun.json``) is used, else ``[tool.tidbrun]``
of ``./pyproject.toml``.
A file that holds a password and that others can read gets a warning.
"""

from __future__ import annotations

import json
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner.errors import TestFileError
from runner.language.records import Location

DEFAULT_NAMES = ("tidbrun.toml", "tidbrun.json")
PYPROJECT = "pyproject.toml"
PYPROJECT_TABLE = ("tool", "tidbrun")


class ConfigFileError(TestFileError):
    """A config file tidbrun cannot use, reported as ``file:line: message``."""


@dataclass(frozen=True, slots=True)
class Entry:
    section: str | None  # None: a key outside any section
    key: str
    value: Any
    line: int


@dataclass(slots=True)
class ConfigFile:
    path: Path
    entries: list[Entry] = field(default_factory=list)

    @property
    def base(self) -> Path:
        """Where relative paths in the file start."""
        return self.path.resolve().parent

    def location(self, line: int) -> Location:
        return Location(str(self.path), line)

    def holds(self, section: str, key: str) -> bool:
        return any(entry.section == section and entry.key == key for entry in self.entries)

    def __repr__(self) -> str:  # never a value: one may be the password
        return f"ConfigFile(path={self.path!s}, keys={[(e.section, e.key) for e in self.entries]})"


def find(folder: Path) -> Path | None:
    """The config file used without ``--config``: ``tidbrun.toml``, ``tidbrun.json``, else a
    ``pyproject.toml`` with a ``[tool.tidbrun]`` table (looked for in its text first: most have
    none, and are not parsed)."""
    for name in DEFAULT_NAMES:
        own = folder / name
        if own.is_file():
            return own
    project = folder / PYPROJECT
    try:
        if b"tool.tidbrun" in project.read_bytes():
            return project
    except OSError:
        pass
    return None


def format_of(path: Path) -> str:
    return "json" if path.suffix.lower() == ".json" else "toml"


def load(path: Path) -> ConfigFile:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigFileError(None, f"cannot read config file {path}: {exc.strerror}") from None
    return parse(data, path)


def parse(data: bytes, path: Path) -> ConfigFile:
    """Config file bytes → entries; ConfigFileError (with the line) for what is not TOML/JSON
    or not tables of keys."""
    name = str(path)
    fmt = format_of(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigFileError(Location(name, line), f"not UTF-8 text ({fmt.upper()} files are UTF-8)") from None
    document = _read_json(text, name) if fmt == "json" else _read_toml(text, name)
    prefix: tuple[str, ...] = ()
    if path.name == PYPROJECT:
        prefix = PYPROJECT_TABLE
        for part in PYPROJECT_TABLE:
            document = document.get(part, {}) if isinstance(document, dict) else {}
        if not isinstance(document, dict):
            raise ConfigFileError(Location(name, _line_of(text, "tidbrun", ("tool",), fmt)),
                                  "[tool.tidbrun] must be a table")
    if not isinstance(document, dict):
        raise ConfigFileError(Location(name, 1), "the file must hold an object of sections")
    config = ConfigFile(path)
    for section, values in document.items():
        if _is_comment(section, fmt):
            continue
        if not isinstance(values, dict) or _is_value_table(section):
            config.entries.append(Entry(None, section, values, _line_of(text, section, prefix, fmt)))
            continue
        for key, value in values.items():
            if _is_comment(key, fmt):
                continue
            config.entries.append(Entry(section, key, value, _line_of(text, key, (*prefix, section), fmt)))
    return config


def _is_comment(key: str, fmt: str) -> bool:
    """JSON has no comments: ``"$comment"``, ``"$host"`` (help beside ``"host"``) stand for them."""
    return fmt == "json" and key.startswith("$")


def _is_value_table(key: str) -> bool:
    return key == "var"  # the one option whose value is itself a table (when given outside a section)


def _read_toml(text: str, name: str) -> Any:
    import tomllib  # loaded with the first config file: a run without one does not pay for it

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigFileError(Location(name, _toml_line(str(exc), text)), f"not valid TOML: {exc}") from None
    except RecursionError:
        raise ConfigFileError(Location(name, 1), "not valid TOML: nested too deeply") from None


def _read_json(text: str, name: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigFileError(Location(name, exc.lineno), f"not valid JSON: {exc.msg}") from None
    except RecursionError:
        raise ConfigFileError(Location(name, 1), "not valid JSON: nested too deeply") from None


def readable_by_others(path: Path) -> bool:
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return bool(mode & (stat.S_IRGRP | stat.S_IROTH))


def permission_warning(config: ConfigFile, secret: tuple[str, str] = ("server", "password")) -> str | None:
    """A warning when the file holds a password that other users can read."""
    if config.holds(*secret) and readable_by_others(config.path):
        return (f"warning: {config.path} holds a password and other users can read it "
                f"(chmod 600 {config.path})")
    return None


_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")


def _toml_line(message: str, text: str) -> int:
    match = _TOML_POSITION.search(message)
    if match:
        return int(match.group(1))
    return text.count("\n") + 1  # "at end of document"


def _line_of(text: str, key: str, sections: tuple[str, ...], fmt: str) -> int:
    """The line that sets ``key`` (below the header of its table when it has one)."""
    lines = text.splitlines()
    start = 0
    quoted = r"[\"']?"
    if sections and fmt == "toml":
        dotted = r"\s*\.\s*".join(quoted + re.escape(part) + quoted for part in sections)
        header = re.compile(rf"^\s*\[\s*{dotted}\s*\]")
        start = next((index for index, line in enumerate(lines) if header.match(line)), 0)
    elif sections:
        section = re.compile(rf"\"{re.escape(sections[-1])}\"\s*:")
        start = next((index for index, line in enumerate(lines) if section.search(line)), 0)
    if fmt == "json":
        pattern = re.compile(rf"\"{re.escape(key)}\"\s*:")
    else:
        pattern = re.compile(rf"^\s*(\[\s*)?{quoted}{re.escape(key)}{quoted}\s*(\]|=|\.)")
    for index in range(start, len(lines)):
        if pattern.search(lines[index]) if fmt == "json" else pattern.match(lines[index]):
            return index + 1
    for index, line in enumerate(lines):
        if key in line:
            return index + 1
    return 1
