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

from runner.config import RunConfig
from runner.driver import HAVE_CEXT
from runner.errors import EXIT_OK, EXIT_TEST_FAILED, EXIT_USAGE, ServerUnavailable
from runner.render import dialect_named
from runner.report.console import ConsoleReport
from runner.server.address import ServerAddress
from runner.server.connect import open_connection
from runner.server.flavour import query_flavour
from runner.suite import SuiteRunner, discover, find_basedir


@contextlib.contextmanager
def _server(config: RunConfig, mysql_test_dir: Path | None, vardir: Path) -> Iterator[ServerAddress]:
    settings = config.server
    if settings.external:
        yield ServerAddress(
            host=settings.host or "127.0.0.1",
            port=settings.port or 3306,
            socket=settings.socket,
            user=settings.user,
            password=settings.password,
        )
        return
    from runner.server.embedded import EmbeddedServer

    server = EmbeddedServer(mysql_test_dir=mysql_test_dir, vardir=vardir)
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
    try:
        with _server(config, mysql_test_dir, vardir) as address:
            datadir = None if config.server.external else vardir / "mysqld.1" / "data"
            flavour = _flavour(address)
            dialect_name = config.dialect or ("mysql-tester" if flavour == "tidb" else "mysqltest")
            runner = SuiteRunner(
                config=config,
                address=address,
                dialect=dialect_named(dialect_name),
                vardir=vardir,
                mysql_test_dir=mysql_test_dir,
                environment=_environment(address, vardir, mysql_test_dir, cases[0].path),
                between_tests=_cleanup(config, address, vardir, datadir),
            )
            for case in cases:
                result = runner.run_one(case)
                report.test(result)
                ran += 1
                if result.status in ("fail", "error"):
                    failed = True
                    input_error = input_error or result.status == "error"
                    if not config.force:
                        break
    except ServerUnavailable as exc:
        print(f"tidbrun: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        if own_vardir:
            shutil.rmtree(vardir, ignore_errors=True)
    report.summary(time.perf_counter() - started, not_run=len(cases) - ran)
    if input_error:
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
