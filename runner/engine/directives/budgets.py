"""Performance budgets (``runner.language.budgets`` reads and checks their arguments).

``--max_duration TIME [repeat N]``: the next statement runs as usual (its output, once, is what the
.result holds), then N-1 more times on the same connection with its output dropped; the test
fails when the median of the N times is above TIME, saying the median and the spread (fastest,
slowest). A repeat that fails fails the test. Times never reach the output: the .result stays
deterministic. The budget needs a statement that succeeds: one that fails in between (an
expected ``--error``) is reported instead of moving the budget to a later statement.

``--max_server_memory_growth SIZE|PERCENT`` … ``--end_max_server_memory_growth``: the server's
RSS (from /proc; the server the current connection is on must run on this machine) is read at
both ends; the test fails when it grew more than SIZE, or than PERCENT of where it started.
Blocks nest.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from runner.engine.directives.registry import directive
from runner.engine.outcomes import TestFailure
from runner.language.budgets import (
    END_MEMORY_GROWTH,
    MAX_DURATION,
    MEMORY_GROWTH,
    DurationBudget,
    MemoryBudget,
    parse_duration_budget,
    parse_memory_budget,
)
from runner.language.quantities import format_bytes, format_seconds
from runner.language.records import Command, Query
from runner.server.process_stats import find_server_pid, is_local, sample

if TYPE_CHECKING:
    from runner.engine.interpreter import Interpreter
    from runner.language.records import Location
    from runner.render.base import View
    from runner.sessions.session import Session

# Commands whose statement runs at once, with the SQL each one runs (eval's expanded).
_PLAIN = frozenset({"query", "query_vertical", "query_horizontal"})
_EXPANDED = frozenset({"eval", "evalp"})
_STATE = __name__


@dataclass(slots=True)
class _OpenBlock:
    budget: MemoryBudget
    pid: int
    rss: int
    location: Location


@directive(MAX_DURATION)
def max_duration(ctx: Interpreter, cmd: Command) -> None:
    budget = parse_duration_budget(ctx.expand(cmd.argument))
    armed_at = ctx.statements_run

    def check(interpreter: Interpreter, session: Session, view: View, chunks: list[str]) -> None:
        interpreter.after_statement.remove(check)
        if interpreter.statements_run != armed_at + 1:
            raise TestFailure(cmd.location, "max_duration: the statement after it failed; a budget needs one "
                              "that succeeds")
        _measure(interpreter, session, budget, cmd.location)

    ctx.after_statement.append(check)


def _measure(ctx: Interpreter, session: Session, budget: DurationBudget, location: Location) -> None:
    times = [ctx.statement_seconds]
    if budget.repeat > 1:
        sql = _statement_sql(ctx, location)
        for _ in range(budget.repeat - 1):
            started = time.perf_counter()
            outcome = session.execute(sql)
            times.append(time.perf_counter() - started)
            if outcome.error is not None:
                raise TestFailure(location, f"max_duration: a repeat of the statement failed: "
                                  f"{outcome.error.errno}: {outcome.error.message}")
    median = statistics.median(times)
    if median > budget.seconds:
        spread = f"fastest {format_seconds(min(times))}, slowest {format_seconds(max(times))}"
        runs = f"over {len(times)} runs, {spread}" if len(times) > 1 else "in its one run"
        raise TestFailure(location, f"max_duration {format_seconds(budget.seconds)} broken: the statement took "
                          f"{format_seconds(median)} (median {runs})")


def _statement_sql(ctx: Interpreter, location: Location) -> str:
    record = ctx.position.record
    if isinstance(record, Query):
        return record.sql
    if isinstance(record, Command) and record.name in _PLAIN:
        return record.argument
    if isinstance(record, Command) and record.name in _EXPANDED:
        return ctx.expand(record.argument)
    raise TestFailure(location, "max_duration with repeat: the statement must follow it (a statement, query "
                      "or eval), not run by another command")


@directive(MEMORY_GROWTH)
def max_server_memory_growth(ctx: Interpreter, cmd: Command) -> None:
    budget = parse_memory_budget(ctx.expand(cmd.argument))
    pid = _server_pid(ctx, cmd)
    rss = _rss(pid, cmd.location)
    blocks = ctx.directive_state.setdefault(_STATE, [])
    assert isinstance(blocks, list)
    blocks.append(_OpenBlock(budget, pid, rss, cmd.location))


@directive(END_MEMORY_GROWTH)
def end_max_server_memory_growth(ctx: Interpreter, cmd: Command) -> None:
    blocks = ctx.directive_state.get(_STATE)
    if not isinstance(blocks, list) or not blocks:
        raise TestFailure(cmd.location, f"'{END_MEMORY_GROWTH}' without a '{MEMORY_GROWTH}' that it ends")
    block: _OpenBlock = blocks.pop()
    rss = _rss(block.pid, cmd.location)
    growth = rss - block.rss
    if block.budget.bytes is not None:
        limit = float(block.budget.bytes)
        allowed = format_bytes(limit)
    else:
        percent = block.budget.percent or 0.0
        limit = block.rss * percent / 100.0
        allowed = f"{percent:g}% ({format_bytes(limit)})"
    if growth > limit:
        raise TestFailure(cmd.location, f"max_server_memory_growth {allowed} broken (from {block.location}): the "
                          f"server's RSS grew {format_bytes(growth)}, {format_bytes(block.rss)} -> {format_bytes(rss)}")


def _server_pid(ctx: Interpreter, cmd: Command) -> int:
    params = ctx.session(cmd.location).params
    pid = None
    if params.socket or is_local(params.host):
        pid = find_server_pid(port=params.port or None, socket_path=params.socket)
    if pid is None:
        raise TestFailure(cmd.location, f"{MEMORY_GROWTH}: the server's process cannot be read here (it must run "
                          "on this machine, readable in /proc)")
    return pid


def _rss(pid: int, location: Location) -> int:
    now = sample(pid)
    if now is None:
        raise TestFailure(location, f"{MEMORY_GROWTH}: the server (pid {pid}) is gone")
    return now.rss_bytes
