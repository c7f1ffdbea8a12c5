"""Opening short-lived administrative connections to a server."""

from __future__ import annotations

import os
from contextvars import ContextVar
from typing import Any

import mysql.connector

from runner.server.address import ServerAddress

# The time limit of one attempt of a housekeeping step (runner.faults.reach): every administrative
# connection opened meanwhile gets it as its connect, read and write timeout, so a hung server
# fails the attempt instead of holding the run.
ATTEMPT_LIMIT: ContextVar[float | None] = ContextVar("tidbrun_attempt_limit", default=None)


def open_connection(
    address: ServerAddress,
    *,
    database: str | None = None,
    autocommit: bool = True,
    connect_timeout: float = 5.0,
) -> Any:
    """Connect to ``address``: over its unix socket when the socket file exists, else over TCP.

    Returns the driver's connection (the C-extension class when it is available).
    """
    use_socket = address.socket is not None and os.path.exists(address.socket)
    kwargs = address.connect_kwargs(prefer_socket=use_socket)
    kwargs["autocommit"] = autocommit
    # Named, so the driver does not pick a MySQL 8 collation for a server reporting an old
    # version (tests start servers with --version=10.2.1-MariaDB).
    kwargs.setdefault("charset", "utf8mb4")
    kwargs.setdefault("collation", "utf8mb4_general_ci")
    kwargs["connection_timeout"] = max(1, int(connect_timeout))
    limit = ATTEMPT_LIMIT.get()
    if limit is not None:
        kwargs["connection_timeout"] = max(1, min(kwargs["connection_timeout"], int(limit)))
        kwargs["read_timeout"] = kwargs["write_timeout"] = max(1, int(limit))
    if database is not None:
        kwargs["database"] = database
    return mysql.connector.connect(**kwargs)


def query_rows(conn: Any, sql: str) -> list[tuple[Any, ...]]:
    """Run one statement and return all rows of its (first) result set."""
    cur = conn.cursor()
    try:
        cur.execute(sql)
        return list(cur.fetchall()) if cur.with_rows else []
    finally:
        cur.close()


def execute(conn: Any, sql: str) -> None:
    """Run one statement whose result, if any, does not matter."""
    cur = conn.cursor()
    try:
        cur.execute(sql)
        if cur.with_rows:
            cur.fetchall()
    finally:
        cur.close()
