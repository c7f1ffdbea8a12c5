"""The run's counts as the report files give them (JSON and HTML): an error counts as failed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from runner.run.records import TestReport


def summary_counts(reports: Sequence[TestReport]) -> dict[str, int]:
    counts = Counter(report.status for report in reports)
    return {
        "passed": counts["pass"],
        "failed": counts["fail"] + counts["error"],
        "skipped": counts["skip"],
        "not_run": counts["not run"],
        "flaky": sum(report.flaky for report in reports),
    }
