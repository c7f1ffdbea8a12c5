"""Retrying tidbrun's own work — connecting, and its housekeeping queries — with tenacity.

Exponential backoff with jitter; each attempt gets a time limit (handed to the operation, which
passes it to the driver as its connect/read timeout) and all attempts together a deadline. Only
errors ``classify`` calls transient are retried. A test's statements never come here: their errors
are the test's results.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential,
    wait_random,
)

from runner.errors import ServerUnavailable
from runner.faults.classify import TRANSIENT, classify_exception, error_fields

T = TypeVar("T")
log = logging.getLogger("tidbrun.retry")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    deadline: float = 5.0  # seconds for all attempts together
    attempt_timeout: float = 3.0  # seconds one attempt may take
    first_wait: float = 0.05  # backoff: first_wait * 2**n, at most max_wait, plus up to first_wait of jitter
    max_wait: float = 1.0
    max_attempts: int = 20

    def with_deadline(self, deadline: float) -> RetryPolicy:
        return RetryPolicy(deadline, min(self.attempt_timeout, deadline), self.first_wait, self.max_wait,
                           self.max_attempts)


# Reaching the server: a refused connection is answered at once, so ~10 attempts fit in 5 s.
CONNECT = RetryPolicy()
# Cleaning between tests may wait on a metadata lock (lock_wait_timeout=5) and kill connections.
HOUSEKEEPING = RetryPolicy(deadline=10.0, attempt_timeout=30.0)
# One try only: a half-open breaker's probe, and killing a statement (the server is there or not).
ONCE = RetryPolicy(deadline=3.0, attempt_timeout=3.0, max_attempts=1)


@dataclass(slots=True)
class Attempts:
    """What a retried call went through, for the failure report."""

    count: int = 0
    elapsed: float = 0.0
    last_error: BaseException | None = None


class RetriesExhausted(ServerUnavailable):
    """Every attempt failed with a transient error, or the deadline passed."""

    kind = TRANSIENT

    def __init__(self, what: str, attempts: Attempts) -> None:
        errno, sqlstate, message = error_fields(attempts.last_error) if attempts.last_error else (None, None, "")
        detail = f"{errno} ({sqlstate}): {message}" if errno is not None else message
        super().__init__(f"{what}: {detail} (gave up after {attempts.count} attempt"
                         f"{'s' if attempts.count != 1 else ''} in {attempts.elapsed:.1f} s)")
        self.what = what
        self.attempts = attempts
        self.errno = errno
        self.sqlstate = sqlstate
        self.message = message


def call(
    operation: Callable[[float], T],
    policy: RetryPolicy,
    what: str,
    *,
    attempts: Attempts | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """``operation(attempt_timeout)`` until it succeeds, retrying transient errors.

    A permanent or unknown error is raised as it is, at once; running out of attempts or time
    raises RetriesExhausted. ``attempts`` (when given) is filled in either way.
    """
    record = attempts if attempts is not None else Attempts()
    started = time.monotonic()

    def remaining() -> float:
        return policy.deadline - (time.monotonic() - started)

    def attempt() -> T:
        record.count += 1
        limit = max(1.0, min(policy.attempt_timeout, remaining()))
        try:
            return operation(math.ceil(limit))
        except BaseException as exc:
            record.last_error = exc
            raise

    def before_sleep(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        log.info("%s: attempt %d failed (%s); retrying in %.2f s", what, state.attempt_number,
                 _short(exc), state.next_action.sleep if state.next_action else 0.0)

    retrying = Retrying(
        stop=stop_after_attempt(policy.max_attempts) | stop_after_delay(policy.deadline),
        wait=wait_exponential(multiplier=policy.first_wait, max=policy.max_wait) + wait_random(0, policy.first_wait),
        retry=retry_if_exception(lambda exc: classify_exception(exc) == TRANSIENT),
        before_sleep=before_sleep,
        sleep=lambda seconds: sleep(max(0.0, min(seconds, remaining()))),
        reraise=True,
    )
    try:
        return retrying(attempt)
    except BaseException as exc:
        record.elapsed = time.monotonic() - started
        if isinstance(exc, Exception) and classify_exception(exc) == TRANSIENT:
            raise RetriesExhausted(what, record) from exc
        raise
    finally:
        record.elapsed = time.monotonic() - started


def _short(exc: BaseException | None) -> str:
    if exc is None:
        return "no error"
    errno, sqlstate, message = error_fields(exc)
    return f"{errno} ({sqlstate}): {message}" if errno is not None else f"{type(exc).__name__}: {message}"
