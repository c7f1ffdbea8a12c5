"""Keeps the embedded server the way the next test needs it, as mysql-test-run.pl does.

MTR restarts its server when the next test wants other options (or another time zone), after a
test failed, after a test asked for it (``include/force_restart.inc`` leaves
``<datadir>/mtr/force_restart``), and when ``mtr.check_testcase()`` shows that a test left the
server changed; every start begins from a fresh copy of the bootstrapped data directory. tidbrun
does the same with one difference: between tests it also cleans up in place (runner.server.hygiene),
which is much cheaper than a restart and enough for most tests.

A test whose config template defines more servers (a replication test's ``[mysqld.2]``) gets them
too (runner.server.companions): started with mysqld.1, from fresh data, stopped when a test needs
none; a test that fails or leaves one of them changed means a fresh start of them all.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from runner.server import hygiene
from runner.server.companions import Companions
from runner.server.start_scripts import run_script

if TYPE_CHECKING:
    from runner.run.suite import TestCase, TestReport
    from runner.server.address import ServerAddress
    from runner.server.embedded import EmbeddedServer

log = logging.getLogger("tidbrun.server")
MAX_SHOWN_CHANGES = 6


# Options are planned once for all workers, each with a vardir of its own: an option naming the
# vardir ($MYSQLTEST_VARDIR) carries this mark until a worker uses it.
VARDIR_MARK = "@TIDBRUN_VARDIR@"


@dataclass(frozen=True, slots=True)
class ServerSetup:
    """The server options one test needs (``--timezone=`` among them: it becomes ``TZ``)."""

    options: tuple[str, ...] = ()
    script: Path | None = None  # run before every start for the test (MTR's ``-master.sh``)
    config: Path | None = None  # the test's MTR config template, when not include/default_my.cnf
    slave_options: tuple[str, ...] = ()  # for the template's servers with ``#!use-slave-opt``
    environment: tuple[tuple[str, str], ...] = ()  # the test's own .cnf's [ENV], for the server too
    slave_script: Path | None = None  # before each ``#!run-slave-sh`` server of the template starts

    @property
    def key(self) -> Hashable:
        return (self.options, self.script, self.config, self.slave_options, self.environment, self.slave_script)

    @classmethod
    def of(cls, case: TestCase, vardir: Path | None = None) -> ServerSetup:
        """What ``case`` needs of the server; with ``vardir``, as one worker's server takes it."""

        def placed(options: tuple[str, ...]) -> tuple[str, ...]:
            if vardir is None:
                return options
            return tuple(option.replace(VARDIR_MARK, str(vardir)) for option in options)

        return cls(placed(case.setup), case.start_script, case.config, placed(case.slave_setup),
                   case.server_environment, case.slave_script)


@dataclass(slots=True)
class Keeper:
    server: EmbeddedServer
    check_testcase: bool = True
    current: ServerSetup = field(default_factory=ServerSetup)
    needs_fresh_start: bool = False
    why: str = ""
    restarts: int = 0
    _baseline: str | None = None
    companions: Companions = field(init=False)

    def __post_init__(self) -> None:
        self.companions = Companions(self.server, check_testcase=self.check_testcase)

    def prepare(self, setup: ServerSetup, test_name: str | None = None) -> ServerAddress | None:
        """Restart (on fresh data) when ``setup`` or the state of the servers calls for it;
        returns mysqld.1's new address after a restart, else None. ``test_name`` is marked in
        the error log of each server beside mysqld.1 before it starts for the test (mysqld.1's
        own is marked by the run)."""
        changed = (setup != self.current or self.server.options != setup.options
                   or setup.script is not None or setup.slave_script is not None)
        if not (changed or self.needs_fresh_start or not self.server.is_alive() or not self.companions.as_started()):
            if test_name is not None:
                self.companions.mark(test_name)
            self.companions.begin_test()
            return None
        if setup.script is not None:
            run_script(setup.script, self.server.vardir)
        reason = self.why or ("other server options" if changed else "the server is not running")
        log.info("restarting the server from fresh data: %s", reason)
        self.companions.configure(setup.config)
        if test_name is not None:
            self.companions.mark(test_name)
        address = self.server.restart(setup.options, fresh=True, environment=dict(setup.environment))
        self.companions.start(setup.config, setup.options, setup.slave_options, setup.slave_script)
        self.current = setup
        self.needs_fresh_start = False
        self.why = ""
        self.restarts += 1
        # MTR runs check-testcase on the new server before the test, which opens tables: tests
        # that print table ids (mysqlbinlog output) count on it.
        self._baseline = self._state(address) if self.check_testcase else None
        self.companions.begin_test()
        return address

    def after(self, report: TestReport, address: ServerAddress) -> None:
        """Decide, after a test and the cleanup behind it, whether the next test needs a fresh
        server; a test that left the server changed gets a note saying how."""
        problem = self.companions.end_test()
        if problem is not None:
            # MTR fails a test during which one of its servers died unannounced.
            if report.status == "pass":
                report.status = "fail"
                report.message = problem
            else:
                report.details.append(problem + "\n")
            self._mark(f"{report.case.name}: {problem}")
            return
        if report.status in ("fail", "error", "not run"):
            self._mark(f"{report.case.name} failed")
            return
        if self._forced(report.status):
            self._mark(f"{report.case.name} asked for a restart")
            return
        if not self.check_testcase or report.status != "pass":
            return
        state = self._state(address)
        if state is None:
            return
        if self._baseline is None:
            self._baseline = state
        elif state != self._baseline:
            changes = _changes(self._baseline, state)
            report.details.append(
                "the test left the server changed (mtr.check_testcase()); restarting from fresh data:\n"
                + "".join(f"    {line}\n" for line in changes)
            )
            self._mark(f"{report.case.name} left the server changed")
            return
        for name, before, now in self.companions.changes():
            report.details.append(
                f"the test left {name} changed (mtr.check_testcase()); restarting from fresh data:\n"
                + "".join(f"    {line}\n" for line in _changes(before, now))
            )
            self._mark(f"{report.case.name} left {name} changed")

    def environment(self) -> dict[str, str]:
        """Variables the tests see for the servers kept here beyond mysqld.1: the config
        template's ``[ENV]`` (``SLAVE_MYPORT``...) while they run."""
        return self.companions.environment()

    def baseline(self, address: ServerAddress) -> None:
        """The state a clean server is in: taken after the first cleanup on fresh data."""
        if self.check_testcase and self._baseline is None:
            self._baseline = self._state(address)

    def _mark(self, why: str) -> None:
        self.needs_fresh_start = True
        self.why = why

    def _forced(self, status: str) -> bool:
        name = "force_restart_if_skipped" if status == "skip" else "force_restart"
        return (self.server.datadir / "mtr" / name).exists()

    def _state(self, address: ServerAddress) -> str | None:
        # Without an mtr database the answer is "" (nothing to compare). A failure (a server
        # that went away) skips this comparison only: the next test checks again.
        try:
            return hygiene.check_testcase(address)
        except Exception as exc:
            log.info("mtr.check_testcase() failed: %s", exc)
            return None


def _changes(before: str, after: str, limit: int = MAX_SHOWN_CHANGES) -> Sequence[str]:
    lines = [
        line.rstrip("\n")
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    return lines[:limit] + ([f"... and {len(lines) - limit} more"] if len(lines) > limit else [])
