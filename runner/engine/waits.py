"""Waiting on a test's sessions: ``reap`` with a time limit, ``wait_for_blocked``, and the report
of what every session is doing when a wait runs out.

The control connection (``runner.sessions.block_monitor``) is opened on first use and closed with the
interpreter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from runner.engine.outcomes import TestFailure
from runner.sessions.block_monitor import BlockMonitor, Verdict
from runner.sessions.driver import ConnectError, Outcome
from runner.sessions.lock_probes import ProbeError, Wait
from runner.sessions.session import Session, SessionStateError, State

if TYPE_CHECKING:
    from runner.engine.interpreter import Interpreter
    from runner.language.records import Location


def monitor_of(ctx: Interpreter) -> BlockMonitor:
    if ctx.monitor is None:
        ctx.monitor = BlockMonitor.open(ctx.connect, ctx.defaults)
    return ctx.monitor


def reap_in_time(ctx: Interpreter, session: Session, location: Location) -> Outcome:
    """``reap``, failing the test after ``--reap-timeout`` seconds instead of hanging."""
    if session.state is State.SENT and not session.wait_done(ctx.reap_timeout):
        raise failure(
            ctx, location,
            f"reap: the statement sent on connection '{session.name}' did not finish within "
            f"{ctx.reap_timeout:g} s (--reap-timeout): {session.pending_sql}",
        )
    return session.reap()


def wait_for_blocked(ctx: Interpreter, session: Session, timeout: float, location: Location) -> Wait:
    """Return once ``session``'s sent statement waits for a lock; fail the test when it finishes
    instead, or when ``timeout`` s pass first."""
    if session.state is not State.SENT:
        raise TestFailure(location, f"wait_for_blocked: connection '{session.name}' has no statement sent "
                                    f"({session.state.value}); use send first")
    try:
        watched = monitor_of(ctx).watch(session, timeout)
    except (ProbeError, ConnectError) as exc:
        raise TestFailure(location, f"wait_for_blocked: cannot ask the server whether connection "
                                    f"'{session.name}' is blocked: {exc}") from None
    if watched.verdict is Verdict.BLOCKED:
        assert watched.wait is not None
        return watched.wait
    if watched.verdict is Verdict.DONE:
        raise failure(ctx, location, f"wait_for_blocked: the statement on connection '{session.name}' finished "
                                     f"without waiting for a lock: {session.pending_sql}")
    raise failure(ctx, location, f"wait_for_blocked: the statement on connection '{session.name}' was not "
                                 f"blocked within {timeout:g} s: {session.pending_sql}")


def failure(
    ctx: Interpreter, location: Location | None, message: str, sessions: Mapping[str, Session] | None = None
) -> TestFailure:
    """A failure whose message adds what each session is doing; the statements still running are
    stopped, so that the test's cleanup does not wait for them."""
    shown = dict(ctx.sessions) if sessions is None else dict(sessions)
    try:
        monitor = monitor_of(ctx)
        report = monitor.describe(shown)
        monitor.kill_statements(shown)
    except (ProbeError, ConnectError, SessionStateError) as exc:
        report = f"(cannot say what the connections are doing: {exc})"
    return TestFailure(location, f"{message}\n{report}")


def parse_timeout(text: str, default: float, what: str) -> float:
    text = text.strip()
    if not text:
        return default
    try:
        seconds = float(text)
    except ValueError:
        raise ValueError(f"{what}: '{text}' is not a number of seconds") from None
    if seconds <= 0:
        raise ValueError(f"{what}: the timeout must be more than 0 seconds, not '{text}'")
    return seconds
