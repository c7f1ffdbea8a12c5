"""A test as the run knows it (``TestCase``) and what became of it (``TestReport``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from runner.faults.context import FailureContext

Status = Literal["pass", "fail", "skip", "error", "not run"]


@dataclass(frozen=True, slots=True)
class TestCase:
    path: Path
    name: str
    result: Path
    # What mysql-test-run.pl would add (runner.run.cases); empty for tests outside a mysql-test tree.
    setup: tuple[str, ...] = ()  # server options the test needs (the embedded server restarts for them)
    skip: str | None = None  # MTR skips it before it runs, with this reason
    environment: tuple[tuple[str, str | None], ...] = ()  # MTR_COMBINATION_*, TZ...; None: unset it
    rdiff: Path | None = None  # the combination's result is ``result`` with this patch applied
    start_script: Path | None = None  # ``<test>-master.sh``: run before the server starts for the test
    slave_script: Path | None = None  # ``<test>-slave.sh``: run before a ``#!run-slave-sh`` server starts
    config: Path | None = None  # MTR's config template when not include/default_my.cnf (more servers)
    slave_setup: tuple[str, ...] = ()  # options of the template's servers with #!use-slave-opt (mysqld.2)
    # The [ENV] of the test's own .cnf: MTR exports it before it starts the servers, so they get it too.
    server_environment: tuple[tuple[str, str], ...] = ()
    # A templated test's combination (runner.run.templates): (name, value) pairs it is rendered with.
    parameters: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class TestReport:
    case: TestCase
    status: Status
    seconds: float
    message: str = ""
    diff: str = ""
    output: str = ""
    recorded: bool = False
    details: list[str] = field(default_factory=list)
    context: FailureContext | None = None  # where and on what it failed (runner.faults.context)
    # --retry-failure: the failed runs before this one (a pass after them is a flaky test).
    earlier: list[TestReport] = field(default_factory=list)

    @property
    def flaky(self) -> bool:
        """Passed on a rerun after failing."""
        return self.status == "pass" and bool(self.earlier)

    @property
    def word(self) -> str:
        """The status as the reports show it: ``recorded`` and ``flaky`` besides the statuses."""
        return "recorded" if self.recorded else "flaky" if self.flaky else self.status
