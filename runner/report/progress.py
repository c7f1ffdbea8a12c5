"""The live line at the foot of a terminal while tests run: done/total, per cent, the estimated
time left and the failures so far (rich draws and redraws it; per-test lines scroll above it).

Only on a terminal: a file or a pipe gets the per-test lines alone, byte for byte."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.text import Text


class LiveProgress:
    def __init__(self, stream: TextIO, total: int, *, color: bool) -> None:
        self.console = Console(file=stream, force_terminal=True, no_color=not color, highlight=False,
                               emoji=False, markup=False)
        self._progress = Progress(
            TextColumn("{task.completed}/{task.total}"),
            BarColumn(bar_width=24),
            TaskProgressColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[failed]}"),
            console=self.console,
            refresh_per_second=4,  # the clock and the ETA; a finished test redraws at once
            transient=True,  # gone when the run ends: the summary follows the last test's line
            redirect_stdout=False,  # worker processes (-j) inherit the streams: leave them be
            redirect_stderr=False,
        )
        self._task: TaskID = self._progress.add_task("tests", total=total, failed="0 failed")
        self._total = total
        self._done = 0
        self._failed = 0
        self.started = False

    def start(self) -> None:
        if not self.started:
            self._progress.start()
            self.started = True

    def write(self, text: str) -> None:
        """Lines above the live one (``text`` may carry colour codes)."""
        self.console.print(Text.from_ansi(text.rstrip("\n")), soft_wrap=True)

    def advance(self, failed: bool) -> None:
        self._done += 1
        self._failed += failed
        if self._done > self._total:  # a test ran more often than counted (collation variants)
            self._total = self._done
        self._progress.update(self._task, completed=self._done, total=self._total,
                              failed=f"{self._failed} failed", refresh=self.started)

    def stop(self) -> None:
        if self.started:
            self._progress.stop()
            self.started = False
