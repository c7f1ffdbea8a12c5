"""One server's share of a run: start (or reach) the server, pick the dialect, run the tests the
feed hands it one by one with the per-test guard around each. The single process runs one share;
under -j each worker runs one."""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time
from collections.abc import Callable, Hashable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runner.config.run_config import RunConfig
from runner.errors import ServerUnavailable
from runner.plugins import activate as activate_plugins
from runner.run.guard import mtr_name
from runner.run.outcome import CaseFeed, ServerBanner, ServerRun
from runner.run.rerun import failure_limit_reason, reached, with_retries
from runner.run.safety import RunSafety
from runner.run.suite import SuiteRunner, TestCase, TestReport, with_collation_variants
from runner.server.address import ServerAddress
from runner.server.connect import open_connection
from runner.server.control import ServerControl
from runner.server.flavour import detect_flavour, server_version
from runner.server.keeper import Keeper, ServerSetup
from runner.tidb import server_config as tidb_server
from runner.tidb.failpoints import FailpointAPI

if TYPE_CHECKING:
    from runner.run.guard import TestGuard
    from runner.server.embedded import EmbeddedServer


@contextlib.contextmanager
def _server(
    config: RunConfig,
    mysql_test_dir: Path | None,
    vardir: Path,
    on_embedded: Callable[[Any], None] | None = None,
) -> Iterator[ServerAddress]:
    settings = config.server
    if settings.external:
        yield ServerAddress(
            host=settings.host or "127.0.0.1",
            port=settings.port or 3306,
            socket=settings.socket,
            user=settings.user,
            password=settings.password,
            status_port=settings.status_port,
        )
        return
    from runner.server.embedded import EmbeddedServer

    tidb_config = tidb_server.config_file(tidb_server.suite_roots(config.paths), config.collation_disable, vardir)
    # In a mysql-test tree the server runs as mysql-test-run.pl runs it: optional plugins off
    # unless a test's options turn them on (--plain: as a plain server, with its plugins).
    mtr_like = mysql_test_dir is not None and not config.plain
    environment: dict[str, str] = {}
    if mysql_test_dir is not None:
        from runner.server.embedded import find_server_kind
        from runner.server.mtr_env import server_process_environment

        kind = find_server_kind()
        environment = server_process_environment(mysql_test_dir, kind.server if kind is not None else None)
    server = EmbeddedServer(
        mysql_test_dir=mysql_test_dir, vardir=vardir, tidb_config=tidb_config,
        skip_optional_plugins=mtr_like, environment=environment,
    )
    if on_embedded is not None:
        on_embedded(server)
    try:
        yield server.start()
    finally:
        server.stop()


def setup_of(case: TestCase) -> Hashable:
    """What the server must be for ``case``: tests with equal setups share a server start."""
    return ServerSetup.of(case).key


def run_on_server(
    config: RunConfig,
    feed: CaseFeed,
    vardir: Path,
    mysql_test_dir: Path | None,
    show: Callable[[TestReport], None],
    announce: Callable[[ServerBanner], None] | None = None,
) -> ServerRun:
    """One server (embedded, or the one named) and the tests ``feed`` hands it, one by one;
    ``announce`` hears what the server is once it answers."""
    outcome = ServerRun()
    plugins = activate_plugins(config.plugins)  # a worker process loads them again
    safety = RunSafety(config)

    failures = 0

    def emit(result: TestReport) -> None:
        nonlocal failures
        show(result)
        outcome.ran += 1
        if result.status in ("fail", "error"):
            failures += 1
            outcome.failed = True
            outcome.input_error = outcome.input_error or result.status == "error"

    first = feed.next_case(None)
    if first is None:
        return outcome
    servers: list[EmbeddedServer] = []
    keeper: Keeper | None = None
    unstarted = [first]  # taken from the feed, not run yet: "not run" when the server never comes

    def on_embedded(server: EmbeddedServer) -> None:
        safety.watch_server(server)
        servers.append(server)

    try:
        # The server starts plain; a first test with options of its own gets a restart, after its
        # CURRENT_TEST mark in the error log (it may look for the start-up messages).
        with safety.active(), _server(config, mysql_test_dir, vardir, on_embedded) as address:
            datadir = None if config.server.external else vardir / "mysqld.1" / "data"
            address, (flavour, version) = safety.reach_server(address, _flavour)
            outcome.flavour, outcome.version = flavour, version
            if announce is not None:
                announce(_banner(address, flavour, version, embedded=bool(servers), vardir=vardir))
            dialect_name = config.dialect or ("mysql-tester" if flavour == "tidb" else "mysqltest")
            failpoints = FailpointAPI.for_server(flavour, address.host, address.status_port)
            unavailable = failpoints.probe()
            if unavailable is not None:
                print(f"tidbrun: note: {unavailable}. Tests using --failpoint will fail.", file=sys.stderr)
            keeper = (
                Keeper(servers[0], check_testcase=mysql_test_dir is not None)
                if servers and flavour != "tidb"
                else None
            )
            if keeper is not None:
                keeper.baseline(address)
            runner = SuiteRunner(
                config=config,
                address=address,
                dialect=plugins.dialect(dialect_name).renderer(),
                plugins=plugins,
                vardir=vardir,
                mysql_test_dir=mysql_test_dir,
                environment=_environment(config, address, vardir, mysql_test_dir, first.path, version, keeper),
                failpoints=failpoints,
                flavour=flavour,
                server_control=(
                    ServerControl(servers[0], safety.crash.expect) if servers and safety.crash is not None else None
                ),
            )
            guard = safety.guard(
                runner,
                make_clean=lambda new: _cleanup(config, new, vardir, datadir),
                make_environment=lambda new: _environment(
                    config, new, vardir, mysql_test_dir, first.path, version, keeper
                ),
            )
            case: TestCase | None = first
            unstarted.clear()

            def run_once(variant: TestCase) -> TestReport:
                case_started = time.perf_counter()
                try:
                    started = _prepare(keeper, guard, variant, vardir)
                    result = guard.run(variant) if started is None else started
                    if keeper is not None and variant.skip is None:
                        keeper.after(result, runner.address)
                except KeyboardInterrupt:
                    emit(safety.interrupted(variant, time.perf_counter() - case_started))
                    raise
                return result

            def may_retry() -> bool:
                return guard.stop_reason is None and not config.record

            while case is not None:
                for variant in _variants(config, dialect_name, case):
                    emit(with_retries(run_once, variant, config.retry_failure, may_retry))
                if outcome.failed and not config.force:
                    break
                if reached(failures, config.max_test_fail):
                    assert config.max_test_fail is not None
                    for skipped in safety.not_run(feed.rest(), failure_limit_reason(config.max_test_fail)):
                        emit(skipped)
                    break
                if guard.stop_reason is not None:
                    for skipped in safety.not_run(feed.rest(), guard.stop_reason):
                        emit(skipped)
                    outcome.failed = True
                    break
                case = feed.next_case(keeper.current.key if keeper is not None else None)
    except ServerUnavailable as exc:
        print(f"tidbrun: {exc}", file=sys.stderr)
        outcome.unavailable_at_start = True
        for skipped in safety.not_run(unstarted + feed.rest(), "server unavailable"):
            emit(skipped)
    except KeyboardInterrupt:
        outcome.interrupted = True
        outcome.signal_exit = safety.trap.exit_code
        print(f"tidbrun: interrupted by {safety.trap.name}: the test in flight was stopped", file=sys.stderr)
    outcome.notes.extend(safety.notes)
    outcome.notes.extend(safety.restart_notes())
    if keeper is not None and keeper.restarts:
        outcome.notes.append(f"server restarted from fresh data {keeper.restarts} time(s) "
                             "(other options, a failed test, or a test that left it changed)")
    outcome.transitions.extend(safety.breaker.transitions)
    return outcome


def _prepare(keeper: Keeper | None, guard: TestGuard, case: TestCase, vardir: Path) -> TestReport | None:
    """The server as ``case`` needs it; a report when it cannot be had (the test fails, as under
    mysql-test-run.pl, and the next test gets a fresh start)."""
    if case.skip is not None:
        return TestReport(case, "skip", 0.0, case.skip)  # decided before the test: no server needed
    if keeper is None:
        return None
    guard.mark_test_start(case)  # before a restart: the test may look for the server's start messages
    if guard.server_options_changed:
        keeper.needs_fresh_start = True  # a test restarted it with options of its own
    setup = ServerSetup.of(case, vardir)
    began = time.perf_counter()
    try:
        restarted = keeper.prepare(setup, mtr_name(case))
    except ServerUnavailable as exc:
        keeper.needs_fresh_start = True
        return TestReport(case, "fail", time.perf_counter() - began,
                          f"the server did not start with the test's options: {exc}")
    if restarted is not None:
        guard.adopt(restarted)
    return None


def _variants(config: RunConfig, dialect_name: str, case: TestCase) -> list[TestCase]:
    """mysql-tester's collation tests compare with a result per new-collation mode."""
    if dialect_name != "mysql-tester" or config.result_file is not None:
        return [case]
    named = {p.resolve() for p in config.paths if p.is_file()}
    return with_collation_variants([case], disabled=config.collation_disable, named=named)


def _banner(address: ServerAddress, flavour: str, version: str, *, embedded: bool, vardir: Path) -> ServerBanner:
    where = f"localhost:{address.socket}" if address.socket else f"{address.host}:{address.port}"
    return ServerBanner(flavour, version, f"{address.user}@{where}", embedded, vardir)


def _flavour(address: ServerAddress) -> tuple[str, str]:
    """The server's flavour and its version string."""
    conn = open_connection(address)
    try:
        version = server_version(conn)
        return detect_flavour(version), version
    finally:
        conn.close()


# mysqltest's $MYSQL_SERVER_VERSION is the version it was built as ("10.11.19-MariaDB"): the
# server's version without the packager's suffix.
_BUILD_VERSION = re.compile(r"^\d+\.\d+\.\d+(?:-MariaDB)?")


def _environment(
    config: RunConfig,
    address: ServerAddress,
    vardir: Path,
    mysql_test_dir: Path | None,
    first: Path,
    version: str,
    keeper: Keeper | None = None,
) -> dict[str, str]:
    from runner.server.bootstrap import default_cache_dir
    from runner.server.mtr_env import test_environment

    env = dict(os.environ)
    build = _BUILD_VERSION.match(version.removeprefix("5.5.5-"))
    env["MYSQL_SERVER_VERSION"] = build.group(0) if build else version
    env.update(test_environment(address, vardir, mysql_test_dir, first.resolve().parent, first.resolve(),
                                server_command=keeper.server.command if keeper is not None else None,
                                big_test=config.big_test, cache_dir=default_cache_dir()))
    if keeper is not None:
        env.update(keeper.environment())
    return env


def _cleanup(config: RunConfig, address: ServerAddress, vardir: Path, datadir: Path | None) -> Callable[[], None]:
    """Between tests: MTR's full reset on our own server; on someone else's, only undo what
    the tests created."""
    from runner.server import hygiene

    if config.server.external:
        baseline = hygiene.database_names(address)
        return lambda: hygiene.restore_databases(address, baseline)
    hygiene.remember_accounts(address)
    return lambda: hygiene.reset_between_tests(address, vardir, datadir=datadir)
