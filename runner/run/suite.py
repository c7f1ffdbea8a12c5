"""Finding tests, running each one against a server, and judging its output."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from runner.config.run_config import RunConfig
from runner.engine.interpreter import Interpreter
from runner.engine.outcomes import TestFailure, TestInputError, TestSkipped
from runner.engine.position import Position
from runner.engine.state import TestPaths, Toggles
from runner.engine.variables import Variables
from runner.errors import TestFileError
from runner.faults.context import for_exception, for_test_failure
from runner.faults.reach import Reach
from runner.judge.compare import (
    collation_result_path,
    is_collation_test,
    result_path_for,
)
from runner.language.includes import IncludeCache
from runner.plugins import Plugins
from runner.plugins import current as current_plugins
from runner.render.base import Dialect
from runner.run.per_test_database import PerTestDatabase
from runner.run.records import Status, TestCase, TestReport
from runner.run.testinfo import TestInfo
from runner.run.working_folder import working_folder
from runner.server.address import ServerAddress
from runner.sessions.driver import ConnectError, Connection, ConnectParams, connect, connect_complete
from runner.tidb.failpoints import FailpointAPI


def discover(paths: list[Path], result_file: Path | None = None) -> list[TestCase]:
    """Test files named, or every ``*.test`` in a folder (its ``t/`` when it has one), in name order."""
    cases: list[TestCase] = []
    for path in paths:
        if path.is_dir():
            folder = path / "t" if (path / "t").is_dir() else path
            files = sorted(folder.rglob("*.test"))
        else:
            files = [path]
        for file in files:
            cases.append(TestCase(file, _test_name(file), result_file or result_path_for(file)))
    return cases


def with_collation_variants(cases: list[TestCase], *, disabled: bool, named: set[Path]) -> list[TestCase]:
    """mysql-tester's collation tests: results by new-collation mode, and with ``disabled`` only
    those run among the tests found in folders (``named``: test files given one by one)."""
    chosen: list[TestCase] = []
    for case in cases:
        if not is_collation_test(case.name):
            if not disabled or case.path.resolve() in named:
                chosen.append(case)
            continue
        chosen.append(TestCase(case.path, case.name, collation_result_path(case.result, disabled=disabled)))
    return chosen


def _test_name(path: Path) -> str:
    parts = path.with_suffix("").parts
    if "t" in parts:
        index = len(parts) - 1 - parts[::-1].index("t")
        return "/".join(parts[index + 1 :])
    return path.stem


_SOURCE_LINE = re.compile(rb"^[ \t]*(?:--[ \t]*)?source[ \t]+([^\s;$]+)", re.MULTILINE | re.IGNORECASE)


# What only the pure-Python protocol shows as mariadb-test does. information_schema's
# query_cache_info shows the client's capability flags, and libmysqlclient cannot ask for MariaDB's
# extended metadata as libmariadb does.
_COMPLETE_PROTOCOL_MARKS = (b"enable_info", b"enable_metadata", b"enable_session_track_info", b"query_cache_info")


# A file's scan for the marks: whether it has one, and the files it sources; by path, mtime, size.
Scans = dict[tuple[Path, int, int], tuple[bool, list[bytes]]]


def _scan(text: bytes) -> tuple[bool, list[bytes]]:
    return any(mark in text for mark in _COMPLETE_PROTOCOL_MARKS), _SOURCE_LINE.findall(text)


def _needs_complete_protocol(test: Path, basedir: Path, text: bytes, scans: Scans | None = None) -> bool:
    """The C extension has no mysql_info(), drops column lengths and MariaDB's extended type
    info, gives no session state changes and negotiates other capabilities than libmariadb; the
    few tests that show these (themselves or in a file they source) run on the pure-Python protocol.

    ``text`` is the test's (read once, for this and the reader); the files it sources are scanned
    once per run (``scans``)."""
    scans = {} if scans is None else scans
    seen: set[Path] = {test}
    marked, names = _scan(text)
    pending = [(test, name) for name in names]
    if marked:
        return True
    while pending:
        source, name = pending.pop()
        relative = Path(name.decode("latin-1").strip("'\""))
        for folder in (source.parent, test.parent, _suite_dir(test), basedir):  # as `source` resolves
            if (folder / relative).is_file():
                path = folder / relative
                break
        else:
            continue
        if path in seen or len(seen) > 200:
            continue
        seen.add(path)
        try:
            stat = path.stat()
            key = (path, stat.st_mtime_ns, stat.st_size)
            scanned = scans.get(key)
            if scanned is None:
                scanned = scans[key] = _scan(path.read_bytes())
        except OSError:
            continue
        if scanned[0]:
            return True
        pending.extend((path, found) for found in scanned[1])
    return False


def _suite_dir(test: Path) -> Path:
    """mysqltest's --suite-dir as mysql-test-run.pl gives it: the suite folder (``suite/x``), not
    its ``t/`` (``source inc/y.inc`` resolves in ``suite/x/inc``)."""
    folder = test.parent
    return folder.parent if folder.name == "t" else folder


def find_basedir(test: Path) -> Path:
    """The mysql-test root above a test (the one holding mysql-test-run.pl: a suite's own
    ``include/`` is not it), else the nearest folder holding ``include/``, else the test's folder."""
    from runner.mtr.suites import find_basedir as mtr_root

    root = mtr_root(test.parent)
    if root is not None:
        return root
    for folder in test.resolve().parents:
        if (folder / "include").is_dir():
            return folder
    return test.resolve().parent


@dataclass(slots=True)
class SuiteRunner:
    config: RunConfig
    address: ServerAddress
    dialect: Dialect
    vardir: Path
    mysql_test_dir: Path | None = None
    environment: dict[str, str] = field(default_factory=dict)
    between_tests: object = None  # callable(address, vardir) -> None, restores a clean server
    failpoints: FailpointAPI | None = None  # the server's failpoint API (TiDB), or why there is none
    reach: Reach | None = None  # retries and the circuit breaker for tidbrun's own connections
    flavour: str | None = None  # the server's: r/x.<flavour>.result wins over r/x.result
    position: Position = field(default_factory=Position)  # where the running test is (for its deadline)
    plugins: Plugins = field(default_factory=current_plugins)  # directives, dialects, test hooks, judge
    includes: IncludeCache = field(default_factory=IncludeCache)  # sourced files, parsed once per run
    protocol_scans: Scans = field(default_factory=dict)  # sourced files scanned once per run

    def connect_params(self) -> ConnectParams:
        address = self.address
        tester = self.dialect.name == "mysql-tester"
        # mysql-tester's Go driver always connects over TCP, so the server sees its users come
        # from 127.0.0.1, not localhost (tests print it: "Access denied for user 'u'@'127.0.0.1'").
        socket = None if tester and address.port else address.socket
        return ConnectParams(
            host="localhost" if socket else address.host,
            user=address.user,
            password=address.password,
            database=self.config.server.database,
            port=address.port,
            socket=socket,
            # Go's driver also keeps every byte of an error message; the C library cuts it at the
            # first NUL (TiDB quotes binary values in its messages).
            python_protocol=tester,
        )

    def run_one(self, case: TestCase) -> TestReport:
        started = time.perf_counter()
        if case.skip is not None:
            return TestReport(case, "skip", 0.0, case.skip)
        basedir = self.config.basedir or find_basedir(case.path)
        paths = TestPaths(
            test_file=case.path.resolve(),
            basedir=basedir,
            suite_dir=_suite_dir(case.path.resolve()),
            vardir=self.vardir,
            tmpdir=self.vardir / "tmp",
        )
        profile = self.plugins.dialect(self.dialect.name)
        added = self.plugins.directives.added_names(profile.name)
        try:
            text = case.path.read_bytes()  # once: for the protocol check and for the reader
            # A syntax error stops the test where the test reaches it (ParseError), not before it runs.
            records = profile.read(case.path, display=str(case.path), partial=True, commands=added, data=text).records
        except OSError as exc:
            return TestReport(case, "error", time.perf_counter() - started, f"cannot read {case.path}: {exc.strerror}")
        except TestFileError as exc:
            return TestReport(case, "error", time.perf_counter() - started, str(exc))
        env = dict(self.environment)
        if "MTR_SUITE_DIR" in env:  # the run's MTR environment names the first test; this one is another
            from runner.server.mtr_env import test_identity

            env.update(test_identity(case.path.resolve().parent, case.path))
        for name, value in case.environment:
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        complete = _needs_complete_protocol(case.path, basedir, text, self.protocol_scans)
        base_connect = connect_complete if complete else connect
        own_connect: Callable[[ConnectParams], Connection] = base_connect
        connector = profile.connector(base_connect)
        if self.reach is not None:
            own_connect = self.reach.every_connection(base_connect, "connecting for the test's database")
            connector = self.reach.first_connection(connector)
        database = PerTestDatabase(profile.database_for(case.name), self.connect_params(), own_connect)
        variables = Variables(env)
        for name, value in self.config.variables.items():  # --var NAME=VALUE
            variables.set(name, value)
        test = TestInfo(case, profile.name, self.address, variables, self.vardir,
                        connect=lambda: own_connect(self.connect_params()))
        interpreter = Interpreter(
            dialect=self.dialect,
            paths=paths,
            defaults=self.connect_params(),
            connect=connector,
            variables=variables,
            reap_timeout=self.config.reap_timeout,
            toggles=Toggles(**profile.toggle_defaults),
            profile=profile,
            directives=self.plugins.directives,
            includes=self.includes,
            failpoints=self.failpoints.scope() if self.failpoints is not None else None,
            position=self.position,
            statement_wrapper=self.plugins.statement_wrapper(test),
        )
        try:
            interpreter.defaults = database.create()
            self.plugins.call("tidbrun_test_setup", test=test)
            with working_folder(paths.test_file):
                output = interpreter.run(records)
        except TestSkipped as skipped:
            return TestReport(case, "skip", time.perf_counter() - started, skipped.reason)
        except TestFailure as failure:
            partial = "".join(interpreter.out)
            status: Status = "error" if isinstance(failure, TestInputError) else "fail"
            seconds = time.perf_counter() - started
            return TestReport(
                case, status, seconds, str(failure), output=partial,
                details=interpreter.stderr, context=for_test_failure(case.name, failure.location, interpreter, seconds),
            )
        except ConnectError as exc:
            seconds = time.perf_counter() - started
            attempts = self.reach.last.count if self.reach is not None else 1
            return TestReport(case, "error", seconds, f"cannot connect: {exc}",
                              context=for_exception(case.name, exc, interpreter.defaults, attempts, seconds))
        finally:
            interpreter.close()
            interpreter.stderr.extend(database.drop())
            self.plugins.call("tidbrun_test_teardown", test=test)
            if callable(self.between_tests):
                self.between_tests()
        if interpreter.failpoints is not None and interpreter.failpoints.leaked:
            return TestReport(
                case, "fail", time.perf_counter() - started, "; ".join(interpreter.failpoints.leaked), output=output
            )
        return self._judge(case, output, time.perf_counter() - started)

    def _judge(self, case: TestCase, output: str, seconds: float) -> TestReport:
        verdict: TestReport | None = self.plugins.first(
            "tidbrun_judge", case=case, output=output, seconds=seconds, config=self.config, flavour=self.flavour
        )
        assert verdict is not None  # the built-in judge always answers
        return verdict
