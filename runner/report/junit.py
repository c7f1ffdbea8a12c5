"""``--junit FILE``: the run as JUnit XML, the dialect Jenkins, GitLab and GitHub's test reporters
read (checked against Jenkins' JUnit schema in the tests).

A ``testsuite`` per suite, a ``testcase`` per run of a test named ``suite.test`` (with its
combination: ``main.t 'innodb'``), ``failure`` with the diff and where the test stopped,
``error`` for a test that could not be run as written, ``skipped`` with the reason. The server's
flavour and version are properties of each suite.
"""

from __future__ import annotations

import socket
import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from runner.report.text import readable
from runner.run.names import display_name, suite_name
from runner.run.records import TestReport

# The message attribute is a one-liner; the element's text has the whole story.
_MESSAGE_CHARS = 500


@dataclass(frozen=True, slots=True)
class ServerFacts:
    flavour: str | None = None
    version: str | None = None


def _seconds(value: float) -> str:
    return f"{max(value, 0.0):.3f}"


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= _MESSAGE_CHARS else line[: _MESSAGE_CHARS - 3] + "..."


def failure_text(report: TestReport) -> str:
    """What a failing test's reader needs: the message, where and on what it stopped, the diff."""
    parts = [report.message.rstrip("\n")]
    if report.context is not None:
        parts.append("\n".join(report.context.lines()))
    else:  # a result mismatch: no statement stopped it, the test's file is where to look
        parts.append(f"test file: {report.case.path}")
    if report.diff:
        parts.append(report.diff.rstrip("\n"))
    return "\n\n".join(part for part in parts if part) + "\n"


def _testcase(parent: ET.Element, report: TestReport, suite: str) -> None:
    case = ET.SubElement(
        parent, "testcase", name=readable(display_name(report.case)), classname=readable(suite),
        time=_seconds(report.seconds),
    )
    if report.status == "skip":
        ET.SubElement(case, "skipped", message=readable(_first_line(report.message)))
    elif report.status == "not run":
        ET.SubElement(case, "skipped", message=readable(_first_line(f"not run: {report.message}")))
    elif report.status in ("fail", "error"):
        kind = "failure" if report.status == "fail" else "error"
        element = ET.SubElement(
            case, kind, message=readable(_first_line(report.message)), type="mismatch" if report.diff else kind,
        )
        element.text = readable(failure_text(report))
    if report.flaky:
        # Jenkins' schema has no flakyFailure element (Surefire's): the status attribute says it,
        # and the output of the failed runs before the pass says why.
        case.set("status", "flaky")
        ET.SubElement(case, "system-out").text = readable(flaky_text(report))
    if report.details:
        ET.SubElement(case, "system-err").text = readable("".join(report.details))


def flaky_text(report: TestReport) -> str:
    runs = len(report.earlier) + 1
    parts = [f"flaky: passed on run {runs} of {runs}, after failing {len(report.earlier)} time(s)"]
    for number, earlier in enumerate(report.earlier, 1):
        parts.append(f"run {number}: {failure_text(earlier).rstrip()}")
    return "\n\n".join(parts) + "\n"


def build(reports: Sequence[TestReport], *, wall: float, server: ServerFacts | None = None) -> bytes:
    server = server or ServerFacts()
    started = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(time.time() - wall))
    by_suite: dict[str, list[TestReport]] = {}
    for report in reports:
        by_suite.setdefault(suite_name(report.case.path, report.case.name), []).append(report)
    root = ET.Element("testsuites", name="tidbrun", time=_seconds(wall))
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    host = socket.gethostname()
    for number, (suite, members) in enumerate(by_suite.items()):
        counts = {
            "tests": len(members),
            "failures": sum(r.status == "fail" for r in members),
            "errors": sum(r.status == "error" for r in members),
            "skipped": sum(r.status in ("skip", "not run") for r in members),
        }
        for key, value in counts.items():
            totals[key] += value
        attributes = {"name": readable(suite), **{k: str(v) for k, v in counts.items()},
                      "time": _seconds(sum(r.seconds for r in members)), "timestamp": started,
                      "hostname": host, "id": str(number)}
        element = ET.SubElement(root, "testsuite", attributes)
        properties = ET.SubElement(element, "properties")
        ET.SubElement(properties, "property", name="server.flavour", value=readable(server.flavour or "unknown"))
        ET.SubElement(properties, "property", name="server.version", value=readable(server.version or "unknown"))
        for report in members:
            _testcase(element, report, suite)
    root.set("tests", str(totals["tests"]))
    root.set("failures", str(totals["failures"]))
    root.set("errors", str(totals["errors"]))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
