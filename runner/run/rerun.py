"""Running tests again: ``--repeat N`` (each test N times in a row, as mysql-test-run.pl's),
``--retry-failure N`` (a failed test runs again up to N times; a pass then makes it flaky) and
``--max-test-fail N`` (after N failed tests the rest is not run, as mysql-test-run.pl's)."""

from __future__ import annotations

from collections.abc import Callable

from runner.run.records import TestCase, TestReport


def repeated(cases: list[TestCase], times: int) -> list[TestCase]:
    """Each test ``times`` times, one after the other."""
    return [case for case in cases for _ in range(max(times, 1))]


def with_retries(
    run: Callable[[TestCase], TestReport], case: TestCase, retries: int, may_retry: Callable[[], bool]
) -> TestReport:
    """The last run of ``case``, carrying the failed runs before it.

    Only a result that differs or a statement that fails is retried (``fail``): a test that
    cannot be read (``error``) fails the same way every time."""
    earlier: list[TestReport] = []
    while True:
        report = run(case)
        if report.status != "fail" or len(earlier) >= retries or not may_retry():
            break
        earlier.append(report)
    report.earlier = earlier
    return report


def failure_limit_reason(limit: int) -> str:
    return f"{limit} test{'' if limit == 1 else 's'} failed (--max-test-fail {limit})"


def reached(failures: int, limit: int | None) -> bool:
    return limit is not None and failures >= limit
