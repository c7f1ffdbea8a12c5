"""tidbrun's own ways of reaching the server — its connections and housekeeping queries — retried
on transient errors and kept behind the circuit breaker. A test's ``connect`` never comes here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

from runner.faults import retry
from runner.faults.breaker import CircuitBreaker, State
from runner.faults.retry import Attempts, RetryPolicy
from runner.server.connect import ATTEMPT_LIMIT

if TYPE_CHECKING:
    from runner.sessions.driver import Connection, ConnectParams

T = TypeVar("T")
Factory = Callable[["ConnectParams"], "Connection"]


class Reach:
    def __init__(
        self,
        breaker: CircuitBreaker,
        connect_policy: RetryPolicy = retry.CONNECT,
        housekeeping_policy: RetryPolicy = retry.HOUSEKEEPING,
    ) -> None:
        self.breaker = breaker
        self.connect_policy = connect_policy
        self.housekeeping_policy = housekeeping_policy
        self.last = Attempts()  # the last call's attempts, for failure reports

    def _policy(self, policy: RetryPolicy) -> RetryPolicy:
        # A half-open breaker's call is a probe: one attempt, not a round of retries.
        return retry.ONCE if self.breaker.state is State.HALF_OPEN else policy

    def connect(self, factory: Factory, params: ConnectParams, what: str = "connecting") -> Connection:
        self.last = attempts = Attempts()

        def attempt(limit: float) -> Connection:
            return factory(replace(params, connect_timeout=int(limit)))

        def guarded() -> Connection:
            return retry.call(attempt, self._policy(self.connect_policy), what, attempts=attempts)

        return self.breaker.call(guarded)

    def run(self, operation: Callable[[], T], what: str) -> T:
        """A housekeeping step (cleaning between tests): each attempt's administrative connections
        get the attempt's time limit as their timeouts (``runner.server.connect.ATTEMPT_LIMIT``)."""
        self.last = attempts = Attempts()

        def attempt(limit: float) -> T:
            token = ATTEMPT_LIMIT.set(limit)
            try:
                return operation()
            finally:
                ATTEMPT_LIMIT.reset(token)

        def guarded() -> T:
            return retry.call(attempt, self._policy(self.housekeeping_policy), what, attempts=attempts)

        return self.breaker.call(guarded)

    def first_connection(self, factory: Factory) -> Factory:
        """``factory`` whose first call (the test's default connection, which tidbrun opens
        before the test's first line) is retried; the test's own ``connect`` calls are not."""
        used = False

        def connect(params: ConnectParams) -> Connection:
            nonlocal used
            if used:
                return factory(params)
            used = True
            return self.connect(factory, params, "opening the test's default connection")

        return connect

    def every_connection(self, factory: Factory, what: str) -> Factory:
        def connect(params: ConnectParams) -> Connection:
            return self.connect(factory, params, what)

        return connect
