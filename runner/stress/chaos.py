"""A stress run under a chaos schedule: the faults applied on time, the writes the server
acknowledged kept in a ledger and checked afterwards, and the time the load took to recover.

    chaos = Chaos(schedule, control=ServerControl(server), proxy=proxy, direct=address, relayed=through_proxy)
    chaos.prepare()                  # the ledger table, on the server directly
    run_stress(..., on_statement=chaos.observe, alongside=chaos)   # start() / stop() around the load
    report = chaos.finish()          # the server back, the ledger checked

The load's connections go through a fault proxy (``runner.faults.proxy``), which a ``cut`` or a
``delay`` acts on; ``kill``, ``restart`` and ``pause`` act on tidbrun's own server
(``runner.server.control``).

**The ledger.** Beside the workload, ``writers`` connections (through the same proxy) insert
``(writer, seq)`` rows, autocommit, paced at ``LEDGER_RATE`` a second each. A row the server
answered OK is acknowledged: it must be there afterwards, whatever was done to the server. A row
whose answer was lost (the connection went during the statement) may or may not be there; it is
counted as unsure, not checked. After the load the ledger is read on a direct connection: every
acknowledged row missing is listed, and the run fails.

**Recovery.** Each action has a moment its fault is over: a kill once the process is gone (the
load is down from there until a restart), a restart when the server answers again, a pause at
its resume, a cut or a delay when healed. Its recovery time is from that moment to the end of the
first statement the server acknowledged that was sent after the fault took hold and ended after
it was over (a workload statement or a ledger write).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from runner.errors import EXIT_TEST_FAILED, TidbrunError
from runner.faults.proxy import Endpoint, FaultProxy, ProxyError
from runner.server.connect import connect_params
from runner.server.control import ServerControl
from runner.sessions.driver import ConnectError, Connection, Outcome, ServerError, connect
from runner.stress.chaos_schedule import Action, Schedule
from runner.stress.criteria import Verdict
from runner.stress.loop import CONNECTION_GONE

if TYPE_CHECKING:
    from runner.server.address import ServerAddress
    from runner.server.embedded import EmbeddedServer
    from runner.stress.loop import StatementDone

LEDGER_DATABASE = "tidbrun_chaos"
LEDGER_TABLE = f"{LEDGER_DATABASE}.ledger"
LEDGER_RATE = 100.0  # writes a second, per ledger writer
DEFAULT_WRITERS = 2
RECONNECT_PAUSE = 0.05
STOP_WAIT_SECONDS = 30.0
MAX_LISTED = 20


class ChaosError(TidbrunError):
    """The chaos run could not be set up: the load cannot go on as asked (exit 1)."""

    exit_code = EXIT_TEST_FAILED


@dataclass(slots=True)
class ActionOutcome:
    """One scheduled action as it went; times in seconds from the start of the load."""

    action: Action
    applied: float | None = None
    took: float | None = None  # how long applying it took (a restart: until the server answered)
    ended: float | None = None  # when its fault was over
    recovered: float | None = None  # from ``ended`` to the first acknowledged statement after it
    problem: str | None = None


@dataclass(slots=True)
class ChaosReport:
    schedule: str
    actions: list[ActionOutcome]
    writers: int
    acknowledged: int = 0
    unsure: int = 0  # writes whose answer was lost: they may or may not be there
    refused: int = 0  # writes the server answered with an error: not written
    missing: list[tuple[int, int]] = field(default_factory=list)  # (writer, seq), acknowledged but gone
    problem: str | None = None  # what kept the schedule or the check from being carried out

    @property
    def passed(self) -> bool:
        return self.problem is None and not self.missing and self.acknowledged > 0

    def verdict_text(self) -> str:
        if self.problem is not None:
            return f"not checked: {self.problem}"
        if not self.acknowledged:
            return "no write was acknowledged"
        return f"{len(self.missing)} missing of {self.acknowledged} acknowledged"

    def listed_missing(self) -> list[str]:
        shown = [f"writer {writer} seq {seq}" for writer, seq in self.missing[:MAX_LISTED]]
        if len(self.missing) > MAX_LISTED:
            shown.append(f"... and {len(self.missing) - MAX_LISTED} more")
        return shown


class Chaos:
    def __init__(
        self,
        schedule: Schedule,
        *,
        control: ServerControl | None,
        proxy: FaultProxy,
        direct: ServerAddress,
        relayed: ServerAddress,
        writers: int = DEFAULT_WRITERS,
    ) -> None:
        if schedule.touches_server and control is None:
            raise ChaosError("kill, restart and pause need the server tidbrun starts itself (leave out --host)")
        self.schedule = schedule
        self.control = control
        self.proxy = proxy
        self.direct = direct
        self.relayed = relayed
        self.report = ChaosReport(schedule.text, [ActionOutcome(action) for action in schedule.actions], writers)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._started = 0.0
        # Faults over, recovery not yet seen: (sent after, over at, the action).
        self._waiting: list[tuple[float, float, ActionOutcome]] = []
        self._applied: dict[int, float] = {}  # by id of the outcome: when its fault began
        self._driver: threading.Thread | None = None
        self._writers = [_LedgerWriter(number, relayed, self._stop, self._acknowledged)
                         for number in range(1, writers + 1)]

    # -- around the load -------------------------------------------------------------------------

    def prepare(self) -> None:
        """A fresh ledger table, made on the server directly."""
        _run_direct(self.direct, [
            f"DROP DATABASE IF EXISTS {LEDGER_DATABASE}",
            f"CREATE DATABASE {LEDGER_DATABASE}",
            f"CREATE TABLE {LEDGER_TABLE} (writer INT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (writer, seq))",
        ])

    def start(self) -> None:
        """The load starts now: the schedule's clock, its driver and the ledger writers."""
        self._started = time.monotonic()
        self._driver = threading.Thread(target=self._drive, name="tidbrun-chaos", daemon=True)
        self._driver.start()
        for writer in self._writers:
            writer.start()

    def stop(self) -> None:
        """The load is over: no further action; the server resumed and the connections healed."""
        self._stop.set()
        if self._driver is not None:
            self._driver.join(STOP_WAIT_SECONDS)
        self.proxy.heal()
        control = self.control
        if control is not None and control.paused:
            self._attempt(control.resume, "resuming the server at the end")
        for writer in self._writers:
            writer.join(STOP_WAIT_SECONDS)

    def observe(self, done: StatementDone) -> None:
        """The load's ``on_statement``: a statement the server acknowledged ends recoveries."""
        if done.error is None:
            self._acknowledged(done.started, done.started + done.seconds)

    def finish(self) -> ChaosReport:
        """The server running again if the schedule was cut short, then the ledger check."""
        report = self.report
        for writer in self._writers:
            report.unsure += writer.unsure
            report.refused += writer.refused
        acknowledged = {(writer.number, seq) for writer in self._writers for seq in writer.acknowledged}
        report.acknowledged = len(acknowledged)
        control = self.control
        if control is not None and not control.server.is_alive():
            self._attempt(control.restart, "restarting the server for the ledger check")
        try:
            present = _ledger_rows(self.direct)
        except Exception as exc:
            report.problem = report.problem or f"the ledger could not be read: {exc}"
            return report
        report.missing = sorted(acknowledged - present)
        with contextlib.suppress(Exception):
            _run_direct(self.direct, [f"DROP DATABASE IF EXISTS {LEDGER_DATABASE}"])
        return report

    # -- the driver ------------------------------------------------------------------------------

    def _drive(self) -> None:
        steps: list[tuple[float, int, ActionOutcome, bool]] = []
        for order, outcome in enumerate(self.report.actions):
            steps.append((outcome.action.at, 2 * order, outcome, False))
            if outcome.action.seconds:
                steps.append((outcome.action.end, 2 * order + 1, outcome, True))
        steps.sort(key=lambda step: (step[0], step[1]))
        for at, _, outcome, ending in steps:
            if self._stop.wait(max(0.0, self._started + at - time.monotonic())):
                return
            if outcome.problem is not None:
                continue  # it did not begin: nothing to end
            try:
                self._end(outcome) if ending else self._begin(outcome)
            except Exception as exc:
                outcome.problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                self.report.problem = self.report.problem or f"{outcome.action.describe()}: {outcome.problem}"
                if outcome.action.kind in ("kill", "restart"):
                    return  # the server's state is unknown: nothing after it makes sense

    def _begin(self, outcome: ActionOutcome) -> None:
        action = outcome.action
        began = time.monotonic()
        outcome.applied = began - self._started
        if action.kind == "kill":
            self._server().kill()
        elif action.kind == "restart":
            self._server().restart()
        elif action.kind == "pause":
            self._server().pause()
        elif action.kind == "cut":
            self.proxy.cut()
        else:
            self.proxy.set_delay(action.latency)
        done = time.monotonic()
        outcome.took = done - began
        # A kill's fault is there once the process is gone (statements may finish until then).
        self._applied[id(outcome)] = done if action.kind == "kill" else began
        if action.kind in ("kill", "restart"):
            self._fault_over(outcome, done)

    def _end(self, outcome: ActionOutcome) -> None:
        if outcome.action.kind == "pause":
            self._server().resume()
        else:
            self.proxy.heal()
        self._fault_over(outcome, time.monotonic())

    def _server(self) -> ServerControl:
        assert self.control is not None  # Chaos() refuses a schedule that needs it without it
        return self.control

    def _fault_over(self, outcome: ActionOutcome, at: float) -> None:
        with self._lock:
            outcome.ended = at - self._started
            self._waiting.append((self._applied.get(id(outcome), at), at, outcome))

    def _acknowledged(self, sent: float, finished: float) -> None:
        """A statement sent at ``sent`` was acknowledged at ``finished``: it shows recovery from
        each fault it was sent after (never one answered before the fault took hold) and
        finished after the end of."""
        if not self._waiting:
            return
        with self._lock:
            still = []
            for after, at, outcome in self._waiting:
                if sent >= after and finished > at:
                    outcome.recovered = finished - at
                else:
                    still.append((after, at, outcome))
            self._waiting = still

    def _attempt(self, run: Callable[[], object], what: str) -> None:
        try:
            run()
        except Exception as exc:
            self.report.problem = self.report.problem or f"{what} failed: {exc}"


class _LedgerWriter(threading.Thread):
    """One ledger connection: ``(number, seq)`` rows, autocommit, paced, until told to stop."""

    def __init__(self, number: int, relayed: ServerAddress, stop: threading.Event,
                 on_acknowledged: Callable[[float, float], None]) -> None:
        super().__init__(name=f"tidbrun-ledger-{number}", daemon=True)
        self.number = number
        self.relayed = relayed
        self._stop_event = stop
        self._on_acknowledged = on_acknowledged
        self.acknowledged: list[int] = []
        self.unsure = 0
        self.refused = 0

    def run(self) -> None:
        conn: Connection | None = None
        seq = 0
        interval = 1.0 / LEDGER_RATE
        due = time.monotonic()
        try:
            while not self._stop_event.is_set():
                if conn is None:
                    conn = self._connect()
                    if conn is None:
                        continue
                seq += 1
                sent = time.monotonic()
                outcome = _execute(conn, f"INSERT INTO {LEDGER_TABLE} (writer, seq) VALUES ({self.number}, {seq})")
                if outcome.error is None:
                    self.acknowledged.append(seq)
                    self._on_acknowledged(sent, time.monotonic())
                elif outcome.error.errno in CONNECTION_GONE:  # the outcome is unknown
                    self.unsure += 1
                    _close(conn)
                    conn = None
                else:
                    self.refused += 1
                due += interval
                wait = due - time.monotonic()
                if wait > 0:
                    self._stop_event.wait(wait)
                else:
                    due = time.monotonic()  # fallen behind (a pause, a cut): no burst to catch up
        finally:
            if conn is not None:
                _close(conn)

    def _connect(self) -> Connection | None:
        try:
            return connect(connect_params(self.relayed, connect_timeout=2))
        except Exception:
            self._stop_event.wait(RECONNECT_PAUSE)
            return None


def _execute(conn: Connection, sql: str) -> Outcome:
    try:
        return conn.execute(sql)
    except Exception as exc:  # the driver's own failure: the connection is as good as gone
        return Outcome(error=ServerError(2013, "HY000", f"{type(exc).__name__}: {exc}"))


def _close(conn: Connection) -> None:
    with contextlib.suppress(Exception):
        conn.close()


def _run_direct(address: ServerAddress, statements: list[str]) -> None:
    try:
        conn = connect(connect_params(address, connect_timeout=10))
    except ConnectError as exc:
        raise ChaosError(f"cannot reach the server for the ledger: {exc}") from None
    try:
        for sql in statements:
            error = conn.execute(sql).error
            if error is not None:
                raise ChaosError(f"{sql}: {error.errno} {error.message}")
    finally:
        _close(conn)


def _ledger_rows(address: ServerAddress) -> set[tuple[int, int]]:
    conn = connect(connect_params(address, connect_timeout=10))
    try:
        outcome = conn.execute(f"SELECT writer, seq FROM {LEDGER_TABLE}")
        if outcome.error is not None:
            raise ChaosError(f"{outcome.error.errno} {outcome.error.message}")
        return {(int(str(writer)), int(str(seq))) for writer, seq in outcome.results[0].rows}
    finally:
        _close(conn)


def verdict(report: ChaosReport) -> Verdict:
    """The ledger check as one of the run's pass criteria."""
    return Verdict("acknowledged writes kept", "none missing", report.verdict_text(), report.passed)


@contextlib.contextmanager
def chaos_for(
    schedule: Schedule, address: ServerAddress, server: EmbeddedServer | None, *, writers: int = DEFAULT_WRITERS
) -> Iterator[tuple[Chaos, ServerAddress]]:
    """A ``Chaos`` for the server at ``address`` (``server`` when tidbrun started it), with the
    fault proxy the load must connect through: yields it and the proxy's address for the load."""
    target = Endpoint(socket=address.socket) if address.socket else Endpoint(host=address.host, port=address.port)
    proxy = FaultProxy(target)
    try:
        try:
            endpoint = proxy.start()
        except ProxyError as exc:
            raise ChaosError(str(exc)) from None
        relayed = (replace(address, socket=endpoint.socket) if endpoint.socket is not None
                   else replace(address, host=endpoint.host, port=endpoint.port, socket=None))
        control = ServerControl(server) if server is not None else None
        chaos = Chaos(schedule, control=control, proxy=proxy, direct=address, relayed=relayed, writers=writers)
        chaos.prepare()
        yield chaos, relayed
    finally:
        proxy.close()
