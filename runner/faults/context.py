"""What a failure report says besides its message: where, what, on which connection, and how often.

The same record goes to the terminal, the log and the report file. It names the host, port and
user of the connection, never its password: nothing here reads a password, and ConnectParams /
ServerAddress keep theirs out of their repr.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from runner.faults.classify import classify, error_fields

if TYPE_CHECKING:
    from runner.engine.interpreter import Interpreter
    from runner.language.records import Location
    from runner.sessions.driver import ConnectParams, ServerError

_QUOTED_STATEMENT = re.compile(r"^query '(.*)'$", re.DOTALL)
_MAX_STATEMENT = 500


@dataclass(slots=True)
class FailureContext:
    test: str
    location: str = ""  # file:line (with the include chain)
    statement: str = ""
    connection: str = ""  # the test's name for it: default, con1...
    host: str = ""
    port: int | None = None
    socket: str = ""
    user: str = ""
    attempts: int = 1
    elapsed: float = 0.0  # seconds from the start of the test (or of the connecting) to the failure
    errno: int | None = None
    sqlstate: str = ""
    error: str = ""  # the server's (or client library's) message
    kind: str = ""  # transient / permanent / unknown, when there is an error number

    def lines(self) -> list[str]:
        """For the terminal: a few short lines, only the fields that are known."""
        out = []
        where = f"test {self.test}" + (f" at {self.location}" if self.location else "")
        out.append(where)
        if self.statement:
            out.append(f"statement: {_one_line(self.statement)}")
        endpoint = self.endpoint()
        if self.connection or endpoint:
            name = f"'{self.connection}' " if self.connection else ""
            out.append(f"connection {name}{endpoint}".rstrip())
        if self.errno is not None:
            state = f" ({self.sqlstate})" if self.sqlstate else ""
            kind = f" [{self.kind}]" if self.kind else ""
            out.append(f"error {self.errno}{state}{kind}: {_one_line(self.error)}")
        out.append(f"attempts {self.attempts}, elapsed {self.elapsed:.2f} s")
        return out

    def endpoint(self) -> str:
        if not self.user and not self.host and not self.socket:
            return ""
        where = f"{self.host or 'localhost'}:{self.port}" if self.port else (self.host or "localhost")
        if self.socket:
            where += f" (socket {self.socket})"
        return f"{self.user}@{where}" if self.user else where

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def log_text(self) -> str:
        return "; ".join(self.lines())


def _one_line(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _MAX_STATEMENT else flat[: _MAX_STATEMENT - 3] + "..."


def _statement_of(what: str) -> str:
    match = _QUOTED_STATEMENT.match(what)
    return match.group(1) if match else what


def with_params(context: FailureContext, params: ConnectParams | None) -> FailureContext:
    if params is not None:
        context.host = params.host
        context.port = params.port or None
        context.socket = (params.socket or "") if params.uses_socket() else ""
        context.user = params.user
    return context


def with_error(context: FailureContext, errno: int | None, sqlstate: str | None, message: str) -> FailureContext:
    context.errno = errno
    context.sqlstate = sqlstate or ""
    context.error = message
    context.kind = classify(errno, sqlstate) if errno is not None or sqlstate else ""
    return context


def for_test_failure(
    test: str, location: Location | None, interpreter: Interpreter | None, elapsed: float
) -> FailureContext:
    """The context of a test that stopped: its location, the current connection and the server
    error the interpreter last met (when the failure came from one)."""
    context = FailureContext(test=test, location=location.describe() if location else "", elapsed=elapsed)
    if interpreter is None:
        return context
    session = interpreter.current
    if session is not None:
        context.connection = session.name
        with_params(context, session.params)
        if session.current_user:
            context.user = session.current_user
    # The interpreter notes the last server error it met, with where; an older one (accepted by
    # --error, say) is not this failure's.
    last: tuple[Location, str, ServerError] | None = getattr(interpreter, "last_error", None)
    if last is not None and (location is None or last[0] == location):
        _, what, error = last
        context.statement = _statement_of(what)
        with_error(context, error.errno, error.sqlstate, error.message)
    return context


def for_exception(
    test: str, exc: BaseException, params: ConnectParams | None, attempts: int, elapsed: float
) -> FailureContext:
    """The context of a failure to reach the server (connect, breaker, housekeeping)."""
    context = with_params(FailureContext(test=test, attempts=attempts, elapsed=elapsed), params)
    errno, sqlstate, message = error_fields(exc)
    return with_error(context, errno, sqlstate, message)
