"""``pytest --tidbrun suite/t``: each ``.test`` (each MTR combination) is a pytest item.

Registered through the ``pytest11`` entry point and idle without ``--tidbrun`` (tidbrun's own
tests never see a ``.test`` item). With it, the items run on tidbrun's own runner
(``runner.run.server_run.run_on_server``): one server for the session, embedded unless one is named
(``--tidbrun-host``/``--tidbrun-port``/``--tidbrun-socket`` or ``TIDB_HOST`` and friends).

The runner pulls its tests from a feed and calls back with each report, so this plugin runs the
tidbrun items itself (``pytest_runtestloop``): the feed hands the runner the next item's test, and
pytest's usual protocol (reports, ``-x``, ``--junitxml``) runs for an item once its test is done.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Hashable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from runner.config.run_config import RunConfig, server_from_environment

if TYPE_CHECKING:
    from runner.run.records import TestCase, TestReport

CONFIG_KEY = pytest.StashKey[RunConfig]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tidbrun", "tidbrun: .test files as pytest items")
    group.addoption("--tidbrun", action="store_true", default=False,
                    help="Collect mysqltest .test files (each MTR combination) and run them with tidbrun.")
    group.addoption("--tidbrun-host", default=None, help="Server host (env TIDB_HOST; default: tidbrun starts one).")
    group.addoption("--tidbrun-port", type=int, default=None, help="Server port (env TIDB_PORT).")
    group.addoption("--tidbrun-socket", default=None, help="Unix socket of the server.")
    group.addoption("--tidbrun-user", default=None,
                    help="User on the named server (env TIDB_USER; the password from TIDB_PASSWORD).")
    group.addoption("--tidbrun-dialect", default=None, help="mysqltest or mysql-tester (default: by server).")
    group.addoption("--tidbrun-basedir", default=None, help="The mysql-test tree `source include/...` resolves in.")
    group.addoption("--tidbrun-plugin", action="append", default=[], metavar="MODULE",
                    help="Load a tidbrun plugin (a module name or a .py file; repeatable), as tidbrun --plugin.")


def pytest_configure(config: pytest.Config) -> None:
    if not config.getoption("tidbrun"):
        return
    from runner.errors import TidbrunError
    from runner.plugins import activate

    try:
        dialects = activate(config.getoption("tidbrun_plugin")).dialects  # a plugin that cannot load stops here
    except TidbrunError as exc:
        raise pytest.UsageError(f"tidbrun: {exc}") from None
    dialect = config.getoption("tidbrun_dialect")
    if dialect is not None and dialect not in dialects:
        raise pytest.UsageError(f"tidbrun: unknown dialect '{dialect}' (use {' or '.join(dialects)})")
    basedir = config.getoption("tidbrun_basedir")
    config.stash[CONFIG_KEY] = RunConfig(
        paths=[],
        server=server_from_environment(config.getoption("tidbrun_host"), config.getoption("tidbrun_port"),
                                       config.getoption("tidbrun_user"), None, config.getoption("tidbrun_socket"),
                                       None),
        dialect=dialect,
        basedir=Path(basedir).resolve() if basedir else None,
        plugins=tuple(config.getoption("tidbrun_plugin")),
        force=True,  # pytest decides when to stop (-x, --maxfail): the feed then runs dry
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if CONFIG_KEY in parent.config.stash and _is_test_file(file_path):
        file: TidbrunFile = TidbrunFile.from_parent(parent, path=file_path)
        return file
    return None


def _is_test_file(path: Path) -> bool:
    """A test file of a registered kind, as a suite folder's collection finds it."""
    from runner.plugins import current

    kinds = current().kinds
    kind = kinds.of(path)
    return kind.takes(path) and kind.collects(path, path.parent)


class TidbrunFile(pytest.File):
    """One test file: one item, or one per combination (MTR's in a mysql-test tree, a template's)."""

    def collect(self) -> Iterator[pytest.Item]:
        from dataclasses import replace

        from runner.plugins import current
        from runner.run.execute import mysql_test_dir_of
        from runner.run.suite import discover

        run_config = replace(self.config.stash[CONFIG_KEY], paths=[self.path])
        cases = current().kinds.expand(discover([self.path]), {})
        tree = mysql_test_dir_of(run_config)
        if tree is not None:
            from runner.run.cases import plan_tests

            cases = plan_tests(cases, tree, big_test=False, external=run_config.server.external)
        for case in cases:
            yield TidbrunItem.from_parent(self, name=case.name, case=case)


class TidbrunItem(pytest.Item):
    """A test (or combination) that tidbrun runs; its reports arrive before pytest's protocol."""

    def __init__(self, *, case: TestCase, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.reports: list[TestReport] = []

    def runtest(self) -> None:
        if not self.reports:
            raise TidbrunFailure(self.case, [])
        bad = [report for report in self.reports if report.status in ("fail", "error", "not run")]
        if bad:
            raise TidbrunFailure(self.case, bad)
        if all(report.status == "skip" for report in self.reports):
            pytest.skip(self.reports[0].message or "skipped by tidbrun")

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, TidbrunFailure):
            return excinfo.value.text()
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"tidbrun: {self.case.name}"


class TidbrunFailure(Exception):
    """A tidbrun test that failed, stopped on an error or was not run: its reports."""

    def __init__(self, case: TestCase, reports: list[TestReport]) -> None:
        super().__init__(case.name)
        self.case = case
        self.reports = reports

    def text(self) -> str:
        from runner.report.junit import failure_text

        if not self.reports:
            return f"{self.case.path}: not run (the run stopped before it)"
        return "\n\n".join(f"[{report.status}] {failure_text(report)}" for report in self.reports)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    if isinstance(item, TidbrunItem) and call.when == "call":
        # The test ran before pytest's call phase: its time is the runner's.
        report.duration = sum(r.seconds for r in item.reports)  # type: ignore[attr-defined]
        if report.skipped and isinstance(report.longrepr, tuple):  # type: ignore[attr-defined]
            # Where the skip is: the .test file, not this plugin.
            report.longrepr = (str(item.path), 1, report.longrepr[2])  # type: ignore[attr-defined]
    return report


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> bool | None:
    if CONFIG_KEY not in session.config.stash:
        return None
    if session.testsfailed and not session.config.option.continue_on_collection_errors:
        raise session.Interrupted(f"{session.testsfailed} error(s) during collection")
    if session.config.option.collectonly:
        return True
    others = [item for item in session.items if not isinstance(item, TidbrunItem)]
    ours = [item for item in session.items if isinstance(item, TidbrunItem)]
    for index, item in enumerate(others):
        item.config.hook.pytest_runtest_protocol(item=item, nextitem=others[index + 1] if index + 1 < len(others)
                                                 else None)
        _stop_if_asked(session)
    if ours:
        _run_tidbrun_items(session, ours)
    _stop_if_asked(session)
    return True


def _stop_if_asked(session: pytest.Session) -> None:
    if session.shouldfail:
        raise session.Failed(session.shouldfail)
    if session.shouldstop:
        raise session.Interrupted(session.shouldstop)


class _ItemFeed:
    """The items' tests for the runner, in pytest's order. When the runner asks for the next test,
    the one before is finished: pytest's protocol runs for its item then, and a stop pytest asks
    for (``-x``) leaves the feed empty."""

    def __init__(self, session: pytest.Session, items: list[TidbrunItem]) -> None:
        self.session = session
        self.items = items
        self.position = 0  # items handed out
        self.finished = 0  # items pytest has reported

    def next_case(self, current: Hashable) -> TestCase | None:
        self.finish_handed_out()
        if self.position >= len(self.items) or self.session.shouldfail or self.session.shouldstop:
            return None
        self.position += 1
        return self.items[self.position - 1].case

    def rest(self) -> list[TestCase]:
        rest = [item.case for item in self.items[self.position:]]
        self.position = len(self.items)
        return rest

    def finish_handed_out(self) -> None:
        while self.finished < self.position:
            item = self.items[self.finished]
            self.finished += 1
            following = self.items[self.finished] if self.finished < len(self.items) else None
            item.config.hook.pytest_runtest_protocol(item=item, nextitem=following)


def _run_tidbrun_items(session: pytest.Session, items: list[TidbrunItem]) -> None:
    from dataclasses import replace

    from runner.run.execute import mysql_test_dir_of
    from runner.run.server_run import run_on_server

    paths = list(dict.fromkeys(item.case.path for item in items))
    run_config = replace(session.config.stash[CONFIG_KEY], paths=paths)
    by_case = {(item.case.path, item.case.name): item for item in items}

    def show(report: TestReport) -> None:
        item = by_case.get((report.case.path, report.case.name))
        if item is not None:
            item.reports.append(report)

    feed = _ItemFeed(session, items)
    vardir = Path(tempfile.mkdtemp(prefix="tidbrun-pytest-"))
    (vardir / "tmp").mkdir()
    try:
        outcome = run_on_server(run_config, feed, vardir, mysql_test_dir_of(run_config), show)
    finally:
        shutil.rmtree(vardir, ignore_errors=True)
    if outcome.interrupted:
        raise KeyboardInterrupt
    feed.finish_handed_out()  # the last test, and those the runner reported not run
