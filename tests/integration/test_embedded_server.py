"""The embedded-server layer against a real server (MariaDB on the development machine)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from runner.server import mtr_env
from runner.server.address import ServerAddress
from runner.server.connect import AdminConnection, AdminError, open_connection
from runner.server.embedded import LOG_READY_SECONDS, EmbeddedServer, ServerStartError
from runner.server.flavour import query_flavour
from runner.server.hygiene import check_testcase, reset_between_tests
from tests.integration.conftest import mysql_test_dir_or_none

pytestmark = pytest.mark.integration


def _scalar(address: ServerAddress, sql: str) -> str:
    conn = open_connection(address)
    try:
        return str(conn.query_rows(sql)[0][0])
    finally:
        conn.close()


@contextlib.contextmanager
def _private_server(**kwargs: object) -> Iterator[EmbeddedServer]:
    server = EmbeddedServer(mysql_test_dir=mysql_test_dir_or_none(), **kwargs)  # type: ignore[arg-type]
    try:
        yield server
    finally:
        server.stop()


def _connection_alive(conn: AdminConnection) -> bool:
    try:
        conn.query_rows("SELECT 1")
    except AdminError:
        return False
    return True


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_server_starts_and_answers_queries(embedded_server: EmbeddedServer, server_address: ServerAddress) -> None:
    assert embedded_server.is_alive()
    assert embedded_server.pid is not None and _process_exists(embedded_server.pid)
    assert _scalar(server_address, "SELECT 6 * 7") == "42"
    assert _scalar(server_address, "SELECT @@port") == str(server_address.port)
    assert _scalar(server_address, "SELECT @@socket") == server_address.socket
    # The TCP port answers too, not just the socket.
    conn = open_connection(
        ServerAddress(server_address.host, server_address.port, None, server_address.user, server_address.password)
    )
    try:
        assert conn.query_rows("SELECT @@bind_address")[0][0] == "127.0.0.1"
        assert query_flavour(conn) == "mariadb"
    finally:
        conn.close()


def test_server_runs_in_an_mtr_style_vardir(embedded_server: EmbeddedServer, server_address: ServerAddress) -> None:
    var = embedded_server.vardir
    assert _scalar(server_address, "SELECT @@datadir").rstrip("/") == str(var / "mysqld.1" / "data")
    assert _scalar(server_address, "SELECT @@tmpdir") == str(var / "tmp" / "mysqld.1")
    assert _scalar(server_address, "SELECT @@server_id") == "1"
    assert _scalar(server_address, "SELECT @@general_log") == "1"  # as under mysql-test-run.pl
    assert embedded_server.error_log == var / "log" / "mysqld.1.err"
    assert "ready for connections" in embedded_server.error_log.read_text()
    assert len(os.fsencode(server_address.socket or "")) <= 107


@pytest.mark.skipif(mysql_test_dir_or_none() is None, reason="needs the mysql-test tree")
def test_config_comes_from_default_mysqld_cnf(embedded_server: EmbeddedServer, server_address: ServerAddress) -> None:
    assert _scalar(server_address, "SELECT @@character_set_server") == "latin1"
    assert _scalar(server_address, "SELECT @@max_heap_table_size") == str(1024 * 1024)
    assert _scalar(server_address, "SELECT @@default_storage_engine") == "MyISAM"
    assert _scalar(server_address, "SELECT @@histogram_type") == "JSON_HB"
    # @ENV.MYSQLTEST_VARDIR was resolved to the real vardir.
    assert _scalar(server_address, "SELECT @@secure_file_priv").rstrip("/") == str(embedded_server.vardir)
    assert (embedded_server.vardir / "std_data" / "loaddata1.dat").is_file()


def test_test_database_is_latin1(server_address: ServerAddress) -> None:
    conn = open_connection(server_address)
    try:
        rows = conn.query_rows(
            "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME "
            "FROM INFORMATION_SCHEMA.SCHEMATA WHERE SCHEMA_NAME = 'test'"
        )
        assert rows == [("latin1", "latin1_swedish_ci")]
    finally:
        conn.close()


@pytest.mark.skipif(mysql_test_dir_or_none() is None, reason="needs the mysql-test tree")
def test_bootstrap_adds_what_mtr_adds(server_address: ServerAddress) -> None:
    assert int(_scalar(server_address, "SELECT COUNT(*) FROM mysql.time_zone_name")) > 0
    assert _scalar(server_address, "SELECT COUNT(*) FROM mysql.global_priv WHERE user = ''") == "0"
    assert (
        _scalar(
            server_address,
            "SELECT COUNT(*) FROM INFORMATION_SCHEMA.ROUTINES "
            "WHERE ROUTINE_SCHEMA = 'mtr' AND ROUTINE_NAME = 'check_testcase'",
        )
        == "1"
    )
    assert (
        _scalar(
            server_address,
            "SELECT ENGINE FROM INFORMATION_SCHEMA.TABLES "
            "WHERE TABLE_SCHEMA = 'mysql' AND TABLE_NAME = 'gtid_slave_pos'",
        )
        == "Aria"
    )


def test_template_cache_is_reused(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with _private_server(cache_dir=cache) as first:
        first.start()
        assert first.template_built
        template = first.template_dir
        assert template is not None and template.is_dir()
        assert template.parent.parent == cache
        # The server runs on a copy, never on the template itself.
        assert first.datadir != template
        assert (first.datadir / "mysql").is_dir()
    template_listing = sorted(p.name for p in cache.iterdir() if not p.name.startswith("."))
    with _private_server(cache_dir=cache) as second:
        second.start()
        assert not second.template_built
        assert second.template_dir == template
        assert (
            _scalar(second.address, "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SCHEMATA WHERE SCHEMA_NAME = 'test'")
            == "1"
        )
    # No second template and no half-built leftovers.
    assert sorted(p.name for p in cache.iterdir() if not p.name.startswith(".")) == template_listing
    assert not [p for p in cache.iterdir() if p.name.startswith(".build-")]


def test_stop_kills_the_server_and_is_idempotent() -> None:
    with _private_server() as server:
        server.start()
        pid = server.pid
        vardir = server.vardir
        assert pid is not None and _process_exists(pid)
        server.stop()
        assert not _process_exists(pid)
        assert not server.is_alive()
        assert server.pid is None
        assert not vardir.exists()  # a temporary vardir goes away
        server.stop()  # second stop is harmless


def test_keep_vardir_keeps_the_logs(tmp_path: Path) -> None:
    var = tmp_path / "var"
    with _private_server(vardir=var) as server:
        server.start()
    assert (var / "log" / "mysqld.1.err").is_file()
    assert (var / "my.cnf").is_file()


def test_long_vardir_gets_a_short_socket_path(tmp_path: Path) -> None:
    var = tmp_path / ("v" * 110)
    with _private_server(vardir=var) as server:
        address = server.start()
        assert address.socket is not None
        assert len(os.fsencode(address.socket)) <= 107
        assert not address.socket.startswith(str(var))
        assert _scalar(address, "SELECT @@socket") == address.socket
        socket_dir = Path(address.socket).parent
    assert not socket_dir.exists()


def test_bad_option_raises_start_error_with_log_tail() -> None:
    with _private_server(options=["--no-such-tidbrun-option=1"]) as server:
        with pytest.raises(ServerStartError) as info:
            server.start()
        assert "no-such-tidbrun-option" in info.value.log_tail
        assert "no-such-tidbrun-option" in str(info.value)
        assert 0 < len(info.value.log_tail.splitlines()) <= 20
        assert not server.is_alive()


def test_restart_applies_new_options_and_keeps_data() -> None:
    with _private_server() as server:
        address = server.start()
        conn = open_connection(address)
        try:
            conn.execute("CREATE TABLE test.survives (a INT) ENGINE=MyISAM")
        finally:
            conn.close()
        old_pid = server.pid
        new_address = server.restart(["--max-connections=77", "--timezone=GMT-3"])
        assert server.pid != old_pid
        assert _scalar(new_address, "SELECT @@max_connections") == "77"
        # --timezone is mysql-test-run.pl's: it becomes TZ for the server, as MTR does it.
        assert _scalar(new_address, "SELECT TIMESTAMPDIFF(HOUR, UTC_TIMESTAMP(), NOW())") == "3"
        assert (
            _scalar(
                new_address,
                "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES "
                "WHERE TABLE_SCHEMA = 'test' AND TABLE_NAME = 'survives'",
            )
            == "1"
        )


def test_hygiene_drops_databases_and_recreates_test(
    embedded_server: EmbeddedServer, server_address: ServerAddress
) -> None:
    baseline = check_testcase(server_address)
    conn = open_connection(server_address)
    leftover = open_connection(server_address, autocommit=False)
    try:
        conn.execute("CREATE DATABASE hygiene_probe")
        conn.execute("CREATE TABLE hygiene_probe.t (a INT)")
        conn.execute("CREATE TABLE test.t_innodb (a INT) ENGINE=InnoDB")
        # A prepared XA transaction holds its locks after its owner is gone: without the
        # rollback, DROP DATABASE test would wait for it.
        leftover.execute("XA START 'hyg', 'b', 9")
        leftover.execute("INSERT INTO test.t_innodb VALUES (1)")
        leftover.execute("XA END 'hyg', 'b', 9")
        leftover.execute("XA PREPARE 'hyg', 'b', 9")
        junk = embedded_server.vardir / "tmp" / "junk.txt"
        junk.write_text("left by a test")

        reset_between_tests(server_address, embedded_server.vardir)

        # The reset killed every other connection, ours included.
        assert not _connection_alive(conn)
        assert not _connection_alive(leftover)
        conn = open_connection(server_address)
        databases = {r[0] for r in conn.query_rows("SHOW DATABASES")}
        assert "hygiene_probe" not in databases
        assert "test" in databases
        assert conn.query_rows("SHOW TABLES FROM test") == []
        assert (
            _scalar(
                server_address,
                "SELECT DEFAULT_CHARACTER_SET_NAME FROM INFORMATION_SCHEMA.SCHEMATA WHERE SCHEMA_NAME='test'",
            )
            == "latin1"
        )
        assert conn.query_rows("XA RECOVER") == []
        assert not junk.exists()
        assert Path(server_address.socket or "").exists()
        if baseline:
            assert check_testcase(server_address) == baseline
    finally:
        for c in (leftover, conn):
            with contextlib.suppress(Exception):
                c.close()


@pytest.mark.skipif(mysql_test_dir_or_none() is None, reason="needs the mysql-test tree")
def test_mtr_environment_drives_the_client_tools(
    embedded_server: EmbeddedServer, server_address: ServerAddress
) -> None:
    tree = mysql_test_dir_or_none()
    assert tree is not None
    env = mtr_env.test_environment(
        server_address,
        embedded_server.vardir,
        tree,
        tree / "main",
        tree / "main" / "1st.test",
        server_binary=embedded_server.kind.server,
        server_command=embedded_server.command,
    )
    assert env["MASTER_MYPORT"] == str(server_address.port)
    assert env["MASTER_MYSOCK"] == server_address.socket
    assert env["MYSQLTEST_VARDIR"] == str(embedded_server.vardir)
    assert env["BIG_TEST"] == "0"
    assert env["LC_ALL"] == "C"
    assert env["MTR_TEST_NAME"] == "main.1st"
    assert env["HA_ARCHIVE_SO"] == "ha_archive.so"
    if os.geteuid() == 0:
        assert env["MYSQL_TEST_ROOT"] == "1"
    # $MYSQL reaches our server and gets [mysql] default-character-set=latin1 from the file.
    out = subprocess.run(
        "$MYSQL --batch --skip-column-names -e 'SELECT @@port, @@character_set_client'",
        shell=True,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == [str(server_address.port), "latin1"]
    admin = subprocess.run(
        "$MYSQLADMIN ping", shell=True, env={**os.environ, **env}, capture_output=True, text=True, check=False
    )
    assert admin.returncode == 0, admin.stderr


def test_a_start_logging_elsewhere_is_seen_at_once(tmp_path: Path) -> None:
    # --log-error=0 (perfschema.setup_instruments_defaults' .opt) logs to <datadir>/0.err: its
    # "ready" line is read there, not waited for in a file that never comes.
    with _private_server(vardir=tmp_path / "var", skip_optional_plugins=True) as server:
        server.start()
        began = time.monotonic()
        address = server.restart(["--log-error=0"])
        seconds = time.monotonic() - began
        assert (server.datadir / "0.err").is_file()
        assert _scalar(address, "SELECT @@log_error") == "./0.err"  # mysqld's own name for it
        assert seconds < LOG_READY_SECONDS
