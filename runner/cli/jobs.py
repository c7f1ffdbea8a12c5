"""``tidbrun jobs``: watch a server's asynchronous work (options in, the monitor started)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from runner.cli.options import ResolvedCommand, resolution
from runner.config.run_config import server_from_environment
from runner.config.settings import settle
from runner.errors import ServerUnavailable
from runner.server.address import ServerAddress
from runner.server.connect import AdminConnection, AdminError, open_connection
from runner.server.flavour import query_flavour
from runner.tidb.jobs import JobWatcher, Query, QueryError, Rows
from runner.tidb.jobs_view import Monitor

HELP = """Watch a server's asynchronous work until --duration is over (or Ctrl-C).

TiDB: ADMIN SHOW DDL JOBS and SHOW IMPORT JOBS (running and queued jobs, and each job once more
when it ends). MariaDB/MySQL: the statements running now, with ALTER TABLE / LOAD DATA progress
from the processlist. On a terminal the table is redrawn in place; otherwise one line per job
per poll. With no --host/--port/--socket (nor TIDB_HOST, TIDB_PORT or the config file's [server]):
127.0.0.1:4000, TiDB's port.
"""

DEFAULT_PORT = 4000

app = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False, help=HELP)


@app.command(help=HELP, cls=ResolvedCommand)
def jobs(
    ctx: typer.Context,
    duration: Annotated[float, typer.Option(help="Seconds to watch; 0 watches until Ctrl-C.", min=0)] = 0,
    interval: Annotated[float, typer.Option(help="Seconds between polls.", min=0.05)] = 2.0,
    details: Annotated[bool, typer.Option("--details", help="Every column of every job, statements in full.")] = False,
    host: Annotated[str | None, typer.Option(help="Server host (env TIDB_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Server port (env TIDB_PORT; default 4000).")] = None,
    user: Annotated[str | None, typer.Option(help="User (env TIDB_USER; default root).")] = None,
    password: Annotated[str | None, typer.Option(help="Password (env TIDB_PASSWORD).", show_default=False)] = None,
    socket: Annotated[str | None, typer.Option(help="Unix socket of the server.")] = None,
) -> None:
    settings = server_from_environment(host, port, user, settle(resolution(ctx)).password, socket, None)
    address = ServerAddress(
        host=settings.host or "127.0.0.1",
        port=settings.port or DEFAULT_PORT,
        socket=settings.socket,
        user=settings.user,
        password=settings.password,
    )
    where = address.socket or f"{address.host}:{address.port}"
    try:
        # Polls on one connection for long: a server started with autocommit off must not give
        # it a snapshot that never moves.
        conn = open_connection(address, autocommit=True)
    except AdminError as exc:
        raise ServerUnavailable(f"jobs: cannot connect to {where}: {exc}") from None
    try:
        flavour = query_flavour(conn)
        monitor = Monitor(
            JobWatcher(connection_query(conn), flavour),
            stream=sys.stdout,
            terminal=sys.stdout.isatty(),
            details=details,
            title=f"tidbrun jobs on {where} ({flavour}),",
        )
        try:
            monitor.run(duration=duration, interval=interval)
        except KeyboardInterrupt:
            pass  # the ordinary way to stop watching
        except QueryError as exc:
            raise ServerUnavailable(f"jobs: {where}: {exc}") from None
    finally:
        conn.close()


def connection_query(conn: AdminConnection) -> Query:
    """Run one statement on an administrative connection: its column names and rows."""

    def run(sql: str) -> Rows:
        try:
            sets = conn.result_sets(sql)
        except AdminError as exc:
            raise QueryError(exc.errno, exc.msg) from None
        return sets[0] if sets else ([], [])

    return run
