"""Retrying tidbrun's own work: backoff with jitter, per-attempt limit, overall deadline."""

from __future__ import annotations

import time

import pytest

from runner.faults.retry import Attempts, RetriesExhausted, RetryPolicy, call
from runner.sessions.driver import ConnectError, ServerError


def refused() -> ConnectError:
    return ConnectError(ServerError(2003, "HY000", "Can't connect"))


def test_transient_errors_are_retried_until_success() -> None:
    failures = [refused(), refused()]
    limits: list[float] = []
    waits: list[float] = []

    def operation(limit: float) -> str:
        limits.append(limit)
        if failures:
            raise failures.pop()
        return "ok"

    attempts = Attempts()
    result = call(operation, RetryPolicy(deadline=10, attempt_timeout=3), "connecting", attempts=attempts,
                  sleep=waits.append)
    assert result == "ok"
    assert attempts.count == 3
    assert limits == [3, 3, 3]  # each attempt gets its own limit, as an integer number of seconds
    assert len(waits) == 2


def test_a_permanent_error_is_raised_at_once() -> None:
    calls = 0

    def operation(limit: float) -> None:
        nonlocal calls
        calls += 1
        raise ConnectError(ServerError(1045, "28000", "Access denied"))

    attempts = Attempts()
    with pytest.raises(ConnectError, match="Access denied"):
        call(operation, RetryPolicy(), "connecting", attempts=attempts, sleep=lambda s: None)
    assert calls == 1 and attempts.count == 1


def test_backoff_grows_exponentially_with_bounded_jitter() -> None:
    waits: list[float] = []
    policy = RetryPolicy(deadline=60, first_wait=0.1, max_wait=1.0, max_attempts=7)

    def operation(limit: float) -> None:
        raise refused()

    with pytest.raises(RetriesExhausted) as raised:
        call(operation, policy, "connecting", sleep=waits.append)
    assert raised.value.attempts.count == 7
    assert len(waits) == 6
    # first_wait * 2**n (capped at max_wait), plus up to first_wait of jitter
    for n, wait in enumerate(waits):
        base = min(0.1 * 2**n, 1.0)
        assert base <= wait <= base + 0.1 + 1e-9, (n, wait)
    assert len(set(waits)) > 1


def test_the_overall_deadline_stops_the_retries() -> None:
    policy = RetryPolicy(deadline=0.4, attempt_timeout=5, first_wait=0.05, max_wait=0.1, max_attempts=1000)
    started = time.monotonic()
    limits: list[float] = []

    def operation(limit: float) -> None:
        limits.append(limit)
        raise refused()

    with pytest.raises(RetriesExhausted) as raised:
        call(operation, policy, "connecting")
    elapsed = time.monotonic() - started
    assert 0.3 <= elapsed < 1.0
    assert 2 <= raised.value.attempts.count < 20
    assert raised.value.errno == 2003
    assert all(limit == 1 for limit in limits)  # the remaining time, at least a second (driver granularity)
    assert "gave up after" in str(raised.value)


def test_keyboard_interrupt_is_never_retried() -> None:
    def operation(limit: float) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        call(operation, RetryPolicy(), "connecting", sleep=lambda s: None)
