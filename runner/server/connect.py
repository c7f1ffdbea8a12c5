"""Short-lived administrative connections to a server: tidbrun's own housekeeping queries.

They go through tidbrun's database trait (``runner.sessions.driver``), not mysql-connector-python's cursor
API: importing that package is a fair part of tidbrun's start, and its connect sends ``SET NAMES``
and ``SET autocommit`` before the first query. Here statements and values are text, UTF-8 on the wire.
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from typing import Any

from runner.server.address import ServerAddress
from runner.sessions.driver import ENCODING, ConnectError, Connection, ConnectParams, Outcome, Row, ServerError, connect

# The time limit of one attempt of a housekeeping step (runner.faults.reach): every administrative
# connection opened meanwhile gets it as its connect, read and write timeout, so a hung server
# fails the attempt instead of holding the run.
ATTEMPT_LIMIT: ContextVar[float | None] = ContextVar("tidbrun_attempt_limit", default=None)

# utf8mb3, under the name both drivers know (the pure-Python one's pre-8.0 table lacks "utf8mb3").
# Not utf8mb4: libmysqlclient sends it as MySQL 8's default collation (255), which MariaDB does not
# know and silently replaces by the server's character set (latin1; utf16 under some tests'
# options), turning non-Latin database and user names into '?'. Identifiers are utf8mb3 anyway.
CHARSET = "utf8"

# Values are str, None for NULL; typed loosely as callers know which columns can be NULL.
TextRow = tuple[Any, ...]


class AdminError(Exception):
    """A server or client error on an administrative connection. ``errno``, ``sqlstate`` and
    ``msg`` are what ``runner.faults.classify`` reads to decide on retries and the breaker."""

    def __init__(self, errno: int, sqlstate: str, msg: str) -> None:
        super().__init__(f"{errno} ({sqlstate}): {msg}")
        self.errno = errno
        self.sqlstate = sqlstate
        self.msg = msg

    @classmethod
    def of(cls, error: ServerError) -> AdminError:
        return cls(error.errno, error.sqlstate, text(error.message))


def text(value: str) -> str:
    """A driver value (one character a byte) as the UTF-8 text it carries."""
    try:
        return value.encode(ENCODING).decode("utf-8", "replace")
    except UnicodeEncodeError:  # already text
        return value


class AdminConnection:
    """One administrative connection. A statement's error raises ``AdminError``."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def _run(self, sql: str) -> Outcome:
        outcome = self._connection.execute(sql.encode("utf-8").decode(ENCODING))
        if outcome.error is not None:
            raise AdminError.of(outcome.error)
        return outcome

    def execute(self, sql: str) -> None:
        """Run one statement whose result, if any, does not matter."""
        self._run(sql)

    def query_rows(self, sql: str) -> list[TextRow]:
        """The rows of the statement's first result set."""
        return [_text_row(row) for row in self.raw_rows(sql)]

    def raw_rows(self, sql: str) -> list[tuple[Any, ...]]:
        """``query_rows`` undecoded, for binary values: ``value.encode("latin-1")`` is the bytes."""
        results = [result for result in self._run(sql).results if result.columns is not None]
        return results[0].rows if results else []

    def result_sets(self, sql: str) -> list[tuple[list[str], list[TextRow]]]:
        """Every result set of the statement (a procedure's several): column names and rows."""
        return [
            ([text(column.name) for column in result.columns], [_text_row(row) for row in result.rows])
            for result in self._run(sql).results
            if result.columns is not None
        ]

    def ping(self) -> bool:
        return self._connection.ping()

    def close(self) -> None:
        self._connection.close()


def _text_row(row: Row) -> TextRow:
    return tuple(None if value is None else text(value) for value in row)


def connect_params(
    address: ServerAddress, *, database: str | None = None, connect_timeout: float = 5.0
) -> ConnectParams:
    """Over the unix socket when the socket file exists, else over TCP. Holds the password (the
    params keep it out of their repr)."""
    use_socket = address.socket is not None and os.path.exists(address.socket)
    timeout = max(1, int(connect_timeout))
    io_timeout = 0  # no limit
    limit = ATTEMPT_LIMIT.get()
    if limit is not None:
        timeout = max(1, min(timeout, int(limit)))
        io_timeout = max(1, int(limit))
    return ConnectParams(
        host="localhost" if use_socket else address.host,
        socket=address.socket if use_socket else None,
        port=address.port,
        user=address.user,
        password=address.password,
        database=database or "",
        connect_timeout=timeout,
        read_timeout=io_timeout,
        write_timeout=io_timeout,
        charset=CHARSET,
    )


def open_connection(
    address: ServerAddress,
    *,
    database: str | None = None,
    autocommit: bool | None = None,
    connect_timeout: float = 5.0,
) -> AdminConnection:
    """Connect to ``address``. ``autocommit`` None leaves the server's default, saving a round trip;
    a server started with ``--autocommit=0`` then gives a session in multi-statement mode."""
    try:
        conn = AdminConnection(connect(connect_params(address, database=database, connect_timeout=connect_timeout)))
    except ConnectError as exc:
        raise AdminError.of(exc.error) from None
    if autocommit is not None:
        try:
            conn.execute(f"SET SESSION autocommit={int(autocommit)}")
        except AdminError:
            conn.close()
            raise
    return conn
