"""Every run option in one table: its name, type, default, help, environment variable and place in
a config file. The command line, ``TIDB_*`` variables, config files, ``tidbrun config init/show``
and ``tidbrun check`` all read this table; a plugin adds rows to it (``tidbrun_add_options``).

A row's ``name`` is the run command's parameter name (``runner.cli.app.run``); its file place is
``[section] key``; its variable is ``TIDB_<NAME>`` unless the row names another. Adding a run
option is one row here (besides its typer declaration).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner.config.durations import UNITS_HINT, parse_duration
from runner.config.run_config import DEFAULT_CACHE_MAX_SIZE
from runner.hooks import hookimpl
from runner.language.quantities import parse_size, size_text

# -- kinds: how a value is read from a file (already typed) and from a variable (text) ------------


@dataclass(frozen=True, slots=True)
class Kind:
    """A value's type. ``check`` returns the value as tidbrun keeps it, or raises ValueError;
    ``parse`` turns a variable's text into what ``check`` takes."""

    name: str  # how the type is named to the user: "a port number (1-65535)"
    check: Callable[[Any], Any]
    parse: Callable[[str], Any]
    path: bool = False  # relative values are taken from the config file's folder
    choices: tuple[str, ...] = ()  # the only values (the command line's are checked against them too)
    # How a value is written for people (a config file, `config show`) when not as it is kept:
    # 5368709120 bytes as "5GB", which ``parse`` reads back.
    written: Callable[[Any], Any] | None = None


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError
    value.encode("utf-8")  # TOML's \uXXXX escapes can make a lone surrogate: UnicodeEncodeError
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError
    return value


def _parse_flag(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError


def _integer(low: int, high: int | None = None) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < low or (high and value > high):
            raise ValueError
        return value

    return check


def _seconds(value: Any) -> float:
    """A number of seconds, or text with a unit (``"15m"``), as on the command line."""
    if isinstance(value, str):
        return parse_duration(value)
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValueError
    return float(value)


def _bytes(value: Any) -> int:
    """A number of bytes, or text with a unit (``"5GB"``), as on the command line."""
    if isinstance(value, str):
        return parse_size(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError
    return value


def _words(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError
    return [_text(item) for item in value]


def _parse_words(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


_VARIABLE_NAME = re.compile(r"[A-Za-z0-9_]+")


def _assignments(value: Any) -> list[str]:
    """``var = { rows = 1000, big = true }`` (or the command line's ``NAME=VALUE`` list)."""
    if isinstance(value, list):
        return _words(value)
    if not isinstance(value, dict):
        raise ValueError
    items: list[str] = []
    for name, item in value.items():
        if not _VARIABLE_NAME.fullmatch(name) or isinstance(item, dict | list) or item is None:
            raise ValueError
        items.append(f"{name}={str(item).lower() if isinstance(item, bool) else item}")
    return items


def choice(*values: str) -> Kind:
    def check(value: Any) -> str:
        if _text(value) not in values:
            raise ValueError
        return str(value)

    return Kind(f"one of {', '.join(values)}", check, check, choices=values)


TEXT = Kind("a string", _text, _text)
PATH = Kind("a path", _text, _text, path=True)
FLAG = Kind("true or false", _flag, _parse_flag)
PORT = Kind("a port number (1-65535)", _integer(1, 65535), lambda text: _integer(1, 65535)(int(text)))
COUNT = Kind("a whole number of at least 1", _integer(1), lambda text: _integer(1)(int(text)))
TIMES = Kind("a whole number of at least 0", _integer(0), lambda text: _integer(0)(int(text)))
SECONDS = Kind(UNITS_HINT, _seconds, parse_duration)
SIZE = Kind("a size: a number of bytes, or with a unit (500MB, 5GB)", _bytes, parse_size, written=size_text)
WORDS = Kind("a list of strings", _words, _parse_words)
# Each NAME=V1,V2 holds commas itself, so the environment's form separates them with spaces.
MATRIX = Kind("a list of NAME=V1,V2", _words, lambda text: text.split())
ASSIGNMENTS = Kind("a table of NAME = value (mysqltest variables, as --var)", _assignments, _parse_words)
LOG_LEVELS = ("debug", "info", "warning", "error")
LOG_FORMATS = ("text", "json")


def kind_of(default: Any) -> Kind:
    """A plugin option's kind when it names none: from its default's type."""
    if isinstance(default, bool):
        return FLAG
    if isinstance(default, int):
        return Kind("a whole number", _integer(-(2**63)), lambda text: int(text))
    if isinstance(default, float):
        return SECONDS
    if isinstance(default, list | tuple):
        return WORDS
    return TEXT


# -- options ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Option:
    name: str
    kind: Kind
    default: Any
    help: str
    section: str = "test"
    key: str = ""  # in the file; "" is the name
    env: str | None = ""  # "" is TIDB_<NAME>; None: no variable
    secret: bool = False  # shown only as where it came from
    merge: bool = False  # the sources' lists are joined (file, then environment, then command line)

    @property
    def file_key(self) -> str:
        return self.key or self.name

    @property
    def variable(self) -> str | None:
        return None if self.env is None else self.env or f"TIDB_{self.name.upper()}"

    @property
    def place(self) -> str:
        return f"[{self.section}] {self.file_key}"


SERVER = "server"
TEST = "test"

OPTIONS: tuple[Option, ...] = (
    # [server]: which server and how to reach it
    Option("host", TEXT, None, "Server host; none: tidbrun starts its own server.", SERVER),
    Option("port", PORT, None, "Server port.", SERVER),
    Option("user", TEXT, "root", "User.", SERVER),
    Option("password", TEXT, "", "Password (never shown).", SERVER, secret=True),
    Option("socket", TEXT, None, "Unix socket of the server.", SERVER),
    Option("database", TEXT, "test", "Default database.", SERVER),
    Option("status_port", PORT, None, "TiDB's HTTP status port, for --failpoint (none: 10080).", SERVER),
    Option("connect_timeout", SECONDS, 5.0, "Seconds to keep trying to reach the server.", SERVER),
    Option("no_password_prompt", FLAG, False, "Never ask for a password (CI).", SERVER),
    Option("server_kind", choice("tidb", "mariadb", "mysql"), None,
           "Which server tidbrun starts when no host is given.", SERVER, key="kind", env="TIDB_SERVER"),
    Option("server_binary", PATH, None, "The server program tidbrun starts.", SERVER, key="binary"),
    Option("cache_max_size", SIZE, DEFAULT_CACHE_MAX_SIZE,
           "After a run on tidbrun's own server, least recently used cached templates go until they "
           "take at most this (0: no limit).", SERVER),
    # [test]: how the tests run and what is reported
    Option("dialect", TEXT, None, "Result dialect: mysqltest or mysql-tester (none: by server flavour)."),
    Option("record", FLAG, False, "Write .result files from this run."),
    Option("record_flavour", FLAG, False, "With record: write r/x.<flavour>.result when the output differs."),
    Option("force", FLAG, False, "Go on after a failing test."),
    Option("verbose", FLAG, False, "Show more on failures."),
    Option("collation_disable", FLAG, False, "As mysql-tester's --collation-disable."),
    Option("basedir", PATH, None, "mysql-test tree that `source include/...` resolves in."),
    Option("result_file", PATH, None, "Result file for a single test."),
    Option("reject_dir", PATH, None, "Where .reject files go."),
    Option("vardir", PATH, None, "Working folder of the run (none: a temp dir)."),
    Option("statement_timeout", SECONDS, None, "Seconds a statement may run; then it is killed."),
    Option("testcase_timeout", SECONDS, None, "Seconds a test may run; then it is stopped."),
    Option("suite_timeout", SECONDS, None, "Seconds the whole run may take."),
    Option("reap_timeout", SECONDS, 60.0, "Seconds reap and wait_for_blocked wait before the test fails."),
    Option("jobs", COUNT, 1, "Workers, each with its own embedded server (or database on a named server)."),
    Option("big_test", FLAG, False, "Also run tests that source include/big_test.inc."),
    Option("plain", FLAG, False, "In a mysql-test tree, run tests as mysqltest alone would."),
    Option("var", ASSIGNMENTS, [], "mysqltest variables set before each test.", env="TIDB_VARS", merge=True),
    Option("matrix", MATRIX, [], "Parameters of templated tests, NAME=V1,V2: a run per combination.", merge=True),
    Option("plugin", WORDS, [], "Plugins to load: module names or .py files.", env="TIDB_PLUGINS", merge=True),
    Option("do_test", WORDS, [], "Run only tests whose name matches (as MTR's).", merge=True),
    Option("skip_test", WORDS, [], "Leave out tests whose name matches (as MTR's).", merge=True),
    Option("keyword", TEXT, None, "Run tests whose suite.test name matches this -k expression."),
    Option("shard", TEXT, None, "Run the K-th of N parts of the tests (K/N)."),
    Option("suite", WORDS, [], "Run these suites of a mysql-test tree (as mysql-test-run.pl's --suite).", merge=True),
    Option("last_failed", FLAG, False, "Run only the tests that failed in the previous run."),
    Option("repeat", COUNT, 1, "Run each test N times in a row."),
    Option("retry_failure", TIMES, 0, "Run a failed test again, up to N times; a pass then is reported flaky."),
    Option("fail_on_flaky", FLAG, False, "A flaky test fails the run."),
    Option("max_test_fail", COUNT, None, "With force: stop after N failed tests (none: no limit)."),
    Option("color", choice("auto", "always", "never"), "auto", "Colour the console: auto, always or never."),
    Option("junit", PATH, None, "Write the run as JUnit XML here."),
    Option("html", PATH, None, "Write the run as one self-contained HTML page here."),
    Option("report_file", PATH, None, "Write the run as JSON here."),
    Option("log_file", PATH, None, "Write the run's log (retries, timeouts...) here."),
    Option("log_level", choice(*LOG_LEVELS), None,
           "Lowest level logged (none: debug into the log file, warning on stderr)."),
    Option("log_format", choice(*LOG_FORMATS), "text", "The log's format: text, or one JSON object a line."),
)


class SchemaError(ValueError):
    """An option that clashes with one already in the schema."""


@dataclass(slots=True)
class Schema:
    """The options of this process: the built-in table and what plugins added."""

    options: dict[str, Option] = field(default_factory=dict)

    def add(self, option: Option) -> None:
        if not option.name.isidentifier():
            raise SchemaError(f"option name {option.name!r} is not an identifier")
        clash = self.options.get(option.name) or self.at(option.section, option.file_key)
        if clash is not None:
            raise SchemaError(f"option {option.name!r} ({option.place}) clashes with {clash.name!r} ({clash.place})")
        self.options[option.name] = option

    def __iter__(self) -> Iterator[Option]:
        return iter(self.options.values())

    def __contains__(self, name: object) -> bool:
        return name in self.options

    def __getitem__(self, name: str) -> Option:
        return self.options[name]

    def at(self, section: str, key: str) -> Option | None:
        return next((o for o in self.options.values() if o.section == section and o.file_key == key), None)

    @property
    def sections(self) -> list[str]:
        return list(dict.fromkeys(option.section for option in self))

    def closest(self, section: str | None, key: str) -> Option | None:
        """The option a misspelt ``key`` most likely meant: in its section first, then anywhere."""
        same = {o.file_key: o for o in self if o.section == section}
        match = difflib.get_close_matches(key, list(same), n=1, cutoff=0.6)
        if match:
            return same[match[0]]
        anywhere = {o.file_key: o for o in self}
        match = difflib.get_close_matches(key, list(anywhere), n=1, cutoff=0.75)
        return anywhere[match[0]] if match else None


def builtin_schema() -> Schema:
    schema = Schema()
    for option in OPTIONS:
        schema.add(option)
    return schema


class OptionRegistering:
    """What a ``tidbrun_add_options`` hook gets: ``add(name, default=..., help=..., ...)``."""

    def __init__(self, schema: Schema, section: str) -> None:
        self._schema = schema
        self._section = section

    def add(
        self,
        name: str | Option,
        *,
        default: Any = None,
        help: str = "",
        kind: Kind | None = None,
        section: str | None = None,
        key: str = "",
        env: str | None = "",
        secret: bool = False,
    ) -> None:
        """One option: in the file as ``[section] key`` (the section defaults to the plugin's
        name), in the environment as ``TIDB_<NAME>``; its kind follows its default's type."""
        if isinstance(name, Option):
            self._schema.add(name)
            return
        self._schema.add(Option(name, kind or kind_of(default), default, help, section or self._section, key, env,
                                secret))

    def extend(self, options: Iterable[Option]) -> None:
        for option in options:
            self._schema.add(option)


@hookimpl
def tidbrun_add_options(options: OptionRegistering) -> None:
    options.extend(OPTIONS)


def as_path(value: Any, base: Path | None) -> Any:
    """A path option's value from a file, relative to the file's folder."""
    if not isinstance(value, str):
        return value
    path = Path(value).expanduser()
    return str(base / path) if base is not None and not path.is_absolute() else str(path)
