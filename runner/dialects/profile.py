"""Per-dialect behaviour the interpreter, the suite and the linter consult: a few knobs, one place.

The result format itself is the renderer's (``runner.render``); a profile holds what else differs
between mysqltest and mysql-tester: the reader, the command table, default switches, whether
``--error`` outlives other commands, what every new connection runs first, and the per-test
database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from runner.dialects.mysqltest.renderer import MysqltestDialect
from runner.language import parser
from runner.language.parser import ParseResult
from runner.render.base import Dialect
from runner.sessions.driver import ConnectError, Connection, ConnectParams, ServerError

Connector = Callable[[ConnectParams], Connection]
# path, the name failures show, partial (a syntax error ends the records instead of raising), the
# directive names plugins added (commands too), and the file's bytes when the caller has read them
Reader = Callable[[Path, "str | None", bool, frozenset[str], "bytes | None"], ParseResult]

_UNKNOWN_TIME_ZONE = 1298


@dataclass(frozen=True, slots=True)
class ConnectionSetup:
    """Statements every new connection runs before the test uses it.

    ``fallbacks`` maps a statement to the one to run instead when the server rejects it;
    ``probe`` is a query whose success enables ``probe_statements`` (of which ``optional`` ones
    may fail).
    """

    statements: tuple[str, ...] = ()
    fallbacks: Mapping[str, tuple[int, str]] = field(default_factory=dict)
    probe: str | None = None
    probe_statements: tuple[str, ...] = ()
    optional: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.statements or self.probe)

    def apply(self, connection: Connection) -> None:
        # Everything in one round trip first (a server stops a multi-statement at its first
        # error); from the statement that failed on, one at a time with the fallbacks and the probe.
        everything = [*self.statements, *([self.probe] if self.probe else []), *self.probe_statements]
        outcome = connection.execute(";".join(everything))
        if outcome.error is None:
            return
        done = len(outcome.results)
        for sql in self.statements[done:]:
            error = connection.execute(sql).error
            fallback = self.fallbacks.get(sql)
            if error is not None and fallback is not None and error.errno == fallback[0]:
                error = connection.execute(fallback[1]).error
            if error is not None:
                raise ConnectError(_setup_error(sql, error))
        probe_at = len(self.statements)
        if self.probe is None or (done <= probe_at and connection.execute(self.probe).error is not None):
            return
        for sql in self.probe_statements[max(0, done - probe_at - 1) :]:
            error = connection.execute(sql).error
            if error is not None and sql not in self.optional:
                raise ConnectError(_setup_error(sql, error))


def _setup_error(sql: str, error: ServerError) -> ServerError:
    return ServerError(error.errno, error.sqlstate, f"{error.message} (running {sql!r} on a new connection)")


@dataclass(frozen=True, slots=True)
class DialectProfile:
    name: str
    # Recognised but skipped at run time (never run, never echoed).
    ignored_commands: frozenset[str] = frozenset()
    # Toggles fields whose default differs from mysqltest's.
    toggle_defaults: Mapping[str, bool] = field(default_factory=dict)
    # mysqltest drops a pending --error at the next command; mysql-tester keeps it for the next query.
    error_survives_commands: bool = False
    # mysqltest shows warnings only with the result log; mysql-tester shows them regardless.
    warnings_follow_result_log: bool = True
    connection_setup: ConnectionSetup = field(default_factory=ConnectionSetup)
    # The database a test runs in, made before it and dropped after it (None: the run's database).
    database_for: Callable[[str], str | None] = lambda name: None
    # What `--echo <argument>` prints, when it does not depend on variables.
    echo_text: Callable[[str], str] = lambda argument: argument
    # The test-file reader and the result format.
    reader: Reader = lambda path, display, partial, commands, data: (
        parser.parse_file(path, display=display, partial=partial, commands=commands) if data is None else
        parser.parse_text(parser.test_text(data), display or str(path), partial=partial, commands=commands)
    )
    renderer: Callable[[], Dialect] = MysqltestDialect

    def read(
        self, path: Path, display: str | None = None, *, partial: bool = False,
        commands: frozenset[str] = frozenset(), data: bytes | None = None,
    ) -> ParseResult:
        """``partial``: a syntax error ends the records instead of raising, where the dialect's tool
        runs what comes before it (mysqltest does; mysql-tester reads the whole file first).
        ``commands``: directive names plugins added, read as commands. ``data``: the file's bytes,
        when the caller has them (a test file is read once)."""
        return self.reader(path, display, partial, commands, data)

    def connector(self, base: Connector) -> Connector:
        """``base``, followed by the dialect's set-up on each new connection."""
        setup = self.connection_setup
        if not setup:
            return base

        def connect(params: ConnectParams) -> Connection:
            connection = base(params)
            try:
                setup.apply(connection)
            except BaseException:
                connection.close()
                raise
            return connection

        return connect


def _tester_read(
    path: Path, display: str | None, partial: bool, commands: frozenset[str], data: bytes | None
) -> ParseResult:
    from runner.dialects.mysql_tester.reader import parse_tester_file, parse_tester_text, reader_syntax

    if data is None:
        return parse_tester_file(path, display=display, commands=commands)
    return parse_tester_text(data.decode("latin-1"), display or str(path), commands, reader_syntax(path))


def _tester_renderer() -> Dialect:
    from runner.dialects.mysql_tester.renderer import MysqlTesterDialect

    return MysqlTesterDialect()


def tester_database(test_name: str) -> str:
    """``executor/delete`` runs in ``executor__delete``."""
    return test_name.replace("/", "__")


MYSQLTEST = DialectProfile(
    name="mysqltest",
    echo_text=lambda argument: argument.replace("\\\\", "\\"),
)


MYSQL_TESTER = DialectProfile(
    name="mysql-tester",
    # mysql-tester silently ignores the mysqltest commands it does not implement (a test using
    # `--source` or `--sleep` passes without them). tidbrun runs them with its mysqltest
    # handlers instead, and a command neither implements is an error, never a silent skip.
    toggle_defaults={"warnings": False},
    error_survives_commands=True,
    warnings_follow_result_log=False,
    connection_setup=ConnectionSetup(
        statements=(
            # The Go driver's handshake collation, and the DSN's time_zone parameter.
            "SET NAMES utf8mb4 COLLATE utf8mb4_general_ci",
            "SET time_zone = 'Asia/Shanghai'",
        ),
        # A MariaDB/MySQL without time zone tables: the same offset (no DST since 1991).
        fallbacks={"SET time_zone = 'Asia/Shanghai'": (_UNKNOWN_TIME_ZONE, "SET time_zone = '+08:00'")},
        probe="SELECT tidb_version()",
        probe_statements=(
            "SET @@tidb_init_chunk_size=1",
            "SET @@tidb_max_chunk_size=32",
            "SET @@tidb_multi_statement_mode=1",
            "SET @@tidb_hash_join_concurrency=1",
            "SET @@tidb_enable_pseudo_for_outdated_stats=false",
            "SET @@tidb_enable_analyze_snapshot=1",
            "SET @@tidb_enable_clustered_index='int_only'",
        ),
        optional=frozenset({"SET @@tidb_enable_analyze_snapshot=1"}),
    ),
    database_for=tester_database,
    reader=_tester_read,
    renderer=_tester_renderer,
)

PROFILES = {profile.name: profile for profile in (MYSQLTEST, MYSQL_TESTER)}


def profile_named(name: str) -> DialectProfile:
    return PROFILES.get(name, MYSQLTEST)
