"""Per-test lines, the server banner and the closing summary on the terminal (with the live
progress line of ``runner.report.progress`` when stdout is one)."""

from __future__ import annotations

import os
import sys
from collections import Counter
from typing import TYPE_CHECKING, TextIO

from runner.report.closing import closing_lines
from runner.report.color import is_terminal, paint, wants_color
from runner.run.names import display_name
from runner.run.suite import TestReport

if TYPE_CHECKING:
    from runner.report.progress import LiveProgress

_COLORS = {"pass": "green", "fail": "red", "error": "red", "skip": "yellow", "not run": "yellow",
           "flaky": "yellow", "recorded": "green"}
# How many "not run" tests the summary names one by one.
_NAMED_NOT_RUN = 50


class ConsoleReport:
    def __init__(self, stream: TextIO | None = None, *, color: bool | None = None, verbose: bool = False,
                 progress_total: int | None = None) -> None:
        self.stream = stream or sys.stdout
        self.color = wants_color("auto", self.stream, os.environ) if color is None else color
        self.verbose = verbose
        self.counts: Counter[str] = Counter()
        self.seconds = 0.0
        self.not_run: list[str] = []
        self.ran: list[tuple[float, str, str]] = []  # (seconds, suite.test name, word): for the summary
        # The live line: on a terminal only, and when there is more than one test to count.
        self.progress: LiveProgress | None = None
        if progress_total is not None and progress_total > 1 and is_terminal(self.stream):
            # Imported here: rich takes ~50 ms to load, and a run into a file or a pipe needs none of it.
            from runner.report.progress import LiveProgress

            self.progress = LiveProgress(self.stream, progress_total, color=self.color)

    def _paint(self, status: str, text: str) -> str:
        return paint(text, _COLORS[status]) if self.color else text

    def _write(self, text: str) -> None:
        if self.progress is not None and self.progress.started:
            self.progress.write(text)
        else:
            self.stream.write(text)

    def banner(self, text: str) -> None:
        """What the run talks to, before the first test (and the live line from then on)."""
        self._write(text + "\n")
        self.stream.flush()
        if self.progress is not None:
            self.progress.start()

    def test(self, report: TestReport) -> None:
        if self.progress is not None:
            self.progress.start()
        self.counts[report.word if report.word == "flaky" else report.status] += 1
        self.seconds += report.seconds
        if report.status in ("pass", "fail", "error"):
            self.ran.append((report.seconds, display_name(report.case), report.word))
        word = report.word
        lines = [f"{display_name(report.case):<50} [ {self._paint(word, word)} ] {report.seconds * 1000:7.0f} ms"]
        if report.message and (report.status == "skip" or report.recorded):
            lines[0] += f"  ({report.message})"
        if report.flaky:  # why its earlier runs failed
            lines += ["    failed before: " + earlier.message.replace("\n", "\n    ") for earlier in report.earlier]
        elif report.earlier:
            lines.append(f"    failed all {len(report.earlier) + 1} runs (--retry-failure)")
        message = report.message.replace("\n", "\n    ")
        if report.status == "not run":
            self.not_run.append(display_name(report.case))
            lines.append(f"    {message}")
        if report.status in ("fail", "error"):
            lines.append(f"    {message}")
            if report.context is not None:
                lines.extend(f"      {text}" for text in report.context.lines())
        text = "".join(line + "\n" for line in lines)
        if report.status in ("fail", "error"):
            if report.diff:
                text += self._diff(report.diff)
            if self.verbose and report.details:
                text += "".join(report.details)
        self._write(text)
        if self.progress is not None:
            self.progress.advance(report.status in ("fail", "error"))
        self.stream.flush()

    def _diff(self, diff: str) -> str:
        if not self.color:
            return diff
        lines = []
        for line in diff.splitlines(keepends=True):
            if line.startswith("+") and not line.startswith("+++"):
                line = paint(line.rstrip("\n"), "green") + "\n"
            elif line.startswith("-") and not line.startswith("---"):
                line = paint(line.rstrip("\n"), "red") + "\n"
            lines.append(line)
        return "".join(lines)

    def close(self) -> None:
        """The live line goes; what follows is printed plainly."""
        if self.progress is not None:
            self.progress.stop()

    def summary(self, wall: float, not_run: int = 0) -> None:
        self.close()
        c = self.counts
        failed = c["fail"] + c["error"]
        text = f"{c['pass'] + c['flaky']} passed, {failed} failed, {c['skip']} skipped"
        not_run += c["not run"]
        if not_run:
            text += f", {not_run} not run"
        if c["flaky"]:
            text += f", {c['flaky']} flaky (passed on a rerun)"
        if self.not_run:
            names = ", ".join(self.not_run[:_NAMED_NOT_RUN])
            more = f" and {len(self.not_run) - _NAMED_NOT_RUN} more" if len(self.not_run) > _NAMED_NOT_RUN else ""
            print(f"\ncould not run: {names}{more}", file=self.stream)
        for line in closing_lines(self.ran):
            print(line, file=self.stream)
        print(f"\n{text} in {wall:.2f}s", file=self.stream)
