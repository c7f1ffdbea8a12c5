"""What a handler gets: the ``Context`` of its machine (one per machine, one connection each).

Everything a test does goes through it: statements on tidbrun's own sessions (so the run's
statement watchdog, timeouts, retries of the first connection, blocking detection and failpoints
apply), ``echo`` into the test's output, the variables (``--var``, the matrix), the shared state,
events and barrier of the coordinator, and ``fail``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from runner.sessions.block_monitor import BlockMonitor, Verdict
from runner.sessions.driver import Outcome
from runner.sessions.session import Session

if TYPE_CHECKING:
    from runner.statemachine.coordinator import Coordinator
    from runner.tidb.failpoints import FailpointScope

T = TypeVar("T")
_POLL = 0.05  # how often a wait looks whether the test is being stopped


class TestAssertion(AssertionError):
    """``ctx.fail(...)``: the test fails here with this message."""


class MachineStopped(BaseException):
    """The coordinator stops a machine (another failed, or the test timed out); not a failure of its own."""


class SqlError(Exception):
    """A statement the server refused; ``errno``, ``sqlstate`` and the server's ``message``."""

    def __init__(self, sql: str, errno: int, sqlstate: str, message: str) -> None:
        super().__init__(f"{errno} ({sqlstate}): {message} [in: {sql}]")
        self.sql = sql
        self.errno = errno
        self.sqlstate = sqlstate
        self.message = message


class Rows(list[tuple[str | None, ...]]):
    """A statement's rows (values as text, NULL as None), with its ``columns`` and ``affected_rows``."""

    def __init__(self, rows: list[tuple[str | None, ...]], columns: list[str], affected_rows: int = 0) -> None:
        super().__init__(rows)
        self.columns = columns
        self.affected_rows = affected_rows

    def scalar(self) -> str | None:
        """The first column of the first row (None when there is no row)."""
        return self[0][0] if self and self[0] else None


@dataclass(frozen=True, slots=True)
class TestConfig:
    """The run's configuration as a test sees it (never the password)."""

    __test__ = False  # not a pytest class, whatever its name

    host: str
    port: int
    socket: str | None
    user: str
    database: str
    reap_timeout: float  # --reap-timeout: how long a wait on another machine lasts at most
    variables: Mapping[str, str] = field(default_factory=dict)  # --var and the matrix parameters


@dataclass(slots=True)
class Services:
    """What the run lends a test's contexts."""

    open_session: Callable[[str], Session]  # a connected session of that name (tidbrun's own)
    echo: Callable[[str], None]  # a line into the test's output
    failpoints: FailpointScope | None = None  # TiDB's failpoints, put back when the test ends
    monitor: Callable[[], BlockMonitor] | None = None  # the control connection, for wait_blocked


class Context:
    """A machine's view of the test. Handlers read and call it; its attributes are documented here.

    ``name`` the machine's name; ``state`` its current state; ``config`` (``TestConfig``);
    ``connection`` its session once ``connecting`` ran; ``version`` and ``flavour`` once
    ``getting_version`` ran; ``shared`` the machines' shared dictionary (use ``with ctx.lock:``
    around read-modify-write); ``local`` a dictionary private to the current handler.
    """

    def __init__(self, name: str, config: TestConfig, services: Services, coordinator: Coordinator,
                 first_own_state: str) -> None:
        self.name = name
        self.config = config
        self.state = ""
        self.version = ""
        self.flavour = ""
        self.first_own_state = first_own_state
        self.connection: Session | None = None
        self._services = services
        self._coordinator = coordinator
        self._locals: dict[str, dict[str, Any]] = {}

    # -- the test's data --------------------------------------------------------------------------

    @property
    def shared(self) -> dict[str, Any]:
        return self._coordinator.shared

    @property
    def lock(self) -> threading.RLock:
        return self._coordinator.lock

    @property
    def local(self) -> dict[str, Any]:
        return self._locals.setdefault(self.state, {})

    def var(self, name: str, default: T) -> T:
        """``--var name=…`` (or the matrix's value), converted to the type of ``default``."""
        text = self.config.variables.get(name)
        if text is None:
            return default
        if isinstance(default, bool):
            return text.lower() in ("1", "true", "yes", "on")  # type: ignore[return-value]
        try:
            return type(default)(text)  # type: ignore[call-arg]
        except (TypeError, ValueError):
            self.fail(f"--var {name}={text!r} is not a {type(default).__name__}")
            raise  # fail() raised already; this tells mypy

    # -- output -----------------------------------------------------------------------------------

    def echo(self, *values: object) -> None:
        """A line into the test's output (compared with the ``.result``)."""
        self._services.echo(" ".join(str(v) for v in values))

    def query(self, sql: str) -> Rows:
        """Run ``sql`` and echo it with its rows, tab-separated under a header of column names."""
        rows = self.sql(sql)
        self.echo(sql + ";")
        if rows.columns:
            self.echo("\t".join(rows.columns))
            for row in rows:
                self.echo("\t".join("NULL" if v is None else v for v in row))
        return rows

    def fail(self, message: str) -> None:
        """The test fails here (the line of this call is reported)."""
        raise TestAssertion(message)

    # -- the connection ---------------------------------------------------------------------------

    def connect(self) -> Session:
        """This machine's connection (``connecting`` opens it; a custom workflow may call it)."""
        if self.connection is None:
            self.connection = self._services.open_session(self.name)
        return self.connection

    def sql(self, sql: str) -> Rows:
        """Run one statement on this machine's connection; its rows. ``SqlError`` when refused."""
        self._check_running()
        return _rows(sql, self._session().execute(sql))

    def send(self, sql: str) -> None:
        """Start ``sql`` and go on (``reap`` collects it), as mysqltest's ``send``."""
        self._session().send(sql)

    def reap(self) -> Rows:
        """The outcome of the statement ``send`` started (waits at most ``--reap-timeout``)."""
        session = self._session()
        sql = session.pending_sql or ""
        deadline = time.monotonic() + self.config.reap_timeout
        while not session.wait_done(_POLL):
            self._check_running()
            if time.monotonic() >= deadline:
                self.fail(f"reap: statement still running after {self.config.reap_timeout:g} s: {sql}")
        return _rows(sql, session.reap())

    def wait_blocked(self, machine: str | None = None, timeout: float | None = None) -> str:
        """Until the statement ``machine`` (default: this one) sent waits for a lock; what it waits
        for, as the server says. Fails when it finishes or is not blocked in time."""
        if self._services.monitor is None:
            self.fail("wait_blocked: no control connection in this run")
        assert self._services.monitor is not None
        target = self._coordinator.context(machine or self.name)
        session = target._session()
        limit = self.config.reap_timeout if timeout is None else timeout
        with self._coordinator.monitor_lock:  # one control connection for all machines
            watched = self._services.monitor().watch(session, limit)
        if watched.verdict is not Verdict.BLOCKED:
            self.fail(f"wait_blocked: the statement of machine '{target.name}' {watched.verdict.value}")
        return str(watched.wait) if watched.wait is not None else "a lock"

    # -- coordination -----------------------------------------------------------------------------

    def signal(self, event: str) -> None:
        """Set the named event (every machine waiting for it goes on)."""
        self._coordinator.event(event).set()

    def wait_for(self, event: str, timeout: float | None = None) -> None:
        """Until another machine signals ``event``; fails after ``timeout`` (default --reap-timeout)."""
        limit = self.config.reap_timeout if timeout is None else timeout
        flag = self._coordinator.event(event)
        deadline = time.monotonic() + limit
        while not flag.wait(_POLL):
            self._check_running()
            if time.monotonic() >= deadline:
                self.fail(f"event '{event}' was not signalled within {limit:g} s")

    def barrier(self, timeout: float | None = None) -> None:
        """Until every machine of the test has reached a barrier."""
        limit = self.config.reap_timeout if timeout is None else timeout
        try:
            self._coordinator.barrier.wait(limit)
        except threading.BrokenBarrierError:
            self._check_running()
            self.fail(f"barrier: not every machine arrived within {limit:g} s")

    def sleep(self, seconds: float) -> None:
        """Sleep, but stop at once when the test is being stopped."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self._check_running()
            time.sleep(min(left, _POLL))

    def poll(self, check: Callable[[], T], *, every: float = 0.2, timeout: float | None = None,
             what: str = "the condition") -> T:
        """Call ``check`` until it returns something true; that value. Fails after ``timeout``."""
        limit = self.config.reap_timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        while True:
            value = check()
            if value:
                return value
            if time.monotonic() >= deadline:
                self.fail(f"{what} did not hold within {limit:g} s")
            self.sleep(every)

    # -- TiDB -------------------------------------------------------------------------------------

    def failpoint(self, path: str, term: str | None) -> None:
        """Enable a TiDB failpoint with ``term`` (None: disable it); put back when the test ends."""
        scope = self._services.failpoints
        if scope is None:
            self.fail("failpoints need a TiDB server with its status port")
        assert scope is not None
        if term is None:
            scope.disable(path)
        else:
            scope.enable(path, term)

    # -- for the machine and coordinator ------------------------------------------------------------

    def enter_state(self, state: str) -> None:
        self.state = state
        self._coordinator.entered(self.name, state)

    def _session(self) -> Session:
        if self.connection is None:
            self.fail(f"machine '{self.name}' has no connection yet (the 'connecting' state opens it)")
        assert self.connection is not None
        return self.connection

    def _check_running(self) -> None:
        if self._coordinator.stopping.is_set():
            raise MachineStopped()


def _rows(sql: str, outcome: Outcome) -> Rows:
    if outcome.error is not None:
        error = outcome.error
        raise SqlError(sql, error.errno, error.sqlstate, error.message)
    if not outcome.results:
        return Rows([], [])
    last = outcome.results[-1]
    columns = [c.name for c in last.columns] if last.columns is not None else []
    return Rows(list(last.rows), columns, last.affected_rows)
