"""Walks a test's records: resolves variables, dispatches directives, runs statements.

The interpreter owns the test's state (sessions, toggles, pending one-shot modifiers, output);
handlers in ``runner.engine.directives`` change that state through the methods here.
"""

from __future__ import annotations

import re
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from runner.engine.directives.flow import query_get_value  # shared with let
from runner.engine.expected_errors import ErrorListError, ExpectedErrors, error_name
from runner.engine.outcomes import BreakLoop, TestExit, TestFailure, TestInputError, TestSkipped, os_error_message
from runner.engine.permutations import run_permutations
from runner.engine.position import Position
from runner.engine.state import TOGGLE_VARIABLES, Modifiers, TestPaths, Toggles
from runner.engine.variables import VariableError, Variables, as_int, is_true
from runner.engine.waits import reap_in_time
from runner.errors import PluginError, TestFileError
from runner.faults.proxy import ProxyError
from runner.language.arguments import ArgumentError
from runner.language.includes import IncludeCache
from runner.language.parser import ParseResult
from runner.language.records import Block, Command, EmptyLine, Location, ParseError, Permutations, Query, Record
from runner.render.base import Dialect, ErrorVerdict, View
from runner.render.transforms import Replacer, TransformError
from runner.sessions.driver import ConnectError, Connection, ConnectParams, Outcome, ServerError
from runner.sessions.session import Session, SessionStateError, State, StatementWrapper

if TYPE_CHECKING:
    from runner.dialects.profile import DialectProfile
    from runner.engine.directives.registry import DirectiveRegistry
    from runner.faults.connection_faults import ConnectionFaults
    from runner.server.control import ServerControl
    from runner.sessions.block_monitor import BlockMonitor
    from runner.tidb.failpoints import FailpointScope

_CONNECTION_LOST = frozenset({2006, 2013})
StatementHook = Callable[["Interpreter", Session, View, list[str]], None]
_NO_ERROR_VARIABLES = {"mysql_errno": "0", "mysql_errname": ""}  # after a statement that succeeded
_VARIABLE = re.compile(r"\$[A-Za-z0-9_]+")
_UNSET_AT_START = frozenset({"column_names", "session_track_info"})
# Toggles mysqltest publishes inverted: column_names (it stores "disable_column_names"), and
# session_track_info (mariadb-test 10.11 marks its variable as a reversed one by mistake).
_PUBLISHED_INVERTED = frozenset({"column_names", "session_track_info"})


@dataclass(slots=True)
class Interpreter:
    dialect: Dialect
    paths: TestPaths
    defaults: ConnectParams
    connect: Callable[[ConnectParams], Connection]
    variables: Variables
    profile: DialectProfile  # what differs between mysqltest and mysql-tester: the run gives it
    directives: DirectiveRegistry  # the run's handlers, built-in and plugins' (runner.plugins)
    # Keyed by the sourcing location too: records carry their include chain for failure reports.
    parse_cache: dict[tuple[Path, str, Location, str], ParseResult] = field(default_factory=dict)
    # Under it, the run's: each file parsed once per run (the run gives one to every test).
    includes: IncludeCache = field(default_factory=IncludeCache)
    max_source_depth: int = 16

    out: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    toggles: Toggles = field(default_factory=Toggles)
    modifiers: Modifiers = field(default_factory=Modifiers)
    expected: ExpectedErrors | None = None
    sessions: dict[str, Session] = field(default_factory=dict)
    current: Session | None = None
    charset: str = "latin1"
    send_next: bool = False  # a bare `send` sends the statement after it
    require_file: Path | None = None  # `require`: the next statement's output must equal it
    once: dict[str, bool] = field(default_factory=dict)  # toggles set ONCE, with the value to restore
    _plain_view: View | None = None  # view() without modifiers, until a toggle changes
    statements_run: int = 0
    statement_seconds: float = 0.0  # how long the last statement took on the server (budgets read it)
    failpoints: FailpointScope | None = None  # TiDB's failpoints this test changed
    # The last server error met, with where and on what: for failure reports (runner.faults.context).
    last_error: tuple[Location, str, ServerError] | None = None
    reap_timeout: float = 60.0  # --reap-timeout: seconds a reap (or wait_for_blocked) waits at most
    monitor: BlockMonitor | None = None  # the control connection, opened when first needed
    # Called after each statement that succeeded, with its session, view and output so far: what a
    # directive left waiting for the next statement (optimizer_trace).
    after_statement: list[StatementHook] = field(default_factory=list)
    # enable_reconnect is a connection's own setting in mysqltest (set_reconnect(cur_con->mysql)):
    # toggles.reconnect is the current connection's; the others' wait here.
    reconnect_of: weakref.WeakKeyDictionary[Session, bool] = field(default_factory=weakref.WeakKeyDictionary)
    # The record being run, for the deadline timer (another thread) and its signal handler.
    position: Position = field(default_factory=Position)
    # Around each statement of this test's sessions (the run's statement watchdog); None: none.
    statement_wrapper: StatementWrapper | None = None
    # What a directive module keeps for the rest of the test, under its own name (an open budget).
    directive_state: dict[str, object] = field(default_factory=dict)
    # The embedded server, for the chaos directives (--kill_server...); None on someone else's.
    server_control: ServerControl | None = None
    # The fault proxies of the test's connections, when it cuts or delays them.
    connection_faults: ConnectionFaults | None = None
    _depth: int = 0

    # -- running ---------------------------------------------------------------------------------

    def run(self, records: list[Record]) -> str:
        """Run a whole test; returns its output. Raises TestFailure / TestSkipped."""
        self._builtin_variables()
        self.position.in_body = True
        try:
            self.open_session("default", self.defaults)
            self.run_records(records)
        except TestExit:
            pass
        finally:
            self.position.in_body = False
        return "".join(self.out)

    def _builtin_variables(self) -> None:
        # What mysqltest defines before a test starts: the protocol modes (tidbrun runs the plain
        # text protocol) and the state of every toggle.
        for name in ("PS_PROTOCOL", "SP_PROTOCOL", "VIEW_PROTOCOL", "CURSOR_PROTOCOL", "NON_BLOCKING_API"):
            self.variables.set(name, "0")
        for toggle, variable in TOGGLE_VARIABLES.items():
            if toggle in _UNSET_AT_START:
                continue
            self.variables.set(variable, "1" if getattr(self.toggles, toggle) else "0")
        # mysqltest's own starting values, odd as some are.
        self.variables.set("ENABLED_CONNECT_LOG", "0")
        self.variables.set("mysql_errno", "-1")
        self.variables.set("mysql_errname", "<No error>")
        # Named without a dollar in mysqltest (var_set_string), so exported: a perl block reads
        # $ENV{MYSQLTEST_FILE} to find the test's folder.
        self.variables.set_env("MYSQLTEST_FILE", str(self.paths.test_file))

    def set_toggle(self, field_name: str, value: bool) -> None:
        setattr(self.toggles, field_name, value)
        self._plain_view = None
        variable = TOGGLE_VARIABLES.get(field_name)
        if variable:
            shown = not value if field_name in _PUBLISHED_INVERTED else value
            self.variables.set(variable, "1" if shown else "0")

    def toggle_once(self, field_name: str, value: bool) -> None:
        self.once.setdefault(field_name, getattr(self.toggles, field_name))
        self.set_toggle(field_name, value)

    def _revert_once(self) -> None:
        if self.once:
            for field_name, value in self.once.items():
                self.set_toggle(field_name, value)
            self.once.clear()

    def close(self) -> None:
        if self.failpoints is not None:
            # First: a statement held by a `pause` failpoint only returns once it is off.
            self.stderr.extend(self.failpoints.release())
        if self.server_control is not None:
            # Likewise a statement on a paused server: it must run again before the cleanup.
            self.stderr.extend(self.server_control.release())
        for session in self.sessions.values():
            try:
                session.close()
            except Exception:
                pass
        self.sessions.clear()
        if self.connection_faults is not None:
            self.connection_faults.close()
        if self.monitor is not None:
            self.monitor.close()
            self.monitor = None

    def run_records(self, records: list[Record]) -> None:
        position = self.position
        for record in records:
            position.record = record
            if type(record) is Query:
                self._run_query_record(record)
            elif type(record) is Command:
                self.run_command(record)
            elif type(record) is Block:
                self._run_block(record)
            elif type(record) is EmptyLine:
                # mysqltest's empty-line command ends a pending --error, as any command does.
                if not self.profile.error_survives_commands:
                    self.expected = None
            elif type(record) is Permutations:
                run_permutations(self, record)
            elif type(record) is ParseError:
                raise TestInputError(record.location, record.message)

    def _run_query_record(self, record: Query) -> None:
        self.run_statement(record.sql, record.delimiter, record.location)
        # _after_command(consumed=True), inline: this runs once per statement.
        self.expected = None
        if self.modifiers.any():
            self.modifiers = Modifiers()

    def run_command(self, command: Command) -> None:
        entry = self.directives.lookup(command.name, self.profile.name)
        if entry is None:
            raise TestFailure(command.location, f"command '{command.name}' is not implemented by tidbrun")
        try:
            entry.handler(self, command)
        except (TestFailure, TestSkipped, TestExit, BreakLoop, PluginError):
            raise
        except (VariableError, ErrorListError, TestFileError, TransformError, ArgumentError, ValueError) as exc:
            # ValueError: a handler refusing its argument (a value the test wrote).
            message = exc.message if isinstance(exc, TestFileError) else str(exc)
            raise TestInputError(command.location, message) from None
        except SessionStateError as exc:
            raise TestFailure(command.location, str(exc)) from None
        except OSError as exc:
            if exc.filename is None:  # not a file the test named (a socket, a pipe)
                raise
            raise TestInputError(command.location, os_error_message(command.name, exc)) from None
        except Exception as exc:  # a handler's own error message, with the command's location
            if type(exc).__module__.startswith("runner"):
                raise TestFailure(command.location, str(exc)) from None
            raise
        if command.name != "error" and not self.profile.error_survives_commands:
            self._after_command(consumed=entry.consumes_modifiers)

    def _after_command(self, *, consumed: bool) -> None:
        # mysqltest clears --error after any command but `error`, and the one-shot display
        # modifiers once a command has used them.
        self.expected = None
        if consumed and self.modifiers.any():
            self.modifiers = Modifiers()

    def _run_block(self, block: Block) -> None:
        self.expected = None  # if/while are commands too: they end a pending --error
        if block.kind == "if":
            if self.evaluate_condition(block.condition, block.location):
                self.run_records(block.body)
            return
        while self.evaluate_condition(block.condition, block.location):
            try:
                self.run_records(block.body)
            except BreakLoop:
                break

    # -- statements: the hot path ---------------------------------------------------------------

    def view(self) -> View:
        """How the next output is shown. Without one-shot modifiers this is the same View until a
        toggle changes, so the per-statement path reuses it instead of building one each time."""
        toggles, mods = self.toggles, self.modifiers
        if not mods.any() and self._plain_view is not None:
            return self._plain_view
        view = View(
            result_log=toggles.result_log,
            warnings=toggles.warnings,
            info=toggles.info,
            session_track=toggles.session_track_info,
            metadata=toggles.metadata,
            column_names=toggles.column_names,
            vertical=toggles.vertical if mods.vertical is None else mods.vertical,
            sorted=mods.sorted,
            lowercase=mods.lowercase,
            replace=Replacer(mods.regexes, mods.strings),
            replace_column=mods.replace_column,
        )
        if not mods.any():
            self._plain_view = view
        return view

    def take_expected(self) -> ExpectedErrors | None:
        expected, self.expected = self.expected, None
        return expected

    def run_statement(
        self,
        sql: str,
        delimiter: str,
        location: Location,
        *,
        mode: str = "query",
        shown: str | None = None,
        written: str | None = None,
    ) -> None:
        """Echo, run and render one statement. ``mode``: query, send (no result yet) or reap.

        ``shown`` is the text to log when it differs from what runs (evalp); ``written`` is the
        statement as the test wrote it, which failure messages quote (eval)."""
        if self.send_next and mode == "query":
            # A bare `send` sends whatever statement comes next (plain SQL or eval).
            self.send_next = False
            mode = "send"
        # session(), view() and take_expected(), inline: this runs once per statement.
        session = self.current
        if session is None:
            raise TestFailure(location, "no current connection")
        view = self._plain_view
        if view is None or self.modifiers.any():
            view = self.view()
        expected, self.expected = self.expected, None
        chunks: list[str] = []
        if self.toggles.query_log and mode != "reap":
            chunks.append(self.dialect.statement(sql if shown is None else shown, delimiter, view))
        quoted = "reap" if mode == "reap" else (written if written is not None else sql)
        try:
            if session.state is State.CLOSED:
                outcome = Outcome(error=ServerError(2006, "000000", "MariaDB server has gone away"))
            elif mode == "send":
                session.send(sql)
                return
            else:
                started = time.perf_counter()
                outcome = reap_in_time(self, session, location) if mode == "reap" else session.execute(sql)
                self.statement_seconds = time.perf_counter() - started
                if outcome.error and outcome.error.errno in _CONNECTION_LOST and self.toggles.reconnect:
                    # enable_reconnect: like libmysqlclient, reconnect and send the statement again;
                    # a server not back yet fails the statement with the connect error (2002...).
                    try:
                        session.reconnect()
                    except ConnectError as exc:
                        outcome = Outcome(error=exc.error)
                    else:
                        outcome = session.execute(sql)
                self.statements_run += 1
            self.handle_outcome(outcome, expected, view, chunks, quoted, location, session)
            if self.require_file is not None:
                self._check_require(chunks, location)
                chunks.clear()
        except SessionStateError as exc:
            raise TestFailure(location, str(exc)) from None
        finally:
            # What was written before a failure is part of the output a failure report shows.
            if view.lowercase:
                self._emit(chunks, view)
            else:
                self.out.extend(chunks)
            if self.once:
                self._revert_once()

    def _check_require(self, chunks: list[str], location: Location) -> None:
        """mysqltest's `require`: the statement's output is checked against a file, not logged."""
        path, self.require_file = self.require_file, None
        assert path is not None
        try:
            wanted = path.read_bytes().decode("latin-1")
        except OSError as exc:
            raise TestFailure(location, f"cannot read require file {path}: {exc.strerror}") from None
        if "".join(chunks) != wanted:
            chunks.clear()
            raise TestSkipped(f"Test requires: '{path.stem}'", location)

    def _emit(self, chunks: list[str], view: View) -> None:
        if view.lowercase:
            self.out.append("".join(chunks).lower())
        else:
            self.out.extend(chunks)

    def handle_outcome(
        self,
        outcome: Outcome,
        expected: ExpectedErrors | None,
        view: View,
        chunks: list[str],
        sql: str,
        location: Location,
        session: Session,
    ) -> None:
        error = outcome.error
        if error is None:
            self.variables.update(_NO_ERROR_VARIABLES)  # set_error_variables(0), in one step
            if expected is not None and not expected.accepts_success:
                what = "error" if isinstance(expected.codes[0], int) else "sqlstate"
                raise TestFailure(
                    location, f"query '{sql}' succeeded - should have failed with {what} {expected.describe_first()}..."
                )
            # None: the statement raised no warning. A list, even empty: it did (SHOW WARNINGS can
            # come back empty with max_error_count=0, and mysqltest still prints "Warnings:").
            warnings: list[tuple[str, str, str]] | None = None
            if outcome.warning_count and view.warnings and (
                view.result_log or not self.profile.warnings_follow_result_log
            ):
                warnings = self.fetch_warnings(session)
            chunks.append(self.dialect.outcome(outcome, warnings, view))
            if self.after_statement:
                for hook in list(self.after_statement):
                    hook(self, session, view, chunks)
            return
        if outcome.results:
            chunks.append(self.dialect.results(outcome.results, view))
        self.accept_error(error, expected, view, chunks, f"query '{sql}'", location)

    def accept_error(
        self,
        error: ServerError,
        expected: ExpectedErrors | None,
        view: View,
        chunks: list[str],
        what: str,
        location: Location,
    ) -> None:
        """Render an error the test allows, or stop the test as mysqltest's handle_error does."""
        self.set_error_variables(error.errno)
        self.last_error = (location, what, error)
        name = error_name(error.errno)
        if expected is not None:
            if expected.matches(error.errno, error.sqlstate):
                verdict = ErrorVerdict(True, len(expected.codes), expected.first_is_success)
                chunks.append(self.dialect.error(error, verdict, view))
                return
            first = expected.codes[0]
            if isinstance(first, int):
                raise TestFailure(
                    location,
                    f"{what} failed with wrong errno {name} ({error.errno}): '{error.message}', "
                    f"instead of {expected.describe_first()}...",
                )
            raise TestFailure(
                location,
                f"{what} failed with wrong sqlstate {error.sqlstate}: '{error.message}', instead of {first}...",
            )
        if self.toggles.abort_on_error:
            raise TestFailure(location, f"{what} failed: {name} ({error.errno}): {error.message}")
        chunks.append(self.dialect.error(error, ErrorVerdict(False, 0, False), view))

    def set_error_variables(self, errno: int) -> None:
        if not errno:
            self.variables.update(_NO_ERROR_VARIABLES)
            return
        self.variables.set("mysql_errno", str(errno))
        self.variables.set("mysql_errname", error_name(errno))

    def fetch_warnings(self, session: Session) -> list[tuple[str, str, str]]:
        outcome = session.execute("SHOW WARNINGS")
        if outcome.error or not outcome.results:
            return []
        return [tuple("" if v is None else v for v in row[:3]) for row in outcome.results[0].rows]  # type: ignore[misc]

    # -- values -----------------------------------------------------------------------------------

    def expand(self, text: str) -> str:
        return self.variables.expand(text)

    def query_rows(self, sql: str, location: Location) -> tuple[list[str], list[tuple[str | None, ...]]]:
        """Run a statement for its value (backticks, query_get_value): errors stop the test."""
        session = self.session(location)
        try:
            outcome = session.execute(sql)
        except SessionStateError as exc:
            raise TestFailure(location, str(exc)) from None
        if outcome.error is not None:
            err = outcome.error
            self.last_error = (location, f"query '{sql}'", err)
            raise TestFailure(location, f"Error running query '{sql}': {err.errno} {err.message}")
        for result in outcome.results:
            if result.columns is not None:
                return [c.name for c in result.columns], result.rows
        return [], []

    def backtick_value(self, sql: str, location: Location) -> str:
        """The first row of a query, TAB-joined (NULL is empty); pending replacements apply."""
        _, rows = self.query_rows(sql, location)
        if not rows or rows[0][0] is None:
            return ""  # mysqltest takes a row whose first value is NULL as no row
        replace = Replacer(self.modifiers.regexes, self.modifiers.strings)
        values = ["" if v is None else v for v in rows[0]]
        if replace:
            values = [replace(v) for v in values]
        return "\t".join(values)

    def evaluate(self, text: str, location: Location) -> str:
        """A let/if operand: `query`, $var, query_get_value(...) or plain text, expanded once."""
        stripped = text.strip()
        if stripped.startswith("`"):
            close = stripped.rfind("`")
            if close <= 0:
                raise TestFailure(location, f"missing closing backtick in: {stripped}")
            return self.backtick_value(self.expand(stripped[1:close]), location)
        if stripped.startswith("query_get_value"):
            return query_get_value(self, stripped, location)
        return self.expand(text)

    def evaluate_condition(self, condition: str, location: Location) -> bool:
        text = condition.strip()
        negate = False
        if text.startswith("!"):
            negate = True
            text = text[1:].lstrip()
        if text.startswith("$("):
            return self._expression_condition(text, location) != negate
        for op in ("==", "!=", "<=", ">=", "<", ">"):
            left, sep, right = _split_operator(text, op)
            if sep:
                lvalue = self._operand(left.strip(), location)
                rvalue = self._operand(right.strip(), location)
                result = self._compare(lvalue, op, rvalue, location)
                return result != negate
        value = self._operand(text, location)
        return is_true(value) != negate

    def _expression_condition(self, text: str, location: Location) -> bool:
        """``if ($(expr))``: mysqltest takes the expression only as the whole condition."""
        from runner.engine.expressions import ExpressionError, closing_paren  # only tests with $(...) need it
        from runner.engine.expressions import is_true as expression_is_true

        close = closing_paren(text, 1)
        if close is None or text[close + 1 :].strip():
            raise TestFailure(location, "Expression evaluator $(...) must be the entire condition")
        try:
            return expression_is_true(self.expand(text))
        except (ExpressionError, VariableError) as exc:
            raise TestFailure(location, str(exc)) from None

    def _operand(self, text: str, location: Location) -> str:
        """One side of an if/while condition: $var (alone), `query`, 'quoted' or plain text."""
        if text.startswith("$("):  # mysqltest reads it as a variable with an empty name
            raise TestFailure(location, "Empty variable")
        if text.startswith("$"):
            match = _VARIABLE.match(text)
            if match is not None and match.end() != len(text):
                raise TestFailure(location, f"Found junk '{text[match.end():]}' after $variable in expression")
            return self.expand(text)
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
            return self.expand(text[1:-1])
        return self.evaluate(text, location)

    def _compare(self, left: str, op: str, right: str, location: Location) -> bool:
        lnum, rnum = as_int(left), as_int(right)
        if lnum is not None and rnum is not None:
            return {
                "==": lnum == rnum, "!=": lnum != rnum, "<": lnum < rnum,
                "<=": lnum <= rnum, ">": lnum > rnum, ">=": lnum >= rnum,
            }[op]
        if op == "==":
            return left == right
        if op == "!=":
            return left != right
        raise TestFailure(location, "only == and != are supported for string values")

    # -- sessions ---------------------------------------------------------------------------------

    def session(self, location: Location | None = None) -> Session:
        if self.current is None:
            raise TestFailure(location, "no current connection")
        return self.current

    def open_session(self, name: str, params: ConnectParams) -> Session:
        session = Session(name, self.route(name, params, None), self.connect, self.statement_wrapper)
        session.connect()
        self.sessions[name] = session
        self.switch_to(session)
        return session

    def route(self, name: str, params: ConnectParams, location: Location | None) -> ConnectParams:
        """``params`` for the connection ``name``: through a fault proxy of its own when the test
        cuts or delays connections."""
        faults = self.connection_faults
        if faults is None:
            return params
        try:
            return faults.route(name, params)
        except ProxyError as exc:
            raise TestFailure(location, str(exc)) from None

    def switch_to(self, session: Session) -> None:
        if self.current is not None:
            self.reconnect_of[self.current] = self.toggles.reconnect
        self.toggles.reconnect = self.reconnect_of.get(session, False)
        self.current = session
        self.variables.set("CURRENT_CONNECTION", session.name)
        self.variables.set("mysql_get_server_version", str(session.server_version))

    def session_named(self, name: str, location: Location) -> Session:
        session = self.sessions.get(name)
        if session is None:
            raise TestInputError(location, f"connection '{name}' not found in connection pool")
        return session

    # -- sourcing ---------------------------------------------------------------------------------

    def resolve_source(self, name: str, location: Location) -> Path:
        path = Path(name)
        if path.is_absolute():
            candidates = [path]
        else:
            # The test file's own lines are located by the name it was given (maybe relative to
            # where tidbrun started, while the test may run elsewhere: runner.run.working_folder).
            here = self.paths.test_file.parent if location.parent is None else Path(location.file).parent
            candidates = [here / path, self.paths.suite_dir / path, self.paths.basedir / path, Path.cwd() / path]
        for candidate in candidates:
            if candidate.is_file():
                return candidate
        raise TestInputError(location, f"could not open '{name}' for reading (source)")

    def source(self, path: Path, location: Location, delimiter: str) -> None:
        if self._depth >= self.max_source_depth:
            raise TestFailure(location, "source directives are nesting too deep")
        key = (path, delimiter, location, self.charset)
        parsed = self.parse_cache.get(key)
        if parsed is None:
            parsed = self.includes.read(
                path, location, delimiter=delimiter, charset=self.charset,
                commands=self.directives.added_names(self.profile.name),
            )
            self.parse_cache[key] = parsed
        self._depth += 1
        try:
            self.run_records(parsed.records)
        finally:
            self._depth -= 1

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def _split_operator(text: str, op: str) -> tuple[str, str, str]:
    """Split at ``op`` outside backticks and quotes."""
    quote = ""
    i = 0
    while i < len(text):
        c = text[i]
        if quote:
            if c == quote:
                quote = ""
        elif c in "`'\"":
            quote = c
        elif text.startswith(op, i):
            if op in ("<", ">") and text[i + 1 : i + 2] == "=":
                i += 2
                continue
            if op in ("<", ">") and i > 0 and text[i - 1] in "<>!=":
                i += 1
                continue
            return text[:i], op, text[i + len(op) :]
        i += 1
    return text, "", ""
