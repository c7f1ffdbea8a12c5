"""Putting a shared server back into its just-bootstrapped state between tests."""

from __future__ import annotations

import contextlib
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from runner.errors import ServerUnavailable
from runner.server.address import ServerAddress
from runner.server.connect import AdminConnection, AdminError, open_connection
from runner.server.flavour import query_flavour

SYSTEM_DATABASES = frozenset(
    {
        "mysql",
        "information_schema",
        "performance_schema",
        "sys",
        "mtr",
        # TiDB's own schemas
        "metrics_schema",
    }
)
_SERVER_TMPDIR = re.compile(r"^mysqld\.\d+$")
ER_DB_DROP_RMDIR = 1010
# How long leftover connections get to go away after KILL.
KILL_WAIT_SECONDS = 5.0


class HygieneError(ServerUnavailable):
    """The server could not be cleaned; the caller should restart (or re-bootstrap) it."""


def _quote_identifier(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _kill_other_connections(conn: AdminConnection) -> None:
    own = int(conn.query_rows("SELECT CONNECTION_ID()")[0][0])
    # Daemon threads (event scheduler, replication, InnoDB purge...) are not ours to kill.
    list_sql = (
        "SELECT ID FROM INFORMATION_SCHEMA.PROCESSLIST "
        f"WHERE ID <> {own} AND COMMAND NOT IN ('Daemon', 'Binlog Dump', 'Slave_IO', 'Slave_SQL', "
        "'Slave_worker') AND USER NOT IN ('system user', 'event_scheduler')"
    )
    ids = [int(row[0]) for row in conn.query_rows(list_sql)]
    for conn_id in ids:
        with contextlib.suppress(AdminError):
            conn.execute(f"KILL CONNECTION {conn_id}")
    # KILL only flags the thread; prepared XA transactions become recoverable only once their
    # owner is really gone, so wait for that.
    deadline = time.monotonic() + KILL_WAIT_SECONDS
    while ids and time.monotonic() < deadline:
        placeholders = ",".join(str(i) for i in ids)
        ids = [
            int(row[0])
            for row in conn.query_rows(f"SELECT ID FROM INFORMATION_SCHEMA.PROCESSLIST WHERE ID IN ({placeholders})")
        ]
        if ids:
            time.sleep(0.01)


def _rollback_prepared_xa(conn: AdminConnection) -> None:
    """Prepared XA transactions survive disconnects and restarts and hold their locks, so a later
    ``DROP DATABASE`` would wait on them."""
    rows = conn.raw_rows("XA RECOVER")
    if rows:
        # A recovered transaction is not rolled back in multi-statement mode (XAER_OUTSIDE), which a
        # server started with --autocommit=0 gives the connection.
        conn.execute("SET SESSION autocommit=1")
    for format_id, gtrid_length, bqual_length, data in rows:
        raw = str(data).encode("latin-1")  # binary: one character a byte
        gtrid = raw[: int(gtrid_length)]
        bqual = raw[int(gtrid_length) : int(gtrid_length) + int(bqual_length)]
        conn.execute(f"XA ROLLBACK X'{gtrid.hex()}',X'{bqual.hex()}',{int(format_id)}")


def _string_literal(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def _reset_replicas(conn: AdminConnection, flavour: str) -> None:
    """Stop every replica connection a test configured and forget it (``RESET SLAVE ALL``): its
    threads (``Slave_IO`` connecting to a master that is gone, ``Slave_SQL``) would otherwise stay
    in the processlist of every later test, as after a fresh bootstrap there are none. A test that
    replicates sets its topology up itself (``rpl_init.inc``), as under mysql-test-run.pl, whose
    check-testcase demands stopped replicas and whose restart ends them."""
    if flavour == "mariadb":
        sets = conn.result_sets("SHOW ALL SLAVES STATUS")
        if not sets or not sets[0][1]:
            return
        columns, rows = sets[0]
        names = [str(row[columns.index("Connection_name")] or "") for row in rows]
        conn.execute("STOP ALL SLAVES")
        for name in names:
            conn.execute(f"RESET SLAVE {_string_literal(name)} ALL" if name else "RESET SLAVE ALL")
        return
    try:  # MySQL 8.0.22 and later say REPLICA; 8.4 knows no other word
        if not conn.query_rows("SHOW REPLICA STATUS"):
            return
        conn.execute("STOP REPLICA")
        conn.execute("RESET REPLICA ALL")
    except AdminError:
        if not conn.query_rows("SHOW SLAVE STATUS"):
            return
        conn.execute("STOP SLAVE")
        conn.execute("RESET SLAVE ALL")


def _drop_user_databases(conn: AdminConnection, datadir: Path | None) -> None:
    for (name,) in conn.query_rows("SHOW DATABASES"):
        text = str(name)
        if text.lower() in SYSTEM_DATABASES:
            continue
        try:
            conn.execute(f"DROP DATABASE IF EXISTS {_quote_identifier(text)}")
        except AdminError as exc:
            # A test may leave files of its own in a database folder (SELECT … INTO OUTFILE
            # with a relative name); the server will not remove a folder it does not know.
            if exc.errno != ER_DB_DROP_RMDIR or datadir is None or not (datadir / text).is_dir():
                raise
            shutil.rmtree(datadir / text, ignore_errors=True)


def _accounts(conn: AdminConnection) -> set[tuple[str, str]]:
    return {(str(u), str(h)) for u, h in conn.query_rows("SELECT User, Host FROM mysql.user")}


def _drop_new_accounts(conn: AdminConnection, baseline: set[tuple[str, str]]) -> None:
    """Accounts a test created and did not drop would make the next test's CREATE USER fail."""
    for user, host in _accounts(conn) - baseline:
        quoted = f"'{user.replace(chr(39), chr(39) * 2)}'@'{host.replace(chr(39), chr(39) * 2)}'"
        with contextlib.suppress(AdminError):
            conn.execute(f"DROP USER {quoted}")


# Accounts present after bootstrap, per server (host, port, socket): learnt before the first test
# (remember_accounts), or else a test's own accounts would count as the server's.
_BASELINE_ACCOUNTS: dict[tuple[str, int, str | None], set[tuple[str, str]]] = {}


def remember_accounts(address: ServerAddress) -> None:
    """Note the accounts the server has before any test ran; the cleanup keeps only these. A
    server already noted keeps its first list (a restart from fresh data has the same accounts)."""
    key = (address.host, address.port, address.socket)
    if key in _BASELINE_ACCOUNTS:
        return
    with _connection(address, "listing accounts") as conn:
        _BASELINE_ACCOUNTS[key] = _accounts(conn)


def _empty_tmpdir(vardir: Path) -> None:
    """Empty ``$MYSQL_TMP_DIR`` but keep the servers' sockets and their own tmpdirs (``mysqld.N``:
    a replication test's second server runs on)."""
    tmp = vardir / "tmp"
    if not tmp.is_dir():
        return
    for entry in tmp.iterdir():
        if _SERVER_TMPDIR.match(entry.name) or entry.suffix == ".sock":
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


@contextlib.contextmanager
def _connection(address: ServerAddress, doing: str) -> Iterator[AdminConnection]:
    """A housekeeping connection; any server error while ``doing`` becomes a HygieneError."""
    try:
        conn = open_connection(address)
    except AdminError as exc:
        raise HygieneError(f"cannot connect to {address} for {doing}: {exc}") from exc
    try:
        yield conn
    except AdminError as exc:
        raise HygieneError(f"{doing} on {address} failed: {exc}") from exc
    finally:
        with contextlib.suppress(Exception):
            conn.close()


def reset_between_tests(
    address: ServerAddress, vardir: Path, *, dialect_database: str | None = None, datadir: Path | None = None
) -> None:
    """What mysql-test-run.pl's cleanup amounts to, done in place on a running server.

    Kills leftover connections (not our own), stops and forgets replica connections, rolls back
    prepared XA transactions, drops every
    non-system database and every account a test created, re-creates the default database as
    bootstrap did (``test``, latin1 on MariaDB/MySQL; ``dialect_database`` names a different default
    database, created with the server's default character set) and empties ``vardir/tmp``. The
    cleanup connection waits at most 5 s for a metadata lock. Raises ``HygieneError`` when the
    server cannot be cleaned.
    """
    with _connection(address, "cleaning the server") as conn:
        flavour = query_flavour(conn)
        with contextlib.suppress(AdminError):
            conn.execute("SET SESSION lock_wait_timeout=5")
        # A test may have made new transactions read-only by default (SET GLOBAL TRANSACTION READ
        # ONLY); this connection would inherit it and could drop nothing.
        conn.execute("SET SESSION TRANSACTION READ WRITE")
        if flavour != "tidb":
            # Not a statement of the cleanup in the binary log: MTR's cleanup writes none, and tests
            # print GTID positions and binlog contents that count from the test's first statement.
            with contextlib.suppress(AdminError):
                conn.execute("SET SESSION sql_log_bin=0")
        _kill_other_connections(conn)
        if flavour != "tidb":
            _reset_replicas(conn, flavour)
            _rollback_prepared_xa(conn)
        key = (address.host, address.port, address.socket)
        baseline = _BASELINE_ACCOUNTS.setdefault(key, _accounts(conn))
        _drop_new_accounts(conn, baseline)
        _drop_user_databases(conn, datadir)
        if dialect_database is not None:
            conn.execute(f"CREATE DATABASE {_quote_identifier(dialect_database)}")
        elif flavour == "tidb":
            conn.execute("CREATE DATABASE test")
        else:
            conn.execute("CREATE DATABASE test CHARACTER SET latin1 COLLATE latin1_swedish_ci")
    _empty_tmpdir(Path(vardir))


def check_testcase(address: ServerAddress) -> str:
    """The output of ``CALL mtr.check_testcase()`` (the server state MTR compares around each
    test), as tab-separated text with a header line per result set; "" without an ``mtr`` db."""
    with _connection(address, "mtr.check_testcase()") as conn:
        if not conn.query_rows(
            "SELECT 1 FROM INFORMATION_SCHEMA.ROUTINES "
            "WHERE ROUTINE_SCHEMA='mtr' AND ROUTINE_NAME='check_testcase'"
        ):
            return ""
        lines: list[str] = []
        for columns, rows in conn.result_sets("CALL mtr.check_testcase()"):
            lines.append("\t".join(columns))
            lines.extend("\t".join("NULL" if v is None else v for v in row) for row in rows)
        return "\n".join(lines) + "\n"


def database_names(address: ServerAddress) -> set[str]:
    with _connection(address, "listing databases") as conn:
        return {str(name) for (name,) in conn.query_rows("SHOW DATABASES")}


def restore_databases(address: ServerAddress, baseline: set[str]) -> None:
    """The gentle cleanup for a server tidbrun did not start: drop only the databases a test
    created, re-create `test` if a test dropped it; nobody else's connections or data are touched."""
    with _connection(address, "cleaning up after a test") as conn:
        with contextlib.suppress(AdminError):
            conn.execute("SET SESSION lock_wait_timeout=5")
        present = {str(name) for (name,) in conn.query_rows("SHOW DATABASES")}
        for name in sorted(present - baseline):
            conn.execute(f"DROP DATABASE IF EXISTS {_quote_identifier(name)}")
        if "test" in baseline and "test" not in present:
            conn.execute("CREATE DATABASE test")
