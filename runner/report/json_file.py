"""``--report-file``: the run as JSON — each test's status, time, message and failure context, the
circuit breaker's changes and the summary. Written atomically (never half a file)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from runner.faults.breaker import Transition
from runner.judge.compare import write_atomically
from runner.report.counts import summary_counts
from runner.run.suite import TestReport


def test_entry(report: TestReport) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": report.case.name,
        "file": str(report.case.path),
        "status": report.word,  # "flaky": passed on a rerun after failing (--retry-failure)
        "seconds": round(report.seconds, 4),
    }
    if report.earlier:
        entry["earlier_failures"] = [
            {"seconds": round(e.seconds, 4), "message": e.message, **({"diff": e.diff} if e.diff else {})}
            for e in report.earlier
        ]
    if report.message:
        entry["message"] = report.message
    if report.context is not None:
        entry["context"] = report.context.as_dict()
    if report.details:
        entry["details"] = "".join(report.details)
    if report.diff:
        entry["diff"] = report.diff
    return entry


def write(
    path: Path,
    reports: Sequence[TestReport],
    *,
    wall: float,
    exit_code: int,
    transitions: Sequence[Transition] = (),
    notes: Sequence[str] = (),
) -> None:
    document = {
        "summary": {
            **summary_counts(reports),
            "seconds": round(wall, 3),
            "exit_code": exit_code,
        },
        "tests": [test_entry(report) for report in reports],
        "not_run": [report.case.name for report in reports if report.status == "not run"],
        "circuit_breaker": [
            {"at": round(t.at, 3), "from": t.old.value, "to": t.new.value, "reason": t.reason} for t in transitions
        ],
        "notes": list(notes),
    }
    write_atomically(path, json.dumps(document, indent=2, ensure_ascii=True) + "\n")
