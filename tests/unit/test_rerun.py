"""--repeat, --retry-failure and --max-test-fail: the pure parts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from runner.run.records import Status
from runner.run.records import TestCase as Case
from runner.run.records import TestReport as Report
from runner.run.rerun import failure_limit_reason, reached, repeated, with_retries
from tests.unit.report_samples import case


def runs(statuses: list[Status]) -> tuple[list[Case], Callable[[Case], Report]]:
    seen: list[Case] = []

    def run(test: Case) -> Report:
        seen.append(test)
        return Report(test, statuses[len(seen) - 1], 0.1, f"run {len(seen)}")

    return seen, run


def test_a_pass_after_failures_is_flaky(tmp_path: Path) -> None:
    seen, run = runs(["fail", "fail", "pass"])
    report = with_retries(run, case(tmp_path, "t"), 3, lambda: True)
    assert len(seen) == 3 and report.flaky and [e.message for e in report.earlier] == ["run 1", "run 2"]


def test_retries_stop_at_the_limit_and_the_test_fails(tmp_path: Path) -> None:
    seen, run = runs(["fail", "fail", "fail"])
    report = with_retries(run, case(tmp_path, "t"), 1, lambda: True)
    assert len(seen) == 2 and report.status == "fail" and not report.flaky and len(report.earlier) == 1


def test_no_retry_for_a_pass_an_input_error_or_when_told_not_to(tmp_path: Path) -> None:
    cases: list[tuple[list[Status], bool]] = [(["pass"], True), (["error"], True), (["fail"], False)]
    for statuses, may in cases:
        seen, run = runs(statuses)
        report = with_retries(run, case(tmp_path, "t"), 5, lambda: may)  # noqa: B023
        assert len(seen) == 1 and report.earlier == []


def test_repeat_runs_each_test_n_times_in_a_row(tmp_path: Path) -> None:
    a, b = case(tmp_path, "a"), case(tmp_path, "b")
    assert repeated([a, b], 3) == [a, a, a, b, b, b]
    assert repeated([a], 1) == [a]


def test_the_failure_limit() -> None:
    assert not reached(5, None)
    assert not reached(1, 2) and reached(2, 2)
    assert failure_limit_reason(1) == "1 test failed (--max-test-fail 1)"
