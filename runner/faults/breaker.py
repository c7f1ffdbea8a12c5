"""A circuit breaker in front of "reaching the server".

    CLOSED --(failure_threshold transient failures in a row)--> OPEN
    OPEN --(cool_down seconds later, on the next call)--> HALF_OPEN: that call is a probe
    HALF_OPEN --(success_threshold probes succeed)--> CLOSED
    HALF_OPEN --(a probe fails)--> OPEN (the cool-down starts again)

While it is open, calls fail at once with CircuitOpen, so the remaining tests of a run against a
server that is gone are reported "not run: server unavailable" instead of each one waiting out its
own retries. Every change of state is logged (warning: opened; info: half-open, closed).
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from runner.errors import ServerUnavailable
from runner.faults.classify import TRANSIENT, classify_exception

T = TypeVar("T")
log = logging.getLogger("tidbrun.breaker")


class State(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class CircuitOpen(ServerUnavailable):
    """The breaker is open: the call was not even tried."""

    kind = TRANSIENT


@dataclass(frozen=True, slots=True)
class Transition:
    at: float  # seconds since the breaker was made
    old: State
    new: State
    reason: str


@dataclass(slots=True)
class CircuitBreaker:
    name: str = "server"
    failure_threshold: int = 2
    cool_down: float = 30.0
    success_threshold: int = 1
    clock: Callable[[], float] = time.monotonic
    state: State = State.CLOSED
    failures: int = 0
    successes: int = 0
    opened_at: float = 0.0
    last_reason: str = ""
    transitions: list[Transition] = field(default_factory=list)
    _born: float = -1.0

    def __post_init__(self) -> None:
        self._born = self.clock()

    # -- the one entry point ------------------------------------------------------------------------

    def call(self, operation: Callable[[], T]) -> T:
        """Run ``operation`` unless the breaker is open; count its transient failures."""
        self.before_call()
        try:
            result = operation()
        except Exception as exc:
            if classify_exception(exc) == TRANSIENT:
                self.record_failure(str(exc))
            else:
                # The server answered (access denied, unknown database...): it is reachable.
                self.record_success()
            raise
        self.record_success()
        return result

    # -- the parts, for callers that cannot wrap a callable ---------------------------------------

    def allows(self) -> bool:
        """Whether a call would be tried now (moves OPEN to HALF_OPEN once the cool-down is over)."""
        if self.state is State.OPEN and self.clock() - self.opened_at >= self.cool_down:
            self._move(State.HALF_OPEN, f"cool-down of {self.cool_down:g} s over; probing")
        return self.state is not State.OPEN

    def before_call(self) -> None:
        if not self.allows():
            raise CircuitOpen(f"{self.name} unavailable (circuit open: {self.last_reason})")

    def record_success(self) -> None:
        if self.state is State.HALF_OPEN:
            self.successes += 1
            if self.successes >= self.success_threshold:
                self._move(State.CLOSED, f"{self.successes} probe(s) succeeded")
        self.failures = 0

    def record_failure(self, reason: str) -> None:
        self.last_reason = reason
        if self.state is State.HALF_OPEN:
            self._open(f"probe failed: {reason}")
            return
        self.failures += 1
        if self.state is State.CLOSED and self.failures >= self.failure_threshold:
            self._open(f"{self.failures} failures in a row, last: {reason}")

    def trip(self, reason: str) -> None:
        """Open at once (a server that cannot be reached at the start of a run)."""
        self.last_reason = reason
        if self.state is not State.OPEN:
            self._open(reason)

    @property
    def is_open(self) -> bool:
        return self.state is State.OPEN

    # -- internals ---------------------------------------------------------------------------------

    def _open(self, reason: str) -> None:
        self.opened_at = self.clock()
        self._move(State.OPEN, reason)

    def _move(self, new: State, reason: str) -> None:
        old, self.state = self.state, new
        self.successes = 0
        if new is State.CLOSED:
            self.failures = 0
        self.transitions.append(Transition(self.clock() - self._born, old, new, reason))
        level = logging.WARNING if new is State.OPEN else logging.INFO
        log.log(level, "circuit breaker (%s): %s -> %s: %s", self.name, old.value, new.value, reason)
