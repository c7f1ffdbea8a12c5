"""The stress run's measurements: HDR percentiles, error classes, merging, criteria, the ramp's verdict."""

from __future__ import annotations

import pytest

from runner.stress.criteria import Criteria, Figures, judge
from runner.stress.loop import LoadResult
from runner.stress.metrics import Recorder, error_class, merged
from runner.stress.ramp import RampResult, RampStep, judge_step


def test_percentiles_of_a_known_distribution() -> None:
    recorder = Recorder()
    for millis in range(1, 1001):  # 1ms .. 1000ms, once each
        recorder.record("g", millis / 1000)
    latency = recorder.latency("g")
    assert latency.count == 1000
    assert latency.p50 == pytest.approx(0.5, rel=0.01)
    assert latency.p95 == pytest.approx(0.95, rel=0.01)
    assert latency.p99 == pytest.approx(0.99, rel=0.01)
    assert latency.max == pytest.approx(1.0, rel=0.01)


def test_errors_are_counted_by_class_and_group() -> None:
    recorder = Recorder()
    recorder.record("w", 0.001, 2013, "HY000")
    recorder.record("w", 0.001, 1146, "42S02")
    recorder.record("r", 0.001, 1213, "40001")
    recorder.record("r", 0.002)
    assert recorder.statements == 4 and recorder.failed == 3
    assert recorder.errors_by_class() == {"transient 2013 CR_SERVER_LOST": 1, "permanent 1146 ER_NO_SUCH_TABLE": 1,
                                          "transient 1213 ER_LOCK_DEADLOCK": 1}
    assert dict(recorder.errors["r"]) == {"transient 1213 ER_LOCK_DEADLOCK": 1}
    assert error_class(9999, "HY000") == "unknown 9999"


def test_intervals_and_merge() -> None:
    first, second = Recorder(), Recorder()
    for _ in range(10):
        first.record("a", 0.001)
    second.record("a", 0.5)
    second.record("b", 0.25, 1205, "HY000")
    interval = first.tick()
    assert interval.statements == 10 and interval.errors == 0 and interval.throughput > 0
    assert first.tick().statements == 0  # a new interval starts empty
    total = merged([first, second])
    assert total.statements == 12 and total.failed == 1
    assert total.latency("a").count == 11 and total.latency().max == pytest.approx(0.5, rel=0.01)


def test_criteria() -> None:
    figures = Figures(p95=0.2, errors=3, memory_growth=12.0, memory_retained=None, cpu=50.0)
    verdicts = {v.name: v.passed for v in judge(Criteria(max_p95=0.5, max_memory_growth=10.0, max_cpu=80.0,
                                                         max_errors=0, max_memory_retained=15.0), figures)}
    assert verdicts == {"p95 latency": True, "errors": False, "server memory growth": False,
                        "server memory after cool-down": False,  # not measured: cannot pass
                        "server CPU (average)": True}
    assert judge(Criteria(), figures) == []


def test_a_ramp_step_holds_until_errors_latency_or_saturation() -> None:
    def step(rate: float, statements: int, latency: float, errors: int = 0) -> RampStep:
        recorder = Recorder()
        for index in range(statements):
            recorder.record("g", latency, 1213 if index < errors else None, "40001")
        return judge_step(rate, LoadResult(recorder, 1.0), max_p95=0.1)

    assert step(100, 100, 0.001).held
    assert step(100, 100, 0.001, errors=1).why == "1 error(s)"
    assert step(100, 100, 0.2).why.startswith("p95 200")
    assert step(100, 50, 0.001).why == "reached 50/s of 100/s"
    steps = [step(100, 100, 0.001), step(150, 150, 0.001), step(225, 100, 0.001)]
    assert RampResult(steps).knee == 150
    assert RampResult([step(100, 10, 0.001)]).knee is None
