"""The safety nets of one run, set up and torn down together: the log, the circuit breaker and
retries, the statement watch and its watchdog, the deadlines, and the SIGINT/SIGTERM trap."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

from runner.config.credentials.password import ASKS_FOR_PASSWORD, read_password
from runner.config.run_config import RunConfig
from runner.errors import ServerUnavailable
from runner.faults import retry
from runner.faults.breaker import CircuitBreaker
from runner.faults.classify import error_fields
from runner.faults.crash import CrashWatch
from runner.faults.deadline import Deadlines
from runner.faults.interrupts import Trap, trap
from runner.faults.reach import Reach
from runner.faults.watch import Killer, Watch
from runner.hooks import hookimpl
from runner.plugins import current as current_plugins
from runner.report.logfile import run_log
from runner.run.guard import NOT_RUN, TestGuard
from runner.run.suite import SuiteRunner, TestCase, TestReport
from runner.server.expect import Death
from runner.sessions.driver import ConnectParams
from runner.sessions.driver import connect as driver_connect

if TYPE_CHECKING:
    from runner.run.testinfo import TestInfo
    from runner.server.address import ServerAddress
    from runner.server.embedded import EmbeddedServer
    from runner.sessions.session import StatementWrapper

T = TypeVar("T")


class _WantsPassword(Exception):
    """The server refused us for want of a password, and a terminal is there to ask for one."""


log = logging.getLogger("tidbrun.run")


class _Watchdog:
    """The statement watchdog (--statement-timeout, the deadlines, Ctrl-C) as the innermost
    statement wrapper of every test (``runner.hooks.tidbrun_statement_wrapper``)."""

    NAME = "tidbrun.watchdog"

    def __init__(self, watch: Watch) -> None:
        self.watch = watch

    @hookimpl(trylast=True)
    def tidbrun_statement_wrapper(self, test: TestInfo, inner: StatementWrapper) -> StatementWrapper:
        return self.watch.run  # it runs the statement itself: nothing is under it


class RunSafety:
    def __init__(self, config: RunConfig) -> None:
        self.config = config
        faults = config.faults
        self.breaker = CircuitBreaker()
        self.reach = Reach(self.breaker, retry.CONNECT.with_deadline(faults.connect_timeout))
        self.runner: SuiteRunner | None = None
        self.watch = Watch(Killer(self._kill_params, driver_connect), faults.statement_timeout)
        self.deadlines = Deadlines(self.watch, faults.testcase_timeout, faults.suite_timeout)
        self.crash: CrashWatch | None = None
        self.trap = Trap()
        self.notes: list[str] = []
        self._address: ServerAddress | None = None

    # -- the run's lifetime ------------------------------------------------------------------------

    @contextlib.contextmanager
    def active(self) -> Iterator[RunSafety]:
        plugins = current_plugins()
        faults = self.config.faults
        with run_log(faults.log_file, level=faults.log_level, fmt=faults.log_format), trap(self._on_signal) as caught:
            self.trap = caught
            plugins.register(_Watchdog(self.watch), _Watchdog.NAME)
            try:
                with self.watch, self.deadlines.installed():
                    yield self
            finally:
                plugins.unregister(_Watchdog.NAME)

    def watch_server(self, server: EmbeddedServer) -> None:
        """The embedded server: crashes are watched and it is restarted; so is a server a test
        stops after writing an expect file (``runner.server.expect``), as the test asks."""
        self.crash = CrashWatch(server, on_death=self._server_died)

    def _server_died(self, death: Death) -> None:
        # From the expect-file watcher's thread: the server is gone for good (a crash, a restart
        # that failed). MTR stops the test at once; so does tidbrun: no statement may start.
        self.watch.stop_reason = death.describe()

    def _on_signal(self, signum: int) -> None:
        # From the signal reader thread: bring back the statements the main thread waits on.
        self.watch.stop_all(f"interrupted by signal {signum}", kill_connection=True)

    def _kill_params(self) -> ConnectParams:
        if self.runner is not None:
            return self.runner.connect_params()
        assert self._address is not None
        address = self._address
        return ConnectParams(host="localhost" if address.socket else address.host, user=address.user,
                             password=address.password, port=address.port, socket=address.socket)

    # -- reaching the server at the start -----------------------------------------------------------

    def reach_server(self, address: ServerAddress, probe: Callable[[ServerAddress], T]) -> tuple[ServerAddress, T]:
        """``probe(address)`` (the flavour query), retried; asks for a password when the server
        wants one and a terminal is there. Trips the breaker and raises ServerUnavailable when
        the server cannot be reached."""
        self._address = address
        faults = self.config.faults
        policy = retry.CONNECT.with_deadline(faults.connect_timeout)
        where = _where(address)

        def attempt(address: ServerAddress, may_ask: bool) -> T:
            try:
                return retry.call(lambda _limit: probe(address), policy, f"cannot reach the server at {where}")
            except retry.RetriesExhausted:
                self.breaker.trip("the server could not be reached at the start of the run")
                raise
            except Exception as exc:
                errno, _, _ = error_fields(exc)
                if may_ask and errno in ASKS_FOR_PASSWORD:
                    raise _WantsPassword from None
                raise _unavailable(f"cannot use the server at {where}", exc) from None

        try:
            return address, attempt(address, faults.may_prompt and faults.password_source == "none")
        except _WantsPassword:
            pass
        password = read_password(f"Enter password for {address.user}@{where}: ")
        address = replace(address, password=password)
        self.config.server.password = password
        self.config.faults.password_source = "prompt"
        self._address = address
        return address, attempt(address, False)

    # -- the tests ---------------------------------------------------------------------------------

    def guard(
        self,
        runner: SuiteRunner,
        make_clean: Callable[[ServerAddress], Callable[[], None]],
        make_environment: Callable[[ServerAddress], dict[str, str]],
    ) -> TestGuard:
        self.runner = runner
        runner.reach = self.reach
        return TestGuard(runner, watch=self.watch, deadlines=self.deadlines, reach=self.reach, crash=self.crash,
                         make_clean=make_clean, make_environment=make_environment)

    def not_run(self, cases: list[TestCase], why: str) -> list[TestReport]:
        return [TestReport(case, NOT_RUN, 0.0, f"not run: {why}") for case in cases]  # type: ignore[arg-type]

    def interrupted(self, case: TestCase, seconds: float) -> TestReport:
        return TestReport(case, NOT_RUN, seconds, f"not run to its end: interrupted by {self.trap.name}")  # type: ignore[arg-type]

    def restart_notes(self) -> list[str]:
        """For the report: the embedded server's restarts after crashes (and to undo a test's
        options), and those the tests asked for with an expect file."""
        crash = self.crash
        if crash is None:
            return []
        notes = []
        if crash.restarts:
            notes.append(f"server restarted {crash.restarts} time(s) in "
                         + ", ".join(f"{s:.2f} s" for s in crash.restart_seconds))
        if crash.requested_restarts:
            notes.append(f"server restarted {crash.requested_restarts} time(s) at the tests' request (expect file) in "
                         + ", ".join(f"{s:.2f} s" for s in crash.expect.restart_seconds))
        return notes


def _where(address: ServerAddress) -> str:
    if address.socket:
        return f"{address.host}:{address.port} (socket {address.socket})"
    return f"{address.host}:{address.port}"


def _unavailable(what: str, exc: BaseException) -> ServerUnavailable:
    errno, sqlstate, message = error_fields(exc)
    if errno in ASKS_FOR_PASSWORD:
        # The server's own words, as the mysql client shows them: user, host, whether a password
        # was sent (never the password itself).
        return ServerUnavailable(f"{what}: {message} (error {errno})")
    detail = f"{errno} ({sqlstate}): {message}" if errno is not None else f"{type(exc).__name__}: {message}"
    return ServerUnavailable(f"{what}: {detail}")

