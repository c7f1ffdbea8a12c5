"""The commands of PingCAP's mysql-tester: its own table, apart from mysqltest's registry.

mysql-tester implements few commands, and those differently from mysqltest (``Run`` in main.go):
no command echoes anything but ``echo``; connections are ``connect (name, host, user, password,
db)``; ``--error`` stays pending until the next statement; every other command it knows is
skipped with a warning ("command not implemented"), which tidbrun writes to the test's log.
Arguments arrive as mysql-tester reads them (untrimmed; in the statement form with the delimiter).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from runner.dialects.mysql_tester.errors import TesterExpectedErrors
from runner.dialects.mysql_tester.go_regex import parse_go_replace_regex
from runner.dialects.mysql_tester.reader import TESTER_COMMANDS, TESTER_IMPLEMENTED, go_trim_space
from runner.engine.directives.registry import Directive, Handler
from runner.engine.outcomes import TestFailure
from runner.sessions.driver import ConnectError, ConnectParams
from runner.sessions.session import Session

if TYPE_CHECKING:
    from runner.engine.interpreter import Interpreter
    from runner.language.records import Command

_TABLE: dict[str, Directive] = {}
_ECHO_VARIABLE = re.compile(r"\$([A-Za-z0-9_]+)( |\Z)")
_LET_QUERY = re.compile(r"`(.*)`")
_ATOI = re.compile(r"[+-]?[0-9]+")
_TIFLASH_POLL_SECONDS = 0.1
_TIFLASH_TIMEOUT_SECONDS = 120.0
_LOCAL_HOSTS = ("", "localhost", "127.0.0.1")


def _command(*names: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for name in names:
            _TABLE[name] = Directive(name, handler, consumes_modifiers=False)
        return handler

    return register


def lookup(name: str) -> Directive | None:
    return _TABLE.get(name)


def _without_delimiter(cmd: Command) -> str:
    """``strings.TrimSuffix(strings.TrimSpace(arg), delimiter)``, as connect/connection/disconnect do."""
    text = go_trim_space(cmd.argument)
    if cmd.delimiter and text.endswith(cmd.delimiter):
        text = text[: -len(cmd.delimiter)]
    return text


# -- switches and one-shot modifiers (their arguments are ignored) ------------------------------


def _toggle(field: str, value: bool) -> Handler:
    def handler(ctx: Interpreter, cmd: Command) -> None:
        ctx.set_toggle(field, value)

    return handler


for _field in ("query_log", "result_log", "warnings", "info"):
    _command(f"enable_{_field}")(_toggle(_field, True))
    _command(f"disable_{_field}")(_toggle(_field, False))


@_command("sorted_result")
def sorted_result(ctx: Interpreter, cmd: Command) -> None:
    ctx.modifiers.sorted = True


@_command("replace_column")
def replace_column(ctx: Interpreter, cmd: Command) -> None:
    # Whitespace-separated pairs, no quoting; an odd last word is ignored. A later list replaces.
    words = cmd.argument.split()
    columns: dict[int, str] = {}
    for number, text in zip(words[::2], words[1::2], strict=False):
        if not _ATOI.fullmatch(number):
            raise TestFailure(cmd.location, f"Could not parse column in --replace_column: sql:{cmd.argument}")
        if int(number) < 1:
            raise TestFailure(cmd.location, f"--replace_column: column {number} does not exist (they start at 1)")
        columns[int(number) - 1] = text
    ctx.modifiers.replace_column = columns or None


@_command("replace_regex")
def replace_regex(ctx: Interpreter, cmd: Command) -> None:
    ctx.modifiers.regexes = parse_go_replace_regex(cmd.argument)


@_command("error")
def error(ctx: Interpreter, cmd: Command) -> None:
    expected = TesterExpectedErrors.parse(cmd.argument)
    for name in expected.unknown_names():
        ctx.stderr.append(f"{cmd.location}: unknown error name '{name}' in --error{cmd.argument} (never matches)")
    ctx.expected = expected


# -- output ---------------------------------------------------------------------------------------


@_command("echo")
def echo(ctx: Interpreter, cmd: Command) -> None:
    # `$NAME` followed by a blank or the end is the environment variable; the blank goes with it.
    environment = ctx.variables.environment
    text = _ECHO_VARIABLE.sub(lambda m: environment.get(m.group(1), ""), cmd.argument)
    ctx.out.append(text + "\n")


@_command("let")
def let(ctx: Interpreter, cmd: Command) -> None:
    """``let $x = value``: an environment variable; each back-quoted part is replaced by the first
    value of its query, run on a connection of its own (an error or no value gives "")."""
    text = go_trim_space(cmd.argument)
    equals = text.find("=")
    if equals <= 1:
        return
    name = go_trim_space(text[1 if text.startswith("$") else 0 : equals])
    value = go_trim_space(text[equals + 1 :])
    value = _LET_QUERY.sub(lambda m: _first_value(ctx, m.group().strip("`"), cmd), value)
    ctx.variables.set_env(name, value)


def _first_value(ctx: Interpreter, sql: str, cmd: Command) -> str:
    try:
        connection = ctx.connect(ctx.session(cmd.location).params)
    except ConnectError as exc:
        ctx.stderr.append(f"{cmd.location}: let query failed: {exc}")
        return ""
    try:
        outcome = connection.execute(sql)
    finally:
        connection.close()
    result = next((r for r in outcome.results if r.columns is not None), None)
    # Go's Scan into one string: an error, no row, several columns or NULL all give "".
    if outcome.error is not None or result is None or not result.rows or len(result.rows[0]) != 1:
        ctx.stderr.append(f"{cmd.location}: failed to perform let query: {sql}")
        return ""
    value = result.rows[0][0]
    return "" if value is None else value


# -- connections -----------------------------------------------------------------------------------


@_command("connect")
def connect(ctx: Interpreter, cmd: Command) -> None:
    text = _without_delimiter(cmd)
    if len(text) < 2:
        raise TestFailure(cmd.location, "connect needs (name, host, user, password, db)")
    args = [go_trim_space(part) for part in text[1:-1].split(",")] + [""] * 4
    name, host, user, password, database = args[:5]
    defaults = ctx.defaults
    params = ConnectParams(
        # The port is always the run's; a local host reaches the server the way the run does.
        host=defaults.host if host in _LOCAL_HOSTS else host,
        user=user,
        password=password,
        database=database,
        port=defaults.port,
        socket=defaults.socket if host in _LOCAL_HOSTS else None,
        charset=defaults.charset,
        python_protocol=defaults.python_protocol,
    )
    session = Session(name, params, ctx.connect, ctx.statement_wrapper)
    try:
        session.connect()
    except ConnectError as exc:
        if ctx.expected is None:
            raise TestFailure(cmd.location, f"connect {name} failed: {exc}") from None
        # An expected failure writes nothing and uses up the --error; a success keeps it.
        ctx.expected = None
        return
    old = ctx.sessions.get(name)
    if old is not None:
        old.close()
    ctx.sessions[name] = session
    ctx.switch_to(session)


@_command("connection")
def connection(ctx: Interpreter, cmd: Command) -> None:
    ctx.switch_to(_session(ctx, cmd))


@_command("disconnect")
def disconnect(ctx: Interpreter, cmd: Command) -> None:
    session = _session(ctx, cmd)
    session.close()
    del ctx.sessions[session.name]
    # mysql-tester goes back to the default connection, whichever was current.
    default = ctx.sessions.get("default")
    if default is None:
        raise TestFailure(cmd.location, "the default connection is gone")
    ctx.switch_to(default)


def _session(ctx: Interpreter, cmd: Command) -> Session:
    name = _without_delimiter(cmd)
    session = ctx.sessions.get(name)
    if session is None:
        raise TestFailure(cmd.location, f"Connection {name} doesn't exist.")
    return session


# -- files and TiFlash -----------------------------------------------------------------------------


@_command("remove_file")
def remove_file(ctx: Interpreter, cmd: Command) -> None:
    name = go_trim_space(cmd.argument)
    path = Path(name)
    if not path.is_absolute():
        path = suite_root(ctx.paths.test_file) / path
    try:
        os.remove(path)
    except OSError as exc:
        raise TestFailure(cmd.location, f"failed to remove file: remove {name}: {exc.strerror}") from None


def suite_root(test_file: Path) -> Path:
    """mysql-tester's working directory: the folder holding ``t/`` (paths in tests are relative to it)."""
    for folder in test_file.parents:
        if folder.name == "t":
            return folder.parent
    return test_file.parent


@_command("wait_tiflash_replica_ready")
def wait_tiflash_replica_ready(ctx: Interpreter, cmd: Command) -> None:
    # Polls until no TiFlash replica is unavailable; a failure is only a warning.
    sql = "select count(*) from information_schema.tiflash_replica where AVAILABLE=0;"
    deadline = time.monotonic() + _TIFLASH_TIMEOUT_SECONDS
    session = ctx.session(cmd.location)
    while True:
        ctx.sleep(_TIFLASH_POLL_SECONDS)
        try:
            connection = ctx.connect(session.params)
        except ConnectError as exc:
            ctx.stderr.append(f"{cmd.location}: wait for tiflash replica ready failed: {exc}")
            return
        try:
            outcome = connection.execute(sql)
        finally:
            connection.close()
        if outcome.error is not None:
            ctx.stderr.append(f"{cmd.location}: wait for tiflash replica ready failed: {outcome.error.message}")
            return
        rows = outcome.results[0].rows if outcome.results else []
        if rows and rows[0][0] == "0":
            return
        if time.monotonic() > deadline:
            ctx.stderr.append(f"{cmd.location}: wait tiflash replica ready timeout")
            return


@_command("begin_concurrent", "end_concurrent")
def concurrent(ctx: Interpreter, cmd: Command) -> None:
    raise TestFailure(cmd.location, f"mysql-tester's {cmd.name} is not supported by tidbrun")


# -- everything else mysql-tester knows but does not do ----------------------------------------------


def _not_implemented(ctx: Interpreter, cmd: Command) -> None:
    ctx.stderr.append(f"{cmd.location}: mysql-tester skips '{cmd.name}' (command not implemented)")


IGNORED_COMMANDS: frozenset[str] = TESTER_COMMANDS - TESTER_IMPLEMENTED
for _name in IGNORED_COMMANDS:
    _TABLE[_name] = Directive(_name, _not_implemented, consumes_modifiers=False)
