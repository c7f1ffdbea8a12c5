"""Every statement in flight, so that it can be stopped: by ``--statement-timeout``, by the test's or
the run's deadline, or by Ctrl-C/SIGTERM.

A statement registers itself for as long as it runs (a dict store and delete: well under a
microsecond, nothing next to a round trip to the server). One watchdog thread per run looks at the
registry a few times a second, so no timer is armed per statement. A statement that overstays is
killed from a separate connection (``KILL QUERY <thread id>``, then ``KILL CONNECTION`` when it
still runs after a grace period); the test then fails saying what was running.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from runner.sessions.session import SessionStateError

if TYPE_CHECKING:
    from runner.sessions.driver import Connection, ConnectParams, Outcome
    from runner.sessions.session import Session

log = logging.getLogger("tidbrun.watch")
_monotonic = time.monotonic
MAX_SHOWN_SQL = 300


class StatementTimedOut(SessionStateError):
    """The statement was stopped by tidbrun (timeout or interrupt); the message says why and what."""


# What the hot path registers: (connection, sql, started). A tuple, keyed by the session (one
# statement at a time per session; sessions hash by identity, connections may not): cheaper than
# any object.
Running = tuple["Connection", str, float]


@dataclass(slots=True, eq=False)
class InFlight:
    """A statement in flight, as the watchdog and the reports see it."""

    session: Session
    connection: Connection
    sql: str
    started: float

    def describe(self, now: float | None = None) -> str:
        age = (now if now is not None else _monotonic()) - self.started
        sql = " ".join(self.sql.split())
        if len(sql) > MAX_SHOWN_SQL:
            sql = sql[: MAX_SHOWN_SQL - 3] + "..."
        thread = getattr(self.connection, "thread_id", "?")
        return f"connection '{self.session.name}' (server thread {thread}), running for {age:.1f} s: {sql}"


class Killer:
    """Kills a server thread's statement from a connection of its own, made with the run's
    account (``params``: a callable, since the address can change when the server restarts)."""

    def __init__(self, params: Callable[[], ConnectParams], connect: Callable[[ConnectParams], Connection]) -> None:
        self._params = params
        self._connect = connect

    def kill(self, thread_id: int, what: str = "QUERY") -> str | None:
        """``KILL QUERY`` or ``KILL CONNECTION``; returns a problem, or None when it was sent."""
        from dataclasses import replace

        try:
            conn = self._connect(replace(self._params(), connect_timeout=3, database=""))
        except Exception as exc:
            return f"cannot connect to kill thread {thread_id}: {exc}"
        try:
            outcome = conn.execute(f"KILL {what} {int(thread_id)}")
            if outcome.error is not None and outcome.error.errno != 1094:  # 1094: no such thread (it ended)
                return f"KILL {what} {thread_id} failed: {outcome.error.errno} {outcome.error.message}"
            return None
        finally:
            conn.close()


class Watch:
    """The registry of statements in flight, and the watchdog that stops them."""

    def __init__(
        self,
        killer: Killer | None,
        statement_timeout: float | None = None,
        *,
        grace: float = 2.0,
        poll: float | None = None,
    ) -> None:
        self._killer = killer
        self.statement_timeout = statement_timeout
        self._grace = grace
        self._poll = poll if poll is not None else _poll_interval(statement_timeout)
        self._running: dict[Session, Running] = {}
        # Statements tidbrun stopped: session -> (the registration stopped, why). A mark names the
        # registration so that one left behind by a race never stops a later statement.
        self._stopped_by: dict[Session, tuple[Running, str]] = {}
        self._escalation: dict[Session, tuple[Running, float, bool]] = {}  # stopped at, connection killed
        self._cut: set[Session] = set()  # sessions whose socket tidbrun shut down
        self.stop_reason: str | None = None  # set: no statement may start (test stopped)
        self.expired: list[str] = []  # this test's statements tidbrun stopped, described
        self.expired_statements: list[InFlight] = []
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # kills come from the watchdog, the interrupt reader and timers

    # -- the per-statement part (hot path) ----------------------------------------------------------

    def run(self, session: Session, conn: Connection, sql: str) -> Outcome:
        if self.stop_reason is not None:
            raise StatementTimedOut(self.stop_reason)
        running = self._running
        entry = running[session] = (conn, sql, _monotonic())
        try:
            outcome = conn.execute(sql)
        finally:
            del running[session]
        if self._stopped_by:  # empty unless tidbrun stopped something
            mark = self._stopped_by.pop(session, None)
            self._escalation.pop(session, None)
            self._cut.discard(session)
            if mark is not None and mark[0] is entry:
                raise StatementTimedOut(mark[1])
        return outcome

    # -- per test ----------------------------------------------------------------------------------

    def begin_test(self) -> None:
        # The previous test's connections are closed: nothing of it can still be in flight (an
        # entry a signal left behind between registering and its try block goes here too).
        self._running.clear()
        self._stopped_by.clear()
        self._escalation.clear()
        self._cut.clear()
        self.stop_reason = None
        self.expired = []
        self.expired_statements = []

    def in_flight(self) -> list[InFlight]:
        return [InFlight(session, conn, sql, started) for session, (conn, sql, started) in list(self._running.items())]

    def _mark(self, session: Session, entry: Running, why: str, now: float, connection_killed: bool) -> bool:
        """Note that tidbrun stops this statement; False when it has ended (or was stopped) already."""
        if self._running.get(session) is not entry or session in self._stopped_by:
            return False
        self._stopped_by[session] = (entry, why)
        self._escalation[session] = (entry, now, connection_killed)
        return True

    def stop_all(self, reason: str, *, kill_connection: bool = False) -> list[str]:
        """Refuse new statements and kill the running ones; returns what was running."""
        self.stop_reason = reason
        now = _monotonic()
        how = "CONNECTION" if kill_connection else "QUERY"
        described = []
        for session, entry in list(self._running.items()):
            conn = entry[0]
            described.append(InFlight(session, conn, entry[1], entry[2]).describe(now))
            if not self._mark(session, entry, f"{reason} (the statement was killed with KILL {how})", now,
                              kill_connection) and kill_connection:
                self._escalation[session] = (entry, now, True)
            self._kill(conn, how)
        return described

    # -- the watchdog thread -----------------------------------------------------------------------

    def start(self) -> Watch:
        if self._thread is None:
            self._stopped.clear()
            self._thread = threading.Thread(target=self._loop, name="tidbrun-watchdog", daemon=True)
            self._thread.start()
        return self

    def close(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Watch:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _loop(self) -> None:
        while not self._stopped.wait(self._poll):
            try:
                self.check(_monotonic())
            except Exception:  # the watchdog must outlive any one failed kill
                log.exception("watchdog check failed")

    def check(self, now: float) -> None:
        """One look at the statements in flight (the watchdog calls this; tests may too)."""
        timeout = self.statement_timeout
        for session, entry in list(self._running.items()):
            conn, sql, started = entry
            escalation = self._escalation.get(session)
            if escalation is None or escalation[0] is not entry:
                if timeout is not None and now - started >= timeout:
                    statement = InFlight(session, conn, sql, started)
                    message = (f"statement timed out after {timeout:g} s (--statement-timeout) and was killed "
                               f"with KILL QUERY: {statement.describe(now)}")
                    if self._mark(session, entry, message, now, False):
                        self.expired.append(message)
                        self.expired_statements.append(statement)
                        log.warning("%s", message)
                        self._kill(conn, "QUERY")
            elif not escalation[2] and now - escalation[1] >= self._grace:
                # KILL QUERY did not bring it back (a server stuck in I/O, a hung network): drop
                # the connection; the client then sees "lost connection" at once.
                self._escalation[session] = (entry, now, True)
                log.warning("statement still running %.1f s after KILL QUERY; killing its connection: %s",
                            now - escalation[1], InFlight(session, conn, sql, started).describe(now))
                self._kill(conn, "CONNECTION")
            elif escalation[2] and session not in self._cut and now - escalation[1] >= self._grace:
                # Not even KILL CONNECTION (a TiDB DDL statement waits for its job whatever is
                # killed): cut the socket on tidbrun's side, so the driver returns.
                self._cut.add(session)
                abort = getattr(conn, "abort", None)
                done = bool(abort()) if abort is not None else False
                log.warning("statement still running %.1f s after KILL CONNECTION; %s: %s", now - escalation[1],
                            "tidbrun cut its connection" if done else "its connection cannot be cut",
                            InFlight(session, conn, sql, started).describe(now))

    def _kill(self, conn: Connection, what: str) -> None:
        if self._killer is None:
            return
        thread_id = getattr(conn, "thread_id", None)
        if not thread_id:
            return
        with self._lock:
            problem = self._killer.kill(int(thread_id), what)
        if problem:
            log.warning("%s", problem)


def _poll_interval(timeout: float | None) -> float:
    if timeout is None:
        return 0.25  # only escalations of interrupts and deadlines to watch for
    return max(0.005, min(0.1, timeout / 10))
