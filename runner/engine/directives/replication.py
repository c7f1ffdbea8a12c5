"""save_master_pos, sync_with_master, sync_slave_with_master, wait_for_slave_to_stop: wait for a
replica, as mysqltest does.

``save_master_pos`` remembers the current connection's ``SHOW MASTER STATUS`` (file, position).
``sync_with_master [offset][, connection_name]`` waits on the current connection until its replica
has applied that far: ``SELECT MASTER_POS_WAIT(file, pos + offset, timeout, connection_name)``;
NULL (no replica running) and -1 (the timeout) end the test. ``sync_slave_with_master
[connection]`` saves the position, switches to ``connection`` (``slave`` by default, logged like
``connection``) and waits there. The timeout is mysql-test-run.pl's ``--wait-for-pos-timeout``: 300 s.

``wait_for_slave_to_stop`` asks the current connection for ``SHOW STATUS LIKE 'Slave_running'``
every 0.3 s until it says ``OFF``; mysqltest sets no limit of its own (the test's timeout is one).

mysqltest keeps one saved position for the whole test, whatever the connection; here it belongs to
the test's variables (a new set per test).
"""

from __future__ import annotations

import time
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

from runner.engine.directives.registry import directive
from runner.engine.outcomes import TestFailure
from runner.sessions.session import SessionStateError

if TYPE_CHECKING:
    from runner.engine.interpreter import Interpreter
    from runner.engine.variables import Variables
    from runner.language.records import Command, Location
    from runner.sessions.driver import Row
    from runner.sessions.session import Session

WAIT_FOR_POS_TIMEOUT = 300
SLAVE_POLL_SECONDS = 0.3


@dataclass(frozen=True, slots=True)
class MasterPos:
    file: str
    pos: int


_SAVED: weakref.WeakKeyDictionary[Variables, MasterPos] = weakref.WeakKeyDictionary()


@directive("save_master_pos")
def save_master_pos(ctx: Interpreter, cmd: Command) -> None:
    _save(ctx, cmd)


@directive("sync_with_master")
def sync_with_master(ctx: Interpreter, cmd: Command) -> None:
    offset, connection_name = _sync_arguments(ctx.expand(cmd.argument).strip(), cmd)
    _wait(ctx, cmd, offset, connection_name)


@directive("sync_slave_with_master")
def sync_slave_with_master(ctx: Interpreter, cmd: Command) -> None:
    _save(ctx, cmd)
    name = ctx.expand(cmd.argument).strip() or "slave"
    session = ctx.session_named(name, cmd.location)
    if ctx.toggles.query_log and ctx.toggles.connect_log:
        ctx.out.append(f"connection {name};\n")
    ctx.switch_to(session)
    _wait(ctx, cmd, 0, "")


@directive("wait_for_slave_to_stop")
def wait_for_slave_to_stop(ctx: Interpreter, cmd: Command) -> None:
    sql = "show status like 'Slave_running'"
    while True:
        rows = _rows(ctx, cmd.location, sql, "Query failed while probing slave for stop")
        if not rows or len(rows[0]) < 2 or rows[0][1] is None:
            raise TestFailure(cmd.location, "Strange result from query while probing slave for stop")
        if rows[0][1] == "OFF":
            return
        time.sleep(SLAVE_POLL_SECONDS)


def _save(ctx: Interpreter, cmd: Command) -> None:
    rows = _rows(ctx, cmd.location, "show master status", "failed in 'show master status'")
    if not rows:
        raise TestFailure(cmd.location, "empty result in show master status")
    file, pos = rows[0][0], rows[0][1]
    _SAVED[ctx.variables] = MasterPos(file or "", _strtoul(pos or ""))


def _wait(ctx: Interpreter, cmd: Command, offset: int, connection_name: str) -> None:
    saved = _SAVED.get(ctx.variables)
    if saved is None or not saved.file:
        raise TestFailure(cmd.location, "Calling 'sync_with_master' without calling 'save_master_pos'")
    quoted_name = connection_name.replace("\\", "\\\\").replace("'", "\\'")
    sql = (
        f"select master_pos_wait('{saved.file}', {saved.pos + offset}, {WAIT_FOR_POS_TIMEOUT}, '{quoted_name}')"
    )
    rows = _rows(ctx, cmd.location, sql, f"failed in '{sql}'")
    if not rows:
        raise TestFailure(cmd.location, f"empty result in {sql}")
    value = rows[0][0]
    result = _atoi(value) if value is not None else None
    if result is not None and result >= 0:
        return
    command = cmd.name
    if result is None:
        raise TestFailure(
            cmd.location, f"{command} failed: '{sql}' returned NULL indicating slave SQL thread failure"
        )
    if result == -1:
        raise TestFailure(
            cmd.location,
            f"{command} failed: '{sql}' returned -1 indicating timeout after {WAIT_FOR_POS_TIMEOUT} seconds",
        )
    raise TestFailure(cmd.location, f"{command} failed: '{sql}' returned unknown result :{result}")


def _rows(ctx: Interpreter, location: Location, sql: str, failed: str) -> list[Row]:
    session: Session = ctx.session(location)
    try:
        outcome = session.execute(sql)
    except SessionStateError as exc:
        raise TestFailure(location, str(exc)) from None
    if outcome.error is not None:
        raise TestFailure(location, f"{failed}: {outcome.error.errno}: {outcome.error.message}")
    for result in outcome.results:
        if result.columns is not None:
            return result.rows
    return []


def _sync_arguments(text: str, cmd: Command) -> tuple[int, str]:
    """``[offset][, connection_name]``: digits, then optionally a comma and a (quoted) name."""
    index = 0
    while index < len(text) and text[index].isdigit():
        index += 1
    offset = int(text[:index]) if index else 0
    rest = text[index:]
    if rest and not rest[0].isspace() and rest[0] != ",":
        raise TestFailure(cmd.location, f'Invalid integer argument "{text}"')
    rest = rest.strip()
    if not rest.startswith(","):
        return offset, ""
    name = rest[1:].strip()
    if len(name) >= 2 and name[0] == name[-1] and name[0] in "'\"`":
        name = name[1:-1]
    return offset, name


def _strtoul(text: str) -> int:
    digits = ""
    for char in text.strip():
        if not char.isdigit():
            break
        digits += char
    return int(digits) if digits else 0


def _atoi(text: str) -> int:
    text = text.strip()
    sign = -1 if text.startswith("-") else 1
    return sign * _strtoul(text.lstrip("+-"))
