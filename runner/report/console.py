"""Per-test lines and the closing summary on the terminal."""

from __future__ import annotations

import sys
from collections import Counter
from typing import TextIO

from runner.report.closing import closing_lines
from runner.run.names import display_name
from runner.run.suite import TestReport

_COLORS = {"pass": "\033[32m", "fail": "\033[31m", "error": "\033[31m", "skip": "\033[33m", "not run": "\033[33m"}
# How many "not run" tests the summary names one by one.
_NAMED_NOT_RUN = 50
_RESET = "\033[0m"


class ConsoleReport:
    def __init__(self, stream: TextIO | None = None, *, color: bool | None = None, verbose: bool = False) -> None:
        self.stream = stream or sys.stdout
        self.color = self.stream.isatty() if color is None else color
        self.verbose = verbose
        self.counts: Counter[str] = Counter()
        self.seconds = 0.0
        self.not_run: list[str] = []
        self.ran: list[tuple[float, str, str]] = []  # (seconds, suite.test name, status): for the summary

    def _paint(self, status: str, text: str) -> str:
        return f"{_COLORS[status]}{text}{_RESET}" if self.color else text

    def test(self, report: TestReport) -> None:
        self.counts[report.status] += 1
        self.seconds += report.seconds
        if report.status in ("pass", "fail", "error"):
            self.ran.append((report.seconds, display_name(report.case), report.status))
        word = "recorded" if report.recorded else report.status
        line = f"{report.case.name:<50} [ {self._paint(report.status, word)} ] {report.seconds * 1000:7.0f} ms"
        if report.message and (report.status == "skip" or report.recorded):
            line += f"  ({report.message})"
        print(line, file=self.stream)
        message = report.message.replace("\n", "\n    ")
        if report.status == "not run":
            self.not_run.append(report.case.name)
            print(f"    {message}", file=self.stream)
        if report.status in ("fail", "error"):
            print(f"    {message}", file=self.stream)
            if report.context is not None:
                for text in report.context.lines():
                    print(f"      {text}", file=self.stream)
            if report.diff:
                print(self._diff(report.diff), end="", file=self.stream)
            if self.verbose and report.details:
                print("".join(report.details), end="", file=self.stream)
        self.stream.flush()

    def _diff(self, diff: str) -> str:
        if not self.color:
            return diff
        lines = []
        for line in diff.splitlines(keepends=True):
            if line.startswith("+") and not line.startswith("+++"):
                line = f"\033[32m{line.rstrip(chr(10))}{_RESET}\n"
            elif line.startswith("-") and not line.startswith("---"):
                line = f"\033[31m{line.rstrip(chr(10))}{_RESET}\n"
            lines.append(line)
        return "".join(lines)

    def summary(self, wall: float, not_run: int = 0) -> None:
        c = self.counts
        failed = c["fail"] + c["error"]
        text = f"{c['pass']} passed, {failed} failed, {c['skip']} skipped"
        not_run += c["not run"]
        if not_run:
            text += f", {not_run} not run"
        if self.not_run:
            names = ", ".join(self.not_run[:_NAMED_NOT_RUN])
            more = f" and {len(self.not_run) - _NAMED_NOT_RUN} more" if len(self.not_run) > _NAMED_NOT_RUN else ""
            print(f"\ncould not run: {names}{more}", file=self.stream)
        for line in closing_lines(self.ran):
            print(line, file=self.stream)
        print(f"\n{text} in {wall:.2f}s", file=self.stream)
