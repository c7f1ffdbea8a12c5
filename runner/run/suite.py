"""Finding tests, running each one against a server, and judging its output."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from runner.config.run_config import RunConfig
from runner.engine.interpreter import Interpreter
from runner.engine.outcomes import TestFailure, TestInputError, TestSkipped
from runner.engine.position import Position
from runner.engine.state import TestPaths, Toggles
from runner.engine.variables import Variables
from runner.errors import TestFileError
from runner.faults.connection_faults import ConnectionFaults
from runner.faults.context import for_exception, for_test_failure
from runner.faults.reach import Reach
from runner.judge.compare import collation_result_path, is_collation_test
from runner.language.includes import IncludeCache
from runner.plugins import Plugins
from runner.plugins import current as current_plugins
from runner.render.base import Dialect
from runner.run.kind import Loading, TestRun
from runner.run.per_test_database import PerTestDatabase
from runner.run.records import Status, TestCase, TestReport
from runner.run.testinfo import TestInfo
from runner.run.working_folder import working_folder
from runner.server.address import ServerAddress
from runner.sessions.driver import ConnectError, Connection, ConnectParams, connect, connect_complete
from runner.tidb.failpoints import FailpointAPI

if TYPE_CHECKING:
    from runner.language.records import Record
    from runner.server.control import ServerControl


def discover(paths: list[Path], result_file: Path | None = None) -> list[TestCase]:
    """Test files named, or every test file of a registered kind in a folder (its ``t/`` when it
    has one), in name order."""
    kinds = current_plugins().kinds
    cases: list[TestCase] = []
    for path in paths:
        if path.is_dir():
            folder = path / "t" if (path / "t").is_dir() else path
            files = kinds.files_in(folder)
        else:
            files = [path]
        for file in files:
            kind = kinds.of(file)
            cases.append(TestCase(file, _test_name(file, kind.bare_name(file)), result_file or kind.result_path(file)))
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


def _test_name(path: Path, bare: str) -> str:
    parts = path.with_name(bare).parts
    if "t" in parts:
        index = len(parts) - 1 - parts[::-1].index("t")
        return "/".join(parts[index + 1 :])
    return path.stem


_SOURCE_LINE = re.compile(rb"^[ \t]*(?:--[ \t]*)?source[ \t]+([^\s;$]+)", re.MULTILINE | re.IGNORECASE)


# What only the pure-Python protocol shows as mariadb-test does. information_schema's
# query_cache_info shows the client's capability flags, and libmysqlclient cannot ask for MariaDB's
# extended metadata as libmariadb does.
_COMPLETE_PROTOCOL_MARKS = (b"enable_info", b"enable_metadata", b"enable_session_track_info", b"query_cache_info")
# The directives that need the test's connections to go through fault proxies.
_CONNECTION_FAULT_MARKS = (b"cut_connection", b"delay_connection", b"heal_connection")
_MARKS = _COMPLETE_PROTOCOL_MARKS + _CONNECTION_FAULT_MARKS


# A file's scan: the marks it has, and the files it sources; by path, mtime, size.
Scans = dict[tuple[Path, int, int], tuple[frozenset[bytes], list[bytes]]]


def _scan(text: bytes) -> tuple[frozenset[bytes], list[bytes]]:
    return frozenset(mark for mark in _MARKS if mark in text), _SOURCE_LINE.findall(text)


def _is_file(path: Path) -> bool:
    """``is_file`` that takes any error (a name too long for the system) as "no such file": this
    scan only looks; the ``source`` itself reports the error at its line."""
    try:
        return path.is_file()
    except OSError:
        return False


def _needs_complete_protocol(test: Path, basedir: Path, text: bytes, scans: Scans | None = None) -> bool:
    """The C extension has no mysql_info(), drops column lengths and MariaDB's extended type
    info, gives no session state changes and negotiates other capabilities than libmariadb; the
    few tests that show these (themselves or in a file they source) run on the pure-Python protocol.

    ``text`` is the test's (read once, for this and the reader); the files it sources are scanned
    once per run (``scans``)."""
    return bool(_marks_in(test, basedir, text, scans).intersection(_COMPLETE_PROTOCOL_MARKS))


def _cuts_connections(marks: frozenset[bytes]) -> bool:
    """Whether the test (or a file it sources) cuts, delays or heals connections: then each of
    its connections goes through a fault proxy of its own."""
    return bool(marks.intersection(_CONNECTION_FAULT_MARKS))


def _marks_in(test: Path, basedir: Path, text: bytes, scans: Scans | None) -> frozenset[bytes]:
    """The marks in the test's ``text`` and in the files it sources."""
    scans = {} if scans is None else scans
    seen: set[Path] = {test}
    found, names = _scan(text)
    pending = [(test, name) for name in names]
    while pending:
        source, name = pending.pop()
        relative = Path(name.decode("latin-1").strip("'\""))
        path = next((folder / relative for folder in (source.parent, test.parent, _suite_dir(test), basedir)
                     if _is_file(folder / relative)), None)  # as `source` resolves
        if path is None:
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
        found |= scanned[0]
        pending.extend((path, sourced) for sourced in scanned[1])
    return found


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
    server_control: ServerControl | None = None  # the embedded server, for the chaos directives

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
        # A syntax error stops the test where the test reaches it (ParseError), not before it runs.
        loading = Loading(
            read=lambda data: profile.read(case.path, display=str(case.path), partial=True, commands=added,
                                           data=data).records,
            variables=self.config.variables,
        )
        try:
            loaded = self.plugins.kinds.of(case.path).load(case, loading)
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
        marks = _marks_in(case.path, basedir, loaded.text, self.protocol_scans)
        complete = bool(marks.intersection(_COMPLETE_PROTOCOL_MARKS))
        base_connect = connect_complete if complete else connect
        own_connect: Callable[[ConnectParams], Connection] = base_connect
        connector = profile.connector(base_connect)
        if self.reach is not None:
            own_connect = self.reach.every_connection(base_connect, "connecting for the test's database")
            connector = self.reach.first_connection(connector)
        database = PerTestDatabase(profile.database_for(case.name), self.connect_params(), own_connect)
        variables = Variables(env)
        parameters = {**self.config.variables, **dict(case.parameters)}  # --var, a template's combination
        for name, value in parameters.items():
            variables.set(name, value)
        test = TestInfo(case, profile.name, self.address, variables, self.vardir,
                        connect=lambda: own_connect(self.connect_params()), options=self.config.options)
        test_wrapper = self.plugins.statement_wrapper(test)
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
            statement_wrapper=test_wrapper,
            server_control=self.server_control,
            connection_faults=ConnectionFaults() if _cuts_connections(marks) else None,
        )
        try:
            interpreter.defaults = database.create()
            self.plugins.call("tidbrun_test_setup", test=test)
            kind_connect = profile.connector(base_connect)
            if self.reach is not None:
                kind_connect = self.reach.every_connection(kind_connect, "opening a machine's connection")

            def script(records: list[Record]) -> str:
                with working_folder(paths.test_file):
                    return interpreter.run(records)

            output = loaded.run(TestRun(
                case, interpreter.defaults, kind_connect, parameters, interpreter.out, self.config.reap_timeout,
                self.position, test_wrapper, interpreter.failpoints, script,
            ))
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
