"""In which order tests run: tests of one server setup together (restarts are the dearest thing
in a run), and with several workers the longest first (so no worker is left with a long test
while the others idle at the end). Tests of a mysql-test tree keep their order within a setup
(by name, as mysql-test-run.pl runs them): some of MariaDB's tests pass only after, not before,
another test of their setup on the same server (``perfschema.relaylog`` after ``rpl_threads``).

How long a test takes comes from the last run that ran it (kept in tidbrun's cache folder); a
test never run before is guessed from its file size.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from runner.run.suite import TestCase, TestReport

# A guess for tests never timed: about a millisecond per 100 bytes of test text.
SECONDS_PER_BYTE = 1e-5
MAX_REMEMBERED = 50_000


def _key(case: TestCase) -> str:
    return f"{case.path.resolve()}|{case.name}"


@dataclass(slots=True)
class Durations:
    """Seconds each test took when it last ran, by test file and name."""

    path: Path | None
    seconds: dict[str, float] = field(default_factory=dict)
    measured: dict[str, float] = field(default_factory=dict)  # what this run timed, for save()

    @classmethod
    def load(cls, path: Path | None) -> Durations:
        return cls(path, _read(path))

    def guess(self, case: TestCase) -> float:
        known = self.seconds.get(_key(case))
        if known is not None:
            return known
        try:
            return case.path.stat().st_size * SECONDS_PER_BYTE
        except OSError:
            return 0.0

    def update(self, reports: Iterable[TestReport]) -> None:
        for report in reports:
            if report.status in ("pass", "fail"):
                self.measured[_key(report.case)] = self.seconds[_key(report.case)] = round(report.seconds, 3)

    def save(self) -> None:
        """This run's timings merged into what the file holds now, under a lock, and written
        atomically: runs that end at the same time (CI jobs on one cache, a test run beside a
        suite run) must not undo each other's timings. A cache that cannot be written is no
        reason to fail a run."""
        if self.path is None or not self.measured:
            return
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                merged = _read(self.path)
                for key in self.measured:  # newest last, so the oldest are the ones dropped
                    merged.pop(key, None)
                merged.update(self.measured)
                items = list(merged.items())[-MAX_REMEMBERED:]
                fd, temp = tempfile.mkstemp(prefix=".durations-", dir=self.path.parent)
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(json.dumps(dict(items)))  # one write: json.dump writes piece by piece
                os.replace(temp, self.path)


def _read(path: Path | None) -> dict[str, float]:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): float(v) for k, v in data.items() if isinstance(v, int | float)}


def default_durations_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tidbrun" / "durations.json"


@dataclass(slots=True)
class Scheduler:
    """The tests not yet handed out, and which one a worker gets next.

    A worker gets the longest test left that wants the server setup it has (or the first, in
    MTR's order); when none does, the first of the setup with the most work left (it restarts
    once for all of them).
    """

    pending: list[TestCase]
    setup_of: Callable[[TestCase], Hashable]
    cost: Callable[[TestCase], float]
    keep_order_within_setup: bool = False  # a mysql-test tree: MTR's order, not the longest first

    def __post_init__(self) -> None:
        if not self.keep_order_within_setup:
            self.pending.sort(key=self.cost, reverse=True)

    def next_for(self, current: Hashable) -> TestCase | None:
        if not self.pending:
            return None
        for index, case in enumerate(self.pending):
            if self.setup_of(case) == current:
                return self.pending.pop(index)
        work: dict[Hashable, float] = {}
        for case in self.pending:
            setup = self.setup_of(case)
            work[setup] = work.get(setup, 0.0) + self.cost(case)
        busiest = max(work, key=lambda setup: work[setup])
        for index, case in enumerate(self.pending):
            if self.setup_of(case) == busiest:
                return self.pending.pop(index)
        return self.pending.pop(0)  # not reached: busiest is some pending test's setup

    def take_all(self) -> list[TestCase]:
        rest, self.pending = self.pending, []
        return rest


def in_setup_order(cases: list[TestCase], setup_of: Callable[[TestCase], Hashable]) -> list[TestCase]:
    """One worker: the given order, but each setup's tests together, setups in order of first use."""
    first_seen: dict[Hashable, int] = {}
    for index, case in enumerate(cases):
        first_seen.setdefault(setup_of(case), index)
    return sorted(cases, key=lambda case: first_seen[setup_of(case)])
