"""Showing jobs over time: a table redrawn in place on a terminal, plain lines anywhere else."""

from __future__ import annotations

import datetime
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from tabulate import tabulate

from runner.tidb.jobs import Job, JobWatcher, Tracker

HEADERS = ("KIND", "ID", "TARGET", "WHAT", "STATE", "PROGRESS", "SINCE")
_WHAT_WIDTH = 60
_HOME_AND_CLEAR = "\033[H\033[2J"


def _short(value: str, details: bool) -> str:
    if details or len(value) <= _WHAT_WIDTH:
        return value
    return value[: _WHAT_WIDTH - 3] + "..."


def render_table(jobs: list[Job], *, details: bool = False) -> str:
    if not jobs:
        return "(no running jobs)\n"
    rows = [(j.kind, j.id, j.target, _short(j.what, details), j.state, j.progress, j.since) for j in jobs]
    out = tabulate(rows, headers=HEADERS, tablefmt="simple", disable_numparse=True) + "\n"
    if details:
        for job in jobs:
            out += f"\n{job.kind} {job.id}:\n"
            out += tabulate(job.fields, tablefmt="plain", disable_numparse=True) + "\n"
    return out


def _pair(name: str, value: str) -> str:
    if value == "" or any(c.isspace() or c == '"' for c in value):
        value = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name}={value}"


def render_line(job: Job, clock: str, *, details: bool = False) -> str:
    """One job as one line: ``<time> <kind> <id> state=... progress=... target=... what=...``."""
    pairs = [
        _pair("state", job.state),
        _pair("progress", job.progress),
        _pair("target", job.target),
        _pair("since", job.since),
        _pair("what", _short(job.what, details)),
    ]
    if details:
        pairs += [_pair(name, value) for name, value in job.fields]
    return f"{clock} {job.kind} {job.id} " + " ".join(pairs)


@dataclass(slots=True)
class Monitor:
    watcher: JobWatcher
    stream: TextIO
    terminal: bool
    details: bool = False
    title: str = ""
    notes: TextIO = field(default_factory=lambda: sys.stderr)
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], datetime.datetime] = datetime.datetime.now

    def run(self, *, duration: float, interval: float) -> int:
        """Poll every ``interval`` seconds for ``duration`` seconds (0: until interrupted);
        returns the number of polls."""
        tracker = Tracker()
        started = self.clock()
        polls = 0
        idle = False
        while True:
            poll = self.watcher.poll()
            polls += 1
            for note in poll.notes:
                print(f"tidbrun jobs: note: {note}", file=self.notes)
            shown = tracker.select(poll.jobs)
            stamp = self.now().strftime("%H:%M:%S")
            if self.terminal:
                head = f"{self.title} {stamp}, every {interval:g}s (Ctrl-C to stop)\n\n"
                self.stream.write(_HOME_AND_CLEAR + head + render_table(shown, details=self.details))
            else:
                for job in shown:
                    self.stream.write(render_line(job, stamp, details=self.details) + "\n")
                if not shown and not idle:
                    self.stream.write(f"{stamp} no running jobs\n")
            idle = not shown
            self.stream.flush()
            next_poll = started + polls * interval
            if duration and next_poll - started > duration + 1e-9:  # a poll at exactly `duration` is made
                return polls
            self.sleep(max(0.0, next_poll - self.clock()))
