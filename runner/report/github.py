"""On GitHub Actions (``GITHUB_ACTIONS=true``): an ``::error`` annotation for each failed test,
at the ``.test`` file and the line of the statement it stopped at, and a Markdown job summary
appended to ``$GITHUB_STEP_SUMMARY`` (counts, failed tests with their ``file:line``, the slowest).

Workflow commands are escaped as GitHub's runner reads them back: ``%``, CR and LF in the message,
and also ``:`` and ``,`` in the properties.
"""

from __future__ import annotations

import html
import os
import re
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

from runner.report.text import readable, split_server_log
from runner.run.names import display_name
from runner.run.records import TestReport

SLOWEST = 5
# How many failed tests get an annotation and a row: GitHub shows ten errors a step anyway.
MAX_FAILED = 50
# "path/to/x.test:12" at the start of a location (an include chain may follow).
_LOCATION = re.compile(r"^(?P<file>.+?):(?P<line>\d+)\b")


def on_github(environ: Mapping[str, str]) -> bool:
    return environ.get("GITHUB_ACTIONS") == "true"


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _relative(path: str, workspace: str | None) -> str:
    """Annotations name files relative to the checkout; a file outside it keeps its path."""
    absolute = Path(os.path.abspath(path))
    for root in (workspace, os.getcwd()):
        if root:
            try:
                return absolute.relative_to(os.path.abspath(root)).as_posix()
            except ValueError:
                continue
    return absolute.as_posix()


def where(report: TestReport, workspace: str | None = None) -> tuple[str, int | None]:
    """The file and line a failure points at: the failing statement's, else the test file."""
    location = report.context.location if report.context is not None else ""
    match = _LOCATION.match(location)
    if match is not None:
        return _relative(match.group("file"), workspace), int(match.group("line"))
    return _relative(str(report.case.path), workspace), None


def _failed(reports: Sequence[TestReport]) -> list[TestReport]:
    return [report for report in reports if report.status in ("fail", "error")]


def annotation(report: TestReport, workspace: str | None = None) -> str:
    file, line = where(report, workspace)
    message, _ = split_server_log(report.message)
    if report.diff:
        message = f"{message}\n{report.diff}"
    properties = [f"file={escape_property(file)}"]
    if line is not None:
        properties.append(f"line={line}")
    properties.append(f"title={escape_property(readable(display_name(report.case)) + ' failed')}")
    return f"::error {','.join(properties)}::{escape_data(readable(message.rstrip()))}"


def _cell(text: str) -> str:
    """Text in a Markdown table cell: no markup, no cell break, one line."""
    return html.escape(text).replace("|", "\\|").replace("\n", " ").replace("`", "&#96;")


def job_summary(reports: Sequence[TestReport], *, wall: float, server: str, workspace: str | None = None) -> str:
    counts = Counter(report.word for report in reports)
    failed = _failed(reports)
    lines = [
        "## tidbrun", "",
        f"{_cell(server)}, {wall:.1f} s", "",
        "| passed | failed | skipped | not run | flaky |",
        "|---:|---:|---:|---:|---:|",
        f"| {counts['pass'] + counts['recorded'] + counts['flaky']} | {len(failed)} | {counts['skip']} "
        f"| {counts['not run']} | {counts['flaky']} |",
    ]
    if failed:
        lines += ["", f"### Failed ({len(failed)})", "", "| test | where | message |", "|---|---|---|"]
        for report in failed[:MAX_FAILED]:
            file, line = where(report, workspace)
            message = split_server_log(report.message)[0].strip().splitlines()
            lines.append(f"| {_cell(readable(display_name(report.case)))} | {_cell(file)}"
                         f"{'' if line is None else f':{line}'} | {_cell(readable(message[0] if message else ''))} |")
        if len(failed) > MAX_FAILED:
            lines.append(f"| and {len(failed) - MAX_FAILED} more | | |")
    flaky = [report for report in reports if report.flaky]
    if flaky:
        lines += ["", f"### Flaky ({len(flaky)})", ""]
        lines += [f"- {_cell(readable(display_name(report.case)))}" for report in flaky]
    ran = sorted((r for r in reports if r.status in ("pass", "fail", "error")), key=lambda r: r.seconds, reverse=True)
    if ran:
        lines += ["", f"### Slowest {min(SLOWEST, len(ran))}", "", "| test | seconds |", "|---|---:|"]
        lines += [f"| {_cell(readable(display_name(r.case)))} | {r.seconds:.2f} |" for r in ran[:SLOWEST]]
    return "\n".join(lines) + "\n"


def write_github(reports: Sequence[TestReport], *, wall: float, server: str, environ: Mapping[str, str],
                 stream: TextIO) -> None:
    """Annotations on ``stream`` (the runner reads workflow commands from the step's output) and
    the job summary, when the run is a GitHub Actions step."""
    if not on_github(environ):
        return
    workspace = environ.get("GITHUB_WORKSPACE")
    for report in _failed(reports)[:MAX_FAILED]:
        print(annotation(report, workspace), file=stream)
    stream.flush()
    summary = environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        try:
            with open(summary, "a", encoding="utf-8") as handle:
                handle.write(job_summary(reports, wall=wall, server=server, workspace=workspace))
        except OSError as exc:
            print(f"tidbrun: cannot append the job summary to {summary}: {exc.strerror or exc}", file=sys.stderr)
