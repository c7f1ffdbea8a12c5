"""``--html FILE``: the run as one self-contained page (no external file): the summary, a row per
test with its status and time and a filter box, the slowest tests, and for each failure its message,
where it stopped, a side-by-side diff (expected and got, with line numbers) and the server's
error-log tail when the failure came with one.

Made with jinja2 with autoescaping on: test names, messages and output are text, never markup.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from runner.report.counts import summary_counts
from runner.report.junit import ServerFacts
from runner.report.text import readable, split_server_log
from runner.run.names import display_name
from runner.run.records import TestReport

SLOWEST = 10
_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")


@dataclass(slots=True)
class DiffRow:
    kind: str  # "same", "changed", "hunk"
    left_number: int | None = None
    left: str | None = None
    right_number: int | None = None
    right: str | None = None


def side_by_side(diff: str) -> list[DiffRow]:
    """A unified diff as rows of (expected line, got line); removed and added runs are paired."""
    rows: list[DiffRow] = []
    removed: list[tuple[int, str]] = []
    added: list[tuple[int, str]] = []
    left = right = 0

    def flush() -> None:
        for index in range(max(len(removed), len(added))):
            old = removed[index] if index < len(removed) else (None, None)
            new = added[index] if index < len(added) else (None, None)
            rows.append(DiffRow("changed", old[0], old[1], new[0], new[1]))
        removed.clear()
        added.clear()

    for line in diff.splitlines():
        if line.startswith(("---", "+++")) and not rows and not removed and not added:
            continue
        hunk = _HUNK.match(line)
        if hunk is not None:
            flush()
            left, right = int(hunk.group(1)), int(hunk.group(2))
            rows.append(DiffRow("hunk", left=line))
        elif line.startswith("-"):
            removed.append((left, line[1:]))
            left += 1
        elif line.startswith("+"):
            added.append((right, line[1:]))
            right += 1
        elif line.startswith("\\"):
            continue  # "\ No newline at end of file"
        else:
            flush()
            text = line[1:] if line.startswith(" ") else line
            rows.append(DiffRow("same", left, text, right, text))
            left += 1
            right += 1
    flush()
    return rows


@dataclass(slots=True)
class Row:
    number: int
    name: str
    status: str  # pass, fail, error, skip, not run, recorded
    seconds: float
    message: str
    location: str = ""
    context: list[str] = field(default_factory=list)
    diff: list[DiffRow] = field(default_factory=list)
    server_log: str = ""
    details: str = ""

    @property
    def failed(self) -> bool:
        return self.status in ("fail", "error")


def _row(number: int, report: TestReport) -> Row:
    message, server_log = split_server_log(report.message)
    if report.flaky:
        first = split_server_log(report.earlier[0].message)[0]
        message = f"passed after failing {len(report.earlier)} time(s); first: {first}"
    return Row(
        number=number,
        name=readable(display_name(report.case)),
        status=report.word,
        seconds=report.seconds,
        message=readable(message),
        location=readable(report.context.location) if report.context is not None else "",
        context=[readable(line) for line in report.context.lines()] if report.context is not None else [],
        diff=[DiffRow(r.kind, r.left_number, _opt(r.left), r.right_number, _opt(r.right))
              for r in side_by_side(report.diff)],
        server_log=readable(server_log),
        details=readable("".join(report.details)),
    )


def _opt(text: str | None) -> str | None:
    return None if text is None else readable(text)


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,  # every value is text, whatever the file name of the template
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def build(
    reports: Sequence[TestReport], *, wall: float, exit_code: int, server: ServerFacts | None = None
) -> str:
    server = server or ServerFacts()
    rows = [_row(number, report) for number, report in enumerate(reports, 1)]
    summary = {**summary_counts(reports), "total": len(reports)}
    slowest = sorted((row for row in rows if row.status not in ("skip", "not run")),
                     key=lambda row: row.seconds, reverse=True)[:SLOWEST]
    return _environment().get_template("report.html.j2").render(
        rows=rows,
        failures=[row for row in rows if row.failed],
        slowest=slowest,
        summary=summary,
        wall=wall,
        exit_code=exit_code,
        flavour=readable(server.flavour or "unknown"),
        version=readable(server.version or "unknown"),
        generated=time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    )
