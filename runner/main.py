"""One run from start to end: get a server, pick the dialect, run the tests, report."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from runner.config import RunConfig
from runner.driver import HAVE_CEXT
from runner.errors import EXIT_OK, EXIT_TEST_FAILED, EXIT_USAGE, ServerUnavailable
from runner.faults.run import RunSafety
from runner.render import dialect_named
from runner.report.console import ConsoleReport
from runner.server.address import ServerAddress
from runner.server.connect import open_connection
from runner.server.flavour import query_flavour
from runner.suite import SuiteRunner, TestReport, discover, find_basedir, with_collation_variants
from runner.tidb import server_config as tidb_server
from runner.tidb.failpoints import FailpointAPI


@contextlib.contextmanager
def _server(
    config: RunConfig, mysql_test_dir: Path | None, vardir: Path, on_embedded: Callable[[Any], None] | None = None
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
    server = EmbeddedServer(mysql_test_dir=mysql_test_dir, vardir=vardir, tidb_config=tidb_config)
    if on_embedded is not None:
        on_embedded(server)
    try:
        yield server.start()
    finally:
        server.stop()


def _mysql_test_dir(config: RunConfig) -> Path | None:
    candidates = [config.basedir] if config.basedir else [find_basedir(p) for p in config.paths]
    for candidate in candidates:
        if candidate is not None and (candidate / "include" / "mtr_warnings.sql").is_file():
            return candidate
    return None


def execute(config: RunConfig) -> int:
    cases = discover(config.paths, config.result_file)
    if not cases:
        print("tidbrun: no .test files found", file=sys.stderr)
        return EXIT_USAGE
    if not HAVE_CEXT:
        print("tidbrun: note: mysql-connector-python's C extension is not loaded; running on pure Python",
              file=sys.stderr)
    own_vardir = config.vardir is None
    vardir = Path(tempfile.mkdtemp(prefix="tidbrun-")) if own_vardir else Path(config.vardir).resolve()  # type: ignore[arg-type]
    (vardir / "tmp").mkdir(parents=True, exist_ok=True)
    mysql_test_dir = _mysql_test_dir(config)
    report = ConsoleReport(color=config.color, verbose=config.verbose)
    started = time.perf_counter()
    failed = False
    input_error = False
    ran = 0
    safety = RunSafety(config)
    unavailable_at_start = False
    try:
        with safety.active(), _server(config, mysql_test_dir, vardir, safety.watch_server) as address:
            datadir = None if config.server.external else vardir / "mysqld.1" / "data"
            address, flavour = safety.reach_server(address, _flavour)
            dialect_name = config.dialect or ("mysql-tester" if flavour == "tidb" else "mysqltest")
            if dialect_name == "mysql-tester" and config.result_file is None:
                named = {p.resolve() for p in config.paths if p.is_file()}
                cases = with_collation_variants(cases, disabled=config.collation_disable, named=named)
            failpoints = FailpointAPI.for_server(flavour, address.host, address.status_port)
            unavailable = failpoints.probe()
            if unavailable is not None:
                print(f"tidbrun: note: {unavailable}. Tests using --failpoint will fail.", file=sys.stderr)
            runner = SuiteRunner(
                config=config,
                address=address,
                dialect=dialect_named(dialect_name),
                vardir=vardir,
                mysql_test_dir=mysql_test_dir,
                environment=_environment(address, vardir, mysql_test_dir, cases[0].path),
                failpoints=failpoints,
                flavour=flavour,
            )
            guard = safety.guard(
                runner,
                make_clean=lambda new: _cleanup(config, new, vardir, datadir),
                make_environment=lambda new: _environment(new, vardir, mysql_test_dir, cases[0].path),
            )
            for case in cases:
                case_started = time.perf_counter()
                try:
                    result = guard.run(case)
                except KeyboardInterrupt:
                    _show(report, safety, safety.interrupted(case, time.perf_counter() - case_started))
                    ran += 1
                    raise
                _show(report, safety, result)
                ran += 1
                if result.status in ("fail", "error"):
                    failed = True
                    input_error = input_error or result.status == "error"
                    if not config.force:
                        break
                if guard.stop_reason is not None:
                    for skipped in safety.not_run(cases[ran:], guard.stop_reason):
                        _show(report, safety, skipped)
                    ran = len(cases)
                    failed = True
                    break
    except ServerUnavailable as exc:
        print(f"tidbrun: {exc}", file=sys.stderr)
        unavailable_at_start = True
        for skipped in safety.not_run(cases[ran:], "server unavailable"):
            _show(report, safety, skipped)
        ran = len(cases)
    except KeyboardInterrupt:
        print(f"tidbrun: interrupted by {safety.trap.name}: the test in flight was stopped", file=sys.stderr)
    finally:
        if own_vardir:
            shutil.rmtree(vardir, ignore_errors=True)
    wall = time.perf_counter() - started
    report.summary(wall, not_run=len(cases) - ran)
    code = _exit_code(safety, failed, input_error or unavailable_at_start)
    safety.write_report(wall, code)
    return code


def _show(report: ConsoleReport, safety: RunSafety, result: TestReport) -> None:
    report.test(result)
    safety.reports.append(result)


def _exit_code(safety: RunSafety, failed: bool, usage: bool) -> int:
    if safety.trap.received is not None:
        return safety.trap.exit_code  # 130 after SIGINT, 143 after SIGTERM
    if usage or any(r.status == "not run" and "server unavailable" in r.message for r in safety.reports):
        return EXIT_USAGE
    return EXIT_TEST_FAILED if failed else EXIT_OK


def _flavour(address: ServerAddress) -> str:
    conn = open_connection(address)
    try:
        return query_flavour(conn)
    finally:
        conn.close()


def _environment(address: ServerAddress, vardir: Path, mysql_test_dir: Path | None, first: Path) -> dict[str, str]:
    from runner.server.mtr_env import test_environment

    env = dict(os.environ)
    env.update(test_environment(address, vardir, mysql_test_dir, first.resolve().parent, first.resolve()))
    return env


def _cleanup(config: RunConfig, address: ServerAddress, vardir: Path, datadir: Path | None) -> Callable[[], None]:
    """Between tests: MTR's full reset on our own server; on someone else's, only undo what
    the tests created."""
    from runner.server import hygiene

    if config.server.external:
        baseline = hygiene.database_names(address)
        return lambda: hygiene.restore_databases(address, baseline)
    return lambda: hygiene.reset_between_tests(address, vardir, datadir=datadir)
