"""Run a workload on N connections until a bound: the load itself, and the API to drive one.

    load = Load(workload, address, LoadOptions(connections=8, duration=60, rate=500),
                on_statement=callback)        # callback(StatementDone), on the worker's thread
    load.start()          # one thread per connection; returns at once
    ...                   # e.g. a fault schedule runs meanwhile
    result = load.wait()  # until the bound (duration, requests, or stop()) is reached
    # or: result = run_load(workload, address, options)

A ``Load`` is always bounded: by ``duration`` seconds, by ``requests`` statements in all, or by
``MAX_SECONDS`` when neither stops it first; ``stop()`` ends it early. Closed loop (``rate`` None):
each connection sends its next statement when the last one answered. Open loop: statements are
due at a fixed total ``rate`` per second, spread evenly over the connections, and a statement's
latency counts from when it was due, not from when it could be sent, so a server that falls behind
shows it in the latency instead of hiding it (no coordinated omission).

Errors do not stop a load: each is counted by class (``runner.faults.classify``) and the next
statement follows. A connection the server dropped is opened again (transient errors retried with
backoff until the bound); ``on_statement`` sees every statement, so a caller can tell which writes
the server acknowledged.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from runner.engine.variables import Variables
from runner.errors import TestFileError
from runner.faults import retry
from runner.faults.classify import TRANSIENT, classify, classify_exception
from runner.server.address import ServerAddress
from runner.server.connect import connect_params
from runner.sessions.driver import ConnectError, Connection, Outcome, ServerError, connect
from runner.stress.metrics import Recorder
from runner.stress.workload import Group, Let, Statement, Step, Workload, evaluate

_LAG_SECONDS = 0.1
_GRACE = 5.0  # seconds after the bound and a statement timeout before wait() leaves a worker behind
MAX_SECONDS = 6 * 3600.0  # the bound of a load that names none that stops it sooner
DEFAULT_DATABASE = "test"
# Errors after which the connection is gone (the client library's "lost" family and a kill).
CONNECTION_GONE = frozenset({1053, 1927, 2002, 2003, 2006, 2013, 2055})


@dataclass(frozen=True, slots=True)
class LoadOptions:
    connections: int = 1
    duration: float | None = None  # seconds
    requests: int | None = None  # statements in all, over every connection
    rate: float | None = None  # statements per second in all; None: closed loop
    database: str = DEFAULT_DATABASE
    seed: int | None = None  # the workload's random values; None: a different run each time
    # Seconds a statement may wait for the server's answer; then it fails (2013) and the
    # connection is opened again. Keeps a load bounded when the server hangs.
    statement_timeout: int = 30


@dataclass(frozen=True, slots=True)
class StatementDone:
    """One statement the load ran; ``error`` None means the server acknowledged it."""

    connection: int  # 1..N
    group: str
    sql: str
    started: float  # time.monotonic() when it was due (open loop) or sent (closed loop)
    seconds: float
    error: ServerError | None


OnStatement = Callable[[StatementDone], None]


@dataclass(slots=True)
class LoadResult:
    recorder: Recorder
    seconds: float  # from start to the last worker's end
    reconnects: int = 0
    lagging: bool = False  # open loop: the statements were sent later than due (the load fell behind)
    stopped_by: str = ""  # "duration", "requests", "stop" or "error"
    fatal: Exception | None = None  # what ended a worker (a workload value that cannot be used...)

    @property
    def throughput(self) -> float:
        return self.recorder.statements / self.seconds if self.seconds > 0 else 0.0


class Load:
    """One bounded run of ``workload`` on ``options.connections`` connections (see the module)."""

    def __init__(
        self,
        workload: Workload,
        address: ServerAddress,
        options: LoadOptions,
        *,
        recorder: Recorder | None = None,
        on_statement: OnStatement | None = None,
    ) -> None:
        if options.connections < 1:
            raise ValueError("a load needs at least one connection")
        if options.rate is not None and options.rate <= 0:
            raise ValueError("the rate must be above 0")
        self.workload = workload
        self.address = address
        self.options = options
        self.recorder = recorder if recorder is not None else Recorder()
        self.on_statement = on_statement
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._budget = itertools.count(1) if options.requests is not None else None
        self._lock = threading.Lock()
        self._reconnects = 0
        self._lag = 0.0
        self._fatal: Exception | None = None
        self._stopped_by = ""
        self._started = 0.0
        self._deadline = 0.0
        self._seed = options.seed if options.seed is not None else random.SystemRandom().randrange(1 << 30)
        self._weights = [group.weight for group in workload.groups]

    # -- the API -------------------------------------------------------------------------------

    def start(self) -> Load:
        """Open the connections and start the workers; returns at once."""
        self._started = time.monotonic()
        self.recorder.started = self._started
        self._deadline = self._started + min(self.options.duration or MAX_SECONDS, MAX_SECONDS)
        for number in range(1, self.options.connections + 1):
            thread = threading.Thread(target=self._worker, args=(number,), name=f"tidbrun-stress-{number}", daemon=True)
            self._threads.append(thread)
            thread.start()
        return self

    def stop(self) -> None:
        """End the load early; the statements running finish first."""
        self._end("stop")
        self._stop.set()

    def wait(self, timeout: float | None = None) -> LoadResult:
        """Until every worker ended (the bound, or stop()); the figures. A worker still waiting
        for the server a statement timeout after the bound is left behind (it ends with the
        process): the load's end does not depend on a server that hangs."""
        if timeout is None:
            timeout = self._deadline - time.monotonic() + self.options.statement_timeout + _GRACE
        limit = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, limit - time.monotonic()))
        if any(thread.is_alive() for thread in self._threads):
            self._stop.set()
        seconds = time.monotonic() - self._started
        lagging = self._lag > self._lag_bound()
        return LoadResult(self.recorder, seconds, self._reconnects, lagging, self._stopped_by or "duration",
                          self._fatal)

    @property
    def running(self) -> bool:
        return any(thread.is_alive() for thread in self._threads)

    # -- one connection ------------------------------------------------------------------------

    def _end(self, why: str) -> None:
        with self._lock:
            if not self._stopped_by:
                self._stopped_by = why

    def _worker(self, number: int) -> None:
        rng = random.Random(self._seed * 1000 + number)
        variables = Variables()
        variables.set("connection", str(number))
        conn: Connection | None = None
        pace = self._pacing(number)
        try:
            conn = self._connect()
            for iteration in itertools.count(1):
                variables.set("iteration", str(iteration))
                group = rng.choices(self.workload.groups, self._weights)[0]
                conn = self._run_group(number, group, conn, variables, rng, pace)
                if conn is None:
                    return
        except _Ended:
            return
        except Exception as exc:  # a value the workload cannot use, a server that never came back
            with self._lock:
                self._fatal = self._fatal or exc
            self._end("error")
            self._stop.set()
        finally:
            if conn is not None:
                try:
                    conn.close()
                except Exception:  # the server may be gone: nothing to close politely
                    pass

    def _pacing(self, number: int) -> _Pace | None:
        rate = self.options.rate
        if rate is None:
            return None
        interval = self.options.connections / rate
        # Spread the connections' first statements over one interval, not all at once.
        return _Pace(interval, self._started + interval * (number - 1) / self.options.connections)

    def _run_group(
        self, number: int, group: Group, conn: Connection, variables: Variables, rng: random.Random, pace: _Pace | None
    ) -> Connection | None:
        for step in group.steps:
            if isinstance(step, Let):
                variables.set(step.name, _value(step, variables, rng))
                continue
            if not self._may_send():
                return None
            sql = _expanded(step, variables)
            if pace is not None:
                started = pace.due
                pace.due += pace.interval
                wait = started - time.monotonic()
                if wait > 0 and self._stop.wait(wait):
                    return None
                self._note_lag(-wait)
            else:
                started = time.monotonic()
            outcome = _execute(conn, sql)
            seconds = time.monotonic() - started
            error = outcome.error
            if error is None:
                self.recorder.record(group.name, seconds)
            else:
                self.recorder.record(group.name, seconds, error.errno, error.sqlstate)
            if self.on_statement is not None:
                self.on_statement(StatementDone(number, group.name, sql, started, seconds, error))
            if error is not None and error.errno in CONNECTION_GONE:
                conn = self._reconnect(conn)
        return conn

    def _may_send(self) -> bool:
        if self._stop.is_set():
            return False
        if time.monotonic() >= self._deadline:
            self._end("duration")
            return False
        if self._budget is not None and next(self._budget) > (self.options.requests or 0):
            self._end("requests")
            return False
        return True

    def _lag_bound(self) -> float:
        """How late a statement may be sent before the load counts as behind its rate: scheduling
        jitter is fine, a queue is not."""
        rate = self.options.rate
        return max(_LAG_SECONDS, 2 * self.options.connections / rate) if rate else float("inf")

    def _note_lag(self, lag: float) -> None:
        if lag > self._lag:
            self._lag = lag

    def _connect(self) -> Connection:
        params_timeout = 5.0

        io_timeout = max(1, self.options.statement_timeout)

        def attempt(limit: float) -> Connection:
            params = connect_params(self.address, database=self.options.database,
                                    connect_timeout=min(limit, params_timeout))
            return connect(replace(params, read_timeout=io_timeout, write_timeout=io_timeout))

        remaining = max(1.0, self._deadline - time.monotonic())
        policy = retry.RetryPolicy(deadline=remaining, attempt_timeout=params_timeout, max_attempts=1 << 20)
        try:
            return retry.call(attempt, policy, "stress: connect", sleep=self._sleep)
        except Exception as exc:
            if self._stop.is_set() or time.monotonic() >= self._deadline:
                raise _Ended() from None
            if isinstance(exc, ConnectError) and classify_exception(exc) != TRANSIENT:
                # Access denied, unknown database: every connection would fail the same way.
                self._fatal = exc
                self._end("error")
                self._stop.set()
                raise _Ended() from None
            raise

    def _reconnect(self, conn: Connection) -> Connection:
        try:
            conn.close()
        except Exception:
            pass
        with self._lock:
            self._reconnects += 1
        return self._connect()

    def _sleep(self, seconds: float) -> None:
        if self._stop.wait(seconds):
            raise _Ended()


@dataclass(slots=True)
class _Pace:
    interval: float  # seconds between this connection's statements
    due: float  # when the next one is due (time.monotonic())


class _Ended(Exception):
    """The load ended while a worker waited (to reconnect, or for its next statement)."""


def _value(step: Let, variables: Variables, rng: random.Random) -> str:
    try:
        return evaluate(step.value, variables.expand, rng)
    except (ValueError, IndexError) as exc:
        raise TestFileError(step.location, f"let ${step.name}: {exc}") from None


def _expanded(step: Statement, variables: Variables) -> str:
    try:
        return variables.expand(step.sql)
    except Exception as exc:
        raise TestFileError(step.location, str(exc)) from None


def _execute(conn: Connection, sql: str) -> Outcome:
    try:
        return conn.execute(sql)
    except Exception as exc:  # the driver's own failure: as the server gone, so that it reconnects
        return Outcome(error=ServerError(2013, "HY000", f"{type(exc).__name__}: {exc}"))


def run_load(
    workload: Workload, address: ServerAddress, options: LoadOptions, *, recorder: Recorder | None = None,
    on_statement: OnStatement | None = None,
) -> LoadResult:
    """Start a load and wait for its end."""
    return Load(workload, address, options, recorder=recorder, on_statement=on_statement).start().wait()


def run_steps(steps: list[Step], address: ServerAddress, database: str = DEFAULT_DATABASE) -> None:
    """Run a workload's setup or cleanup once, on one connection; the first error stops it."""
    variables = Variables()
    variables.set("connection", "0")
    rng = random.Random()
    conn = retry.call(lambda limit: connect(connect_params(address, database=database, connect_timeout=limit)),
                      retry.CONNECT, "stress: connect")
    try:
        for step in steps:
            if isinstance(step, Let):
                variables.set(step.name, _value(step, variables, rng))
                continue
            error = _execute(conn, _expanded(step, variables)).error
            if error is not None:
                kind = classify(error.errno, error.sqlstate)
                raise TestFileError(step.location, f"{error.errno} ({kind}): {error.message}")
    finally:
        conn.close()
