"""Runs one test inside the run's safety nets and turns what happened into its report.

Before the test: the run's deadline, the circuit breaker, a server that died between tests, a
server still running with the options the previous test restarted it with (restarted as it was).
Around it: the test's deadline, and the expect-file watcher (a restart the test asks for is no
crash). After it: statements tidbrun had to stop, a server that died during it (the test fails
with the end of the server's error log; the server is restarted and cleaned), and a failure to
clean up (counted by the breaker, never hiding the test's outcome).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from runner.errors import PluginError, ServerUnavailable, TestFileError
from runner.faults import context as failure_context
from runner.faults.crash import CrashWatch
from runner.faults.deadline import Deadlines
from runner.faults.reach import Reach
from runner.faults.watch import Watch
from runner.run.suite import SuiteRunner, TestCase, TestReport

if TYPE_CHECKING:
    from runner.server.address import ServerAddress

log = logging.getLogger("tidbrun.run")
NOT_RUN = "not run"


class TestGuard:
    def __init__(
        self,
        runner: SuiteRunner,
        *,
        watch: Watch,
        deadlines: Deadlines,
        reach: Reach,
        crash: CrashWatch | None = None,
        make_clean: Callable[[ServerAddress], Callable[[], None]] | None = None,
        make_environment: Callable[[ServerAddress], dict[str, str]] | None = None,
    ) -> None:
        self.runner = runner
        self.watch = watch
        self.deadlines = deadlines
        self.reach = reach
        self.crash = crash
        self._make_clean = make_clean
        self._make_environment = make_environment
        self._clean = self._cleaner(runner.address)
        self._cleanup_problem: str | None = None
        runner.between_tests = self._between_tests
        self.stop_reason: str | None = None  # set when the rest of the run cannot go on
        self._marked: TestCase | None = None  # the test whose start the error log shows

    # -- one test ----------------------------------------------------------------------------------

    def run(self, case: TestCase) -> TestReport:
        if self.deadlines.suite_expired:
            self.stop_reason = f"--suite-timeout {self.deadlines.suite_timeout:g} s expired"
            return self.not_run(case, self.stop_reason)
        breaker = self.reach.breaker
        if not breaker.allows():
            return self.not_run(case, f"server unavailable ({breaker.last_reason})")
        self.mark_test_start(case)
        if self.crash is not None and self.crash.died() and not self._restart(case):
            return self.not_run(case, f"server unavailable ({breaker.last_reason})")
        if self.server_options_changed and not self._restart(case, restore=True):
            return self.not_run(case, f"server unavailable ({breaker.last_reason})")
        self.watch.begin_test()
        if self.crash is not None:
            self.crash.begin_test()
        self._cleanup_problem = None
        started = time.perf_counter()
        self.deadlines.arm(self.runner.position)
        try:
            report = self.runner.run_one(case)
        except TestFileError as exc:  # a result file that cannot be read
            report = TestReport(case, "error", time.perf_counter() - started, str(exc))
        except ServerUnavailable as exc:
            seconds = time.perf_counter() - started
            context = failure_context.for_exception(
                case.name, exc, self.runner.connect_params(), self.reach.last.count, self.reach.last.elapsed
            )
            report = TestReport(case, NOT_RUN, seconds, f"not run: server unavailable: {exc}")  # type: ignore[arg-type]
            report.context = context
        except PluginError:  # a plugin's hook or directive raised: the run stops, naming it
            raise
        except Exception as exc:  # a tidbrun bug this test ran into: the test errs, the run goes on
            log.exception("%s: internal error", case.name)
            if os.environ.get("TIDBRUN_DEBUG"):
                raise
            report = TestReport(case, "error", time.perf_counter() - started,
                                f"internal error: {type(exc).__name__}: {exc} (TIDBRUN_DEBUG=1 shows where)")
        finally:
            self.deadlines.disarm()
            if self.crash is not None:
                self.crash.end_test()
        report = self._stopped_by_tidbrun(report)
        if self.crash is not None and self.crash.died():
            report = self._crashed(case, report)
        elif self.crash is not None and self.crash.server.address != self.runner.address:
            self._use_address(self.crash.server.address)  # restarted at the test's request, on another port
        if self._cleanup_problem and report.status in ("pass", "skip"):
            report.details.append(f"cleaning up after the test failed: {self._cleanup_problem}\n")
        if self.deadlines.expiry is not None and self.deadlines.expiry.suite:
            self.stop_reason = f"{self.deadlines.expiry.reason} expired"
        self._log(report)
        self._marked = None
        return report

    def mark_test_start(self, case: TestCase) -> None:
        """``CURRENT_TEST: <suite>.<test>`` in the embedded server's error log, once per test:
        call it before restarting the server for the test (``run`` calls it too, and then does
        nothing more when it was called for this test already)."""
        if self.crash is None or self._marked is case:
            return
        self._marked = case
        self.crash.mark(mtr_name(case))

    @property
    def server_options_changed(self) -> bool:
        """The last test restarted the server with options of its own (``restart: <options>`` in
        its expect file): it must be restarted with the next test's options before that test."""
        return self.crash is not None and self.crash.options_changed

    def not_run(self, case: TestCase, why: str) -> TestReport:
        report = TestReport(case, NOT_RUN, 0.0, f"not run: {why}")  # type: ignore[arg-type]
        self._log(report)
        return report

    # -- after the test ----------------------------------------------------------------------------

    def _stopped_by_tidbrun(self, report: TestReport) -> TestReport:
        """A test whose statement tidbrun killed fails, whatever the test made of the error."""
        expiry = self.deadlines.expiry
        if expiry is not None:
            message = expiry.message()
        elif self.watch.expired:
            message = "; ".join(self.watch.expired)
        else:
            return report
        if not (report.status == "fail" and message in report.message):
            prefix = f"{report.message}\n    " if report.status in ("fail", "error") and report.message else ""
            report = replace(report, status="fail", message=prefix + message, diff="", recorded=False)
        context = report.context
        if context is None:
            context = report.context = failure_context.FailureContext(test=report.case.name, elapsed=report.seconds)
        if expiry is not None and expiry.location is not None and not context.location:
            context.location = expiry.location.describe()
        if self.watch.expired_statements and not context.statement:
            entry = self.watch.expired_statements[0]
            context.statement = entry.sql
            context.connection = entry.session.name
            failure_context.with_params(context, entry.session.params)
        return report

    def _crashed(self, case: TestCase, report: TestReport) -> TestReport:
        assert self.crash is not None
        crash = self.crash.crash()
        log.warning("server died during %s: it %s", case.name, crash.how)
        message = crash.report()
        if report.status in ("fail", "error") and report.message:
            message = f"{report.message}\n    {message}"
        updated = replace(report, status="fail", message=message, diff="", recorded=False)
        self._restart(case)
        return updated

    def _restart(self, case: TestCase, *, restore: bool = False) -> bool:
        """Start the server again after a crash; ``restore``: restart it with the options it had
        before the last test restarted it with its own."""
        assert self.crash is not None
        try:
            address = self.crash.restore_options() if restore else self.crash.restart()
        except ServerUnavailable as exc:
            self.reach.breaker.trip(f"the server could not be restarted: {str(exc).splitlines()[0]}")
            self.stop_reason = "the server could not be restarted"
            return False
        self._use_address(address)
        if not restore:
            self._between_tests()  # the crashed test's leftovers survive a restart
        return True

    def adopt(self, address: ServerAddress) -> None:
        """The server was restarted by someone else (runner.server.keeper, for the next test's
        options): use its new address. The options a test restarted it with went with it. The
        environment is made anew even when the address stayed: the servers started beside it
        (``SLAVE_MYPORT``...) may have changed."""
        if self.crash is not None:
            self.crash.expect.forget_options()
        self._use_address(address, refresh=True)

    def _use_address(self, address: ServerAddress, *, refresh: bool = False) -> None:
        if refresh or address != self.runner.address:
            self.runner.address = address
            if self._make_environment is not None:
                self.runner.environment = self._make_environment(address)
        self._clean = self._cleaner(address)

    def _cleaner(self, address: ServerAddress) -> Callable[[], None] | None:
        """The cleanup for ``address`` (making it may read the server: retried too)."""
        make = self._make_clean
        if make is None:
            return None
        try:
            return self.reach.run(lambda: make(address), "reading the server's state before the tests")
        except ServerUnavailable:
            raise
        except Exception as exc:
            raise ServerUnavailable(f"cannot read the server's state before the tests: {exc}") from exc

    def _between_tests(self) -> None:
        clean = self._clean
        if clean is None:
            return
        if self.crash is not None:
            self.crash.end_test()  # a restart the test asked for is finished before cleaning
            if self.crash.died():
                return  # the restart cleans up
        try:
            self.reach.run(clean, "cleaning the server between tests")
        except Exception as exc:  # counted by the breaker; must not hide the test's own outcome
            self._cleanup_problem = str(exc).splitlines()[0]
            log.warning("cleaning the server between tests failed: %s", self._cleanup_problem)

    def _log(self, report: TestReport) -> None:
        word = "recorded" if report.recorded else report.status
        log.info("%s: %s (%.0f ms)", report.case.name, word, report.seconds * 1000)
        if report.status not in ("pass", "skip"):
            log.info("    %s", report.message.replace("\n", "\n    "))
            context = getattr(report, "context", None)
            if context is not None:
                log.info("    context: %s", context.log_text())


def mtr_name(case: TestCase) -> str:
    """The test's name as mysql-test-run.pl writes it into the error log: ``<suite>.<test>``."""
    folder = case.path.parent
    suite = folder.parent.name if folder.name == "t" else folder.name
    return f"{suite}.{case.name}" if case.name.startswith(case.path.stem) else case.name
