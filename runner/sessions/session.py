"""One named connection of a test, as a small explicit state machine.

    NOT_CONNECTED --connect--> IDLE --send--> SENT --reap--> IDLE
    any state --close--> CLOSED

``send`` runs the statement on a worker thread (the driver releases the GIL while it waits on the
server), so the test goes on while the statement runs; ``reap`` collects its outcome.
"""

from __future__ import annotations

import enum
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from runner.sessions.driver import Connection, ConnectParams, Outcome, ServerError

# Runs one statement on the session's connection in place of ``connection.execute(sql)``, doing
# what it must around it (the run's statement watchdog registers it, to stop it when it overstays).
StatementWrapper = Callable[["Session", Connection, str], Outcome]

_SEND_SETTLE_SECONDS = 0.002


class State(enum.Enum):
    NOT_CONNECTED = "not connected"
    IDLE = "idle"
    SENT = "query sent, waiting for reap"
    CLOSED = "closed"


_IDLE = State.IDLE

# The statements that change a connection's current database. libmariadb learns it from the
# server's session state changes and reconnects into it; the C extension does not expose them.
_NAME = r"(`(?:[^`]|``)+`|[^\s;`]+)"
_USE = re.compile(r"\s*use\s+" + _NAME, re.IGNORECASE)
_DROP_DATABASE = re.compile(r"\s*drop\s+(?:database|schema)\s+(?:if\s+exists\s+)?" + _NAME, re.IGNORECASE)


def _unquoted(name: str) -> str:
    return name[1:-1].replace("``", "`") if name.startswith("`") else name


class SessionStateError(Exception):
    """A command that the session's state does not allow (a test error, not a server error)."""


@dataclass(slots=True)
class _Pending:
    sql: str
    done: threading.Event = field(default_factory=threading.Event)
    outcome: Outcome | None = None


class Session:
    def __init__(
        self,
        name: str,
        params: ConnectParams,
        factory: Callable[[ConnectParams], Connection],
        wrapper: StatementWrapper | None = None,
    ) -> None:
        self.name = name
        self._wrapper = wrapper  # None outside a run: the statement goes straight to the driver
        self.params = params
        self.current_user = params.user  # change_user moves them
        self.current_password = params.password
        self.current_database = params.database  # what a reconnect logs into, as libmariadb's does
        self._factory = factory
        self._conn: Connection | None = None
        self._pending: _Pending | None = None
        self.state = State.NOT_CONNECTED

    # -- transitions ----------------------------------------------------------------------------

    def connect(self) -> None:
        self._require(State.NOT_CONNECTED, "connect")
        self._conn = self._factory(self.params)
        self.state = State.IDLE

    def execute(self, sql: str) -> Outcome:
        conn = self._conn
        if self.state is not _IDLE or conn is None:  # _idle_connection's checks, the cheap way first
            conn = self._idle_connection("run a statement")
        wrapper = self._wrapper
        outcome = conn.execute(sql) if wrapper is None else wrapper(self, conn, sql)
        self._follow_database(sql, outcome)
        return outcome

    def reconnect(self) -> None:
        """A new connection with the same parameters, into the database the connection had
        chosen last (the client library's auto-reconnect)."""
        self._idle_connection("reconnect").close()
        params = self.params
        if self.current_database != params.database:
            params = replace(params, database=self.current_database, select_database=False)
        self._conn = self._factory(params)

    def send(self, sql: str) -> None:
        conn = self._idle_connection("send a statement")
        pending = _Pending(sql)
        started = threading.Event()

        def run() -> None:
            try:
                started.set()
                wrapper = self._wrapper
                pending.outcome = conn.execute(sql) if wrapper is None else wrapper(self, conn, sql)
            except Exception as exc:  # the worker must always hand an outcome to reap
                pending.outcome = Outcome(error=ServerError(2013, "HY000", f"{type(exc).__name__}: {exc}"))
            finally:
                pending.done.set()

        threading.Thread(target=run, name=f"tidbrun-send-{self.name}", daemon=True).start()
        # mysqltest's send has written the statement when it returns. The driver has no separate
        # send call, so give the worker the moment it needs to get the statement onto the wire
        # (it releases the GIL while it waits on the server).
        started.wait()
        pending.done.wait(_SEND_SETTLE_SECONDS)
        self._pending = pending
        self.state = State.SENT

    def reap(self, timeout: float | None = None) -> Outcome:
        if self.state is not State.SENT or self._pending is None:
            raise SessionStateError(f"connection '{self.name}': reap without a sent statement ({self.state.value})")
        pending = self._pending
        if not pending.done.wait(timeout):
            raise TimeoutError(
                f"connection '{self.name}': statement still running after {timeout} s: {pending.sql[:200]}"
            )
        self._pending = None
        self.state = State.IDLE
        assert pending.outcome is not None
        self._follow_database(pending.sql, pending.outcome)
        return pending.outcome

    def close(self, *, abort: bool = False) -> None:
        """``abort`` (dirty_close): a statement still running is not waited for; the server ends
        the connection (tidbrun cannot cut the driver's socket under a running statement)."""
        if self.state is State.SENT and self._pending is not None:
            if abort and self._conn is not None and not self._pending.done.is_set():
                self._kill_from_outside(self._conn.thread_id)
            # mysqltest's disconnect after send waits for the statement, then closes.
            self._pending.done.wait(30)
            self._pending = None
        if self._conn is not None:
            self._conn.close()
        self._conn = None
        self.state = State.CLOSED

    def _kill_from_outside(self, thread_id: int) -> None:
        helper = self._factory(self.params)
        try:
            helper.execute(f"KILL CONNECTION {int(thread_id)}")
        finally:
            helper.close()

    def _follow_database(self, sql: str, outcome: Outcome) -> None:
        if outcome.error is not None or not sql[:64].lstrip()[:4].lower().startswith(("use", "drop")):
            return
        if (match := _USE.match(sql)) is not None:
            self.current_database = _unquoted(match.group(1))
        elif (match := _DROP_DATABASE.match(sql)) is not None and _unquoted(match.group(1)) == self.current_database:
            self.current_database = ""  # the server leaves the session in no database

    # -- queries on the state -------------------------------------------------------------------

    @property
    def connection(self) -> Connection:
        if self._conn is None:
            raise SessionStateError(f"connection '{self.name}' is {self.state.value}")
        return self._conn

    @property
    def server_version(self) -> int:
        """mysqltest's $mysql_get_server_version (-1 once the connection is closed)."""
        conn = self._conn
        return -1 if conn is None or self.state is State.CLOSED else getattr(conn, "server_version", 0)

    @property
    def pending_sql(self) -> str | None:
        return self._pending.sql if self._pending else None

    def wait_done(self, timeout: float) -> bool:
        """Whether the sent statement has finished, waiting at most ``timeout`` s for it; its
        outcome stays for ``reap``. True when nothing is sent."""
        pending = self._pending
        return pending is None or pending.done.wait(timeout)

    def _idle_connection(self, action: str) -> Connection:
        if self.state is State.SENT:
            raise SessionStateError(
                f"connection '{self.name}' has a statement sent and not reaped; cannot {action} before reap"
            )
        self._require(State.IDLE, action)
        assert self._conn is not None
        return self._conn

    def _require(self, state: State, action: str) -> None:
        if self.state is not state:
            raise SessionStateError(f"connection '{self.name}' is {self.state.value}; cannot {action}")
