"""The circuit breaker: closed -> open -> half-open -> closed, with its changes logged."""

from __future__ import annotations

import logging

import pytest

from runner.faults.breaker import CircuitBreaker, CircuitOpen, State
from runner.sessions.driver import ConnectError, ServerError


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def refused() -> None:
    raise ConnectError(ServerError(2003, "HY000", "Can't connect"))


def test_opens_after_repeated_transient_failures_and_then_fails_fast(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=2, cool_down=30, clock=clock)
    with caplog.at_level(logging.INFO, logger="tidbrun.breaker"):
        for _ in range(2):
            with pytest.raises(ConnectError):
                breaker.call(refused)
    assert breaker.state is State.OPEN
    calls = 0

    def operation() -> str:
        nonlocal calls
        calls += 1
        return "ok"

    with pytest.raises(CircuitOpen, match="circuit open"):
        breaker.call(operation)
    assert calls == 0  # not even tried
    assert "closed -> open" in caplog.text


def test_half_open_after_the_cool_down_and_closed_after_a_good_probe(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=1, cool_down=30, clock=clock)
    with caplog.at_level(logging.INFO, logger="tidbrun.breaker"):
        with pytest.raises(ConnectError):
            breaker.call(refused)
        clock.now += 29
        assert not breaker.allows()
        clock.now += 1
        assert breaker.call(lambda: "probe") == "probe"
    assert breaker.state is State.CLOSED
    assert [(t.old, t.new) for t in breaker.transitions] == [
        (State.CLOSED, State.OPEN), (State.OPEN, State.HALF_OPEN), (State.HALF_OPEN, State.CLOSED)
    ]
    assert "open -> half-open" in caplog.text and "half-open -> closed" in caplog.text


def test_a_failed_probe_opens_again_for_a_new_cool_down() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=1, cool_down=10, clock=clock)
    with pytest.raises(ConnectError):
        breaker.call(refused)
    clock.now += 10
    with pytest.raises(ConnectError):
        breaker.call(refused)  # the probe
    assert breaker.state is State.OPEN
    clock.now += 5
    assert not breaker.allows()


def test_several_probes_can_be_required() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=1, cool_down=1, success_threshold=2, clock=clock)
    breaker.trip("unreachable at start")
    clock.now += 1
    breaker.call(lambda: None)
    assert breaker.state is State.HALF_OPEN
    breaker.call(lambda: None)
    assert breaker.state is State.CLOSED


def test_a_permanent_error_means_the_server_answered() -> None:
    breaker = CircuitBreaker(failure_threshold=1)

    def denied() -> None:
        raise ConnectError(ServerError(1045, "28000", "Access denied"))

    for _ in range(3):
        with pytest.raises(ConnectError):
            breaker.call(denied)
    assert breaker.state is State.CLOSED


def test_a_success_resets_the_count() -> None:
    breaker = CircuitBreaker(failure_threshold=2)
    with pytest.raises(ConnectError):
        breaker.call(refused)
    breaker.call(lambda: None)
    with pytest.raises(ConnectError):
        breaker.call(refused)
    assert breaker.state is State.CLOSED
