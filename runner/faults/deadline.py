"""``--testcase-timeout`` and ``--suite-timeout``: one timer per test (never per statement).

When a test's deadline passes (its own, or the run's if that comes first) the timer thread:
1. notes what the test was doing — the statements in flight, or the line the test is at;
2. refuses new statements and kills the running ones (``Watch.stop_all``), so a test blocked in the
   server comes back;
3. interrupts the main thread with SIGALRM, so a test in ``sleep``, ``exec`` or a loop without
   statements stops too. The handler raises only while the test body runs (``Interpreter.run`` is
   on the stack), never in the cleanup after it.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

from runner.engine.outcomes import TestFailure
from runner.engine.position import Position
from runner.faults.watch import Watch
from runner.language.records import Command, Location, Record

log = logging.getLogger("tidbrun.deadline")


class TestTimedOut(TestFailure):
    """The test ran past --testcase-timeout or --suite-timeout."""


@dataclass(slots=True)
class Expiry:
    reason: str  # "--testcase-timeout 10 s" or "--suite-timeout 60 s"
    running: list[str]  # what was running when it expired
    location: Location | None
    suite: bool  # the run's deadline, not the test's

    def message(self) -> str:
        what = "; ".join(self.running) if self.running else "no statement in flight"
        return f"test stopped: {self.reason} expired; running: {what}"


class Deadlines:
    """Arms a timer around each test; knows whether the run's deadline has passed."""

    def __init__(self, watch: Watch, testcase_timeout: float | None, suite_timeout: float | None) -> None:
        self._watch = watch
        self.testcase_timeout = testcase_timeout
        self.suite_timeout = suite_timeout
        self._suite_end = time.monotonic() + suite_timeout if suite_timeout else None
        self._timer: threading.Timer | None = None
        self._main = threading.main_thread()
        self.expiry: Expiry | None = None
        self._signals = False
        self._position = Position()  # the running test's, given by arm()

    @property
    def suite_expired(self) -> bool:
        return self._suite_end is not None and time.monotonic() >= self._suite_end

    @contextmanager
    def installed(self) -> Iterator[Deadlines]:
        """The SIGALRM handler for the run (only possible in the main thread)."""
        if threading.current_thread() is not self._main or not (self.testcase_timeout or self.suite_timeout):
            yield self
            return
        previous = signal.signal(signal.SIGALRM, self._on_alarm)
        self._signals = True
        try:
            yield self
        finally:
            self.disarm()
            signal.signal(signal.SIGALRM, previous)
            self._signals = False

    def arm(self, position: Position | None = None) -> None:
        """Start the clock for one test; ``position`` is where its interpreter is."""
        self.expiry = None
        self._position = position if position is not None else Position()
        delay, suite = self._next_delay()
        if delay is None:
            return
        self._timer = threading.Timer(max(0.0, delay), self._expire, args=(suite,))
        self._timer.daemon = True
        self._timer.start()

    def disarm(self) -> None:
        timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()

    def _next_delay(self) -> tuple[float | None, bool]:
        test = self.testcase_timeout
        suite = self._suite_end - time.monotonic() if self._suite_end is not None else None
        if test is None and suite is None:
            return None, False
        if suite is not None and (test is None or suite <= test):
            return suite, True
        return test, False

    def _expire(self, suite: bool) -> None:
        limit = self.suite_timeout if suite else self.testcase_timeout
        reason = f"--{'suite' if suite else 'testcase'}-timeout {limit:g} s"
        in_flight = [entry.describe() for entry in self._watch.in_flight()]
        record = self._position.record
        location = record.location if record is not None else None
        running = in_flight or ([_doing(record)] if record is not None else [])
        self.expiry = Expiry(reason, running, location, suite)
        message = self.expiry.message()
        log.warning("%s", message)
        self._watch.stop_all(message)
        if self._signals and not in_flight and self._main.ident is not None:
            # Nothing to kill in the server: the test is in Python (sleep, exec, a loop).
            signal.pthread_kill(self._main.ident, signal.SIGALRM)

    def _on_alarm(self, signum: int, frame: FrameType | None) -> None:
        expiry = self.expiry
        if expiry is None or not self._position.in_body:
            return
        raise TestTimedOut(self._position.location or expiry.location, expiry.message())


def _doing(record: Record) -> str:
    """``'sleep 20' at file:line``: the command the test is at, or its line. Without the include
    chain: the failure is reported at this command, with its chain."""
    location = record.location
    if isinstance(record, Command):
        text = f"{record.name} {record.argument.strip()}".strip()
        return f"'{text}' at {location}"
    return f"the test at {location}"
