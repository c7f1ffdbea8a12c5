"""The control connection: tells whether a session's sent statement finished or waits for a lock.

tidbrun opens it itself (it is never one of the test's sessions), asks the server which flavour
and version it is, and picks the probe (``runner.sessions.lock_probes``). ``watch`` polls until the statement
has finished or has been seen waiting for a lock for ``settle`` seconds in a row. The settling
matters: a statement can look like it waits for a moment without really waiting — InnoDB marks a
lock request as waiting before its deadlock check picks the victim, and a metadata-lock waiter
keeps its "Waiting for …" state until its thread wakes up after the grant. Only a wait that lasts
is reported, so the same test prints the same lines on every run.
"""

from __future__ import annotations

import enum
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from runner.server.flavour import detect_flavour
from runner.sessions.driver import Connection, ConnectParams
from runner.sessions.lock_probes import Probe, ProbeError, Row, Wait, parse_version, probe_for
from runner.sessions.session import Session, State

POLL_SECONDS = 0.005  # between two looks at a statement that neither finished nor waits
SETTLE_SECONDS = 0.05  # how long a wait must last to count


class Verdict(enum.Enum):
    DONE = "finished"
    BLOCKED = "waits for a lock"
    RUNNING = "still running"  # neither finished nor waiting when the time was up


@dataclass(frozen=True, slots=True)
class Watched:
    verdict: Verdict
    wait: Wait | None = None


class BlockMonitor:
    def __init__(self, connection: Connection, *, settle: float = SETTLE_SECONDS, poll: float = POLL_SECONDS) -> None:
        self.connection = connection
        self.settle = settle
        self.poll = poll
        version_string = self._scalar("SELECT VERSION()") or ""
        self.flavour = detect_flavour(version_string)
        self.version = parse_version(version_string)
        self.probe: Probe = probe_for(
            self.flavour,
            self.query,
            version=self.version,
            performance_schema=self._scalar("SELECT @@performance_schema") == "1" if self.flavour != "tidb" else False,
            metadata_lock_info=self.flavour == "mariadb" and self._has_metadata_lock_info(),
        )

    @classmethod
    def open(cls, connect: Callable[[ConnectParams], Connection], params: ConnectParams) -> BlockMonitor:
        connection = connect(params)
        try:
            return cls(connection)
        except BaseException:
            connection.close()
            raise

    def close(self) -> None:
        self.connection.close()

    # -- queries -------------------------------------------------------------------------------

    def query(self, sql: str) -> list[Row]:
        outcome = self.connection.execute(sql)
        if outcome.error is not None:
            raise ProbeError(f"{outcome.error.errno} {outcome.error.message}")
        for result in outcome.results:
            if result.columns is not None:
                names = [c.name.upper() for c in result.columns]
                return [dict(zip(names, row, strict=False)) for row in result.rows]
        return []

    def _scalar(self, sql: str) -> str | None:
        try:
            rows = self.query(sql)
        except ProbeError:
            return None
        return next(iter(rows[0].values()), None) if rows else None

    def _has_metadata_lock_info(self) -> bool:
        found = self._scalar(
            "SELECT COUNT(*) FROM information_schema.PLUGINS "
            "WHERE PLUGIN_NAME = 'METADATA_LOCK_INFO' AND PLUGIN_STATUS = 'ACTIVE'"
        )
        return found not in (None, "0")

    # -- watching a statement --------------------------------------------------------------------

    def waits(self, thread_ids: list[int]) -> dict[int, Wait]:
        """One look: the given connections that wait for a lock right now."""
        return self.probe.waits(thread_ids)

    def watch(self, session: Session, timeout: float) -> Watched:
        """Until ``session``'s sent statement finishes (DONE) or has waited for a lock for
        ``settle`` s (BLOCKED); RUNNING when neither happened within ``timeout`` s."""
        if session.wait_done(0):
            return Watched(Verdict.DONE)
        thread_id = session.connection.thread_id
        deadline = time.monotonic() + timeout
        since: float | None = None
        while True:
            wait = self.probe.waits([thread_id]).get(thread_id)
            now = time.monotonic()
            if session.wait_done(0):
                return Watched(Verdict.DONE)
            if wait is None:
                since = None
            elif since is None:
                since = now
            elif now - since >= self.settle:
                return Watched(Verdict.BLOCKED, wait)
            if now >= deadline:
                return Watched(Verdict.RUNNING)
            if session.wait_done(self.poll):
                return Watched(Verdict.DONE)

    # -- when something took too long ---------------------------------------------------------------

    def describe(self, sessions: Mapping[str, Session]) -> str:
        """What each session is doing, as the server sees it, and the lock waits among them."""
        lines = ["what each connection is doing:"]
        ids: dict[int, str] = {}
        for name, session in sessions.items():
            if session.state in (State.CLOSED, State.NOT_CONNECTED):
                lines.append(f"  {name}: {session.state.value}")
                continue
            thread_id = session.connection.thread_id
            ids[thread_id] = name
            doing = "idle" if session.state is State.IDLE else f"sent {_short(session.pending_sql or '')}"
            if session.state is State.SENT and session.wait_done(0):
                doing += " (finished, not reaped)"
            lines.append(f"  {name} (connection {thread_id}): {doing}")
        try:
            report = self.probe.report(list(ids))
        except ProbeError as exc:
            report = [f"the server could not say ({exc})"]
        lines.append(f"the server ({self.flavour} {'.'.join(map(str, self.version))}) says:")
        lines += [f"  {_named(line, ids)}" for line in report] or ["  nothing about these connections"]
        return "\n".join(lines)

    def kill_statements(self, sessions: Mapping[str, Session]) -> None:
        """``KILL QUERY`` every statement still running in ``sessions``, so that closing them
        after a failure does not wait for a lock that will never be granted."""
        for session in sessions.values():
            if session.state is State.SENT and not session.wait_done(0):
                verb = "KILL TIDB QUERY" if self.flavour == "tidb" else "KILL QUERY"
                try:
                    self.connection.execute(f"{verb} {int(session.connection.thread_id)}")
                except Exception:
                    pass


def _short(sql: str, limit: int = 200) -> str:
    flat = " ".join(sql.split())
    return repr(flat if len(flat) <= limit else flat[: limit - 1] + "…")


def _named(line: str, ids: Mapping[int, str]) -> str:
    """``connection 12`` → ``connection 12 (t1)`` for the test's own connections."""

    def name(m: re.Match[str]) -> str:
        known = ids.get(int(m.group(1)))
        return f"{m.group()} ({known})" if known else m.group()

    return _CONNECTION.sub(name, line)


_CONNECTION = re.compile(r"\bconnection (\d+)\b")
