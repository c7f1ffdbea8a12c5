"""TiDB's directives: failpoint, wait_until, wait_tiflash_replica_ready.

``--failpoint enable <path> <term>`` / ``--failpoint disable <path>`` / ``--failpoint list`` speak
TiDB's status-port failpoint API (runner.tidb.failpoints); every failpoint a test changes is put
back when the test ends (Interpreter.close). Against MariaDB or MySQL the directive is an error.
``--wait_until <query>`` or ``--wait_until `<query>` <seconds>`` polls until the query's first
value is true. ``--wait_tiflash_replica_ready [seconds]`` polls until no TiFlash replica is
unavailable. Both fail the test when their time is up; neither writes to the result.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from runner.engine.directives.registry import directive
from runner.engine.outcomes import TestFailure, TestInputError
from runner.engine.variables import is_true
from runner.tidb.failpoint_terms import FailpointTermError, argument_error
from runner.tidb.failpoints import FailpointError

if TYPE_CHECKING:
    from runner.engine.interpreter import Interpreter
    from runner.language.records import Command

WAIT_UNTIL_TIMEOUT = 60.0
# mysql-tester's intended limit (its loop re-arms the 2-minute timer on every poll, so it never fires).
TIFLASH_TIMEOUT = 120.0
_TIFLASH_POLL = 0.1
_TIFLASH_QUERY = "select count(*) from information_schema.tiflash_replica where AVAILABLE=0"


@directive("failpoint")
def failpoint(ctx: Interpreter, cmd: Command) -> None:
    argument = ctx.expand(cmd.argument)
    problem = argument_error(argument)
    if problem is not None:
        raise TestInputError(cmd.location, problem)
    words = argument.strip().split(None, 1)
    action = words[0].lower()
    rest = words[1].strip() if len(words) > 1 else ""
    scope = ctx.failpoints
    if scope is None:
        raise TestFailure(cmd.location, "failpoints are not available in this run (they need a TiDB server)")
    try:
        if action == "enable":
            path, term = rest.split(None, 1)
            scope.enable(path, term.strip())
        elif action == "disable":
            scope.disable(rest)
        else:
            lines = [f"{path}={term}\n" for path, term in scope.enabled()]
            if ctx.toggles.result_log:
                ctx.out.extend(lines)
    except FailpointTermError as exc:
        raise TestInputError(cmd.location, str(exc)) from None
    except FailpointError as exc:
        raise TestFailure(cmd.location, str(exc)) from None


@directive("wait_until")
def wait_until(ctx: Interpreter, cmd: Command) -> None:
    sql, timeout = _query_and_timeout(ctx.expand(cmd.argument).strip(), cmd)
    deadline = time.monotonic() + timeout
    delay = 0.05
    while True:
        _, rows = ctx.query_rows(sql, cmd.location)
        value = rows[0][0] if rows and rows[0] else None
        if value is not None and is_true(value):
            return
        left = deadline - time.monotonic()
        if left <= 0:
            seen = "no row" if not rows else "NULL" if value is None else repr(value)
            raise TestFailure(cmd.location, f"wait_until: '{sql}' was not true within {timeout:g} s (last: {seen})")
        ctx.sleep(min(delay, left))
        delay = min(delay * 2, 1.0)


def _query_and_timeout(text: str, cmd: Command) -> tuple[str, float]:
    """``<query>`` (the whole argument), or ```<query>` [seconds]``."""
    if not text.startswith("`"):
        if not text:
            raise TestInputError(cmd.location, "wait_until needs a query: --wait_until `<query>` [seconds]")
        return text, WAIT_UNTIL_TIMEOUT
    close = text.rfind("`")
    if close == 0:
        raise TestInputError(cmd.location, f"wait_until: missing closing backtick in {text}")
    sql, after = text[1:close].strip(), text[close + 1 :].strip()
    if not sql:
        raise TestInputError(cmd.location, "wait_until needs a query: --wait_until `<query>` [seconds]")
    return sql, _seconds(after, WAIT_UNTIL_TIMEOUT, cmd)


def _seconds(text: str, default: float, cmd: Command) -> float:
    if not text:
        return default
    try:
        seconds = float(text)
    except ValueError:
        raise TestInputError(cmd.location, f"{cmd.name}: '{text}' is not a number of seconds") from None
    if seconds <= 0:
        raise TestInputError(cmd.location, f"{cmd.name}: the time limit must be positive, not {text}")
    return seconds


@directive("wait_tiflash_replica_ready")
def wait_tiflash_replica_ready(ctx: Interpreter, cmd: Command) -> None:
    timeout = _seconds(ctx.expand(cmd.argument).strip(), TIFLASH_TIMEOUT, cmd)
    deadline = time.monotonic() + timeout
    while True:
        ctx.sleep(_TIFLASH_POLL)
        _, rows = ctx.query_rows(_TIFLASH_QUERY, cmd.location)
        unavailable = rows[0][0] if rows else None
        if unavailable == "0":
            return
        if time.monotonic() >= deadline:
            raise TestFailure(
                cmd.location, f"TiFlash replicas not ready within {timeout:g} s ({unavailable} still unavailable)"
            )
