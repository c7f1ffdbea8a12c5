"""tidbrun's administrative connections (runner.server.connect) against a real server."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import replace

import pytest

from runner.faults.classify import PERMANENT, TRANSIENT, classify_exception
from runner.server.address import ServerAddress
from runner.server.connect import ATTEMPT_LIMIT, AdminConnection, AdminError, connect_params, open_connection
from runner.server.embedded import EmbeddedServer
from runner.server.hygiene import check_testcase, database_names, reset_between_tests, restore_databases
from runner.sessions.driver import connect

pytestmark = pytest.mark.integration


@contextlib.contextmanager
def _open(address: ServerAddress, **kwargs: object) -> Iterator[AdminConnection]:
    conn = open_connection(address, **kwargs)  # type: ignore[arg-type]
    try:
        yield conn
    finally:
        conn.close()


def test_the_first_statement_is_the_callers(server_address: ServerAddress) -> None:
    # No SET NAMES or SET autocommit of the driver's before it.
    with _open(server_address) as conn:
        assert conn.query_rows("SHOW SESSION STATUS LIKE 'Questions'") == [("Questions", "1")]
        assert conn.query_rows("SELECT @@character_set_client, @@character_set_results") == [("utf8mb3", "utf8mb3")]


def test_autocommit_named_or_left_to_the_server(server_address: ServerAddress) -> None:
    with _open(server_address, autocommit=False) as conn:
        assert conn.query_rows("SELECT @@autocommit") == [("0",)]
    with _open(server_address) as conn:
        assert conn.query_rows("SELECT @@autocommit") == [("1",)]


def test_values_and_nulls_come_back_as_text(server_address: ServerAddress) -> None:
    with _open(server_address) as conn:
        assert conn.query_rows("SELECT 1, NULL, 'база', X'00FF'") == [("1", None, "база", "\x00\ufffd")]
        assert conn.raw_rows("SELECT X'00FF'") == [("\x00\xff",)]
        assert conn.query_rows("DO 1") == []


def test_the_pure_python_protocol_gives_the_same_text(server_address: ServerAddress) -> None:
    # The driver's fallback (an account whose plugin libmysqlclient lacks) takes the same charset.
    conn = AdminConnection(connect(replace(connect_params(server_address), python_protocol=True)))
    try:
        sql = "SELECT @@character_set_results, 1, NULL, 'база'"
        assert conn.query_rows(sql) == [("utf8mb3", "1", None, "база")]
        assert conn.raw_rows("SELECT X'00FF'") == [("\x00\xff",)]
        with pytest.raises(AdminError) as info:
            conn.execute("USE no_such_db")
        assert info.value.errno == 1049
    finally:
        conn.close()


def test_every_result_set_of_a_procedure(server_address: ServerAddress) -> None:
    with _open(server_address) as conn:
        conn.execute("CREATE PROCEDURE test.two_sets() BEGIN SELECT 1 AS a; SELECT 'x' AS b, 2 AS c; END")
        try:
            assert conn.result_sets("CALL test.two_sets()") == [(["a"], [("1",)]), (["b", "c"], [("x", "2")])]
        finally:
            conn.execute("DROP PROCEDURE test.two_sets")


def test_a_statements_error_is_an_admin_error(server_address: ServerAddress) -> None:
    with _open(server_address) as conn:
        with pytest.raises(AdminError) as info:
            conn.execute("USE no_such_db")
        assert (info.value.errno, info.value.sqlstate) == (1049, "42000")
        assert "no_such_db" in info.value.msg
        assert classify_exception(info.value) == PERMANENT
        assert conn.query_rows("SELECT 2") == [("2",)]  # the connection goes on


def test_connect_errors(server_address: ServerAddress) -> None:
    with pytest.raises(AdminError) as denied:
        open_connection(replace(server_address, user="no_such_user", password="x"))
    assert denied.value.errno == 1045
    assert classify_exception(denied.value) == PERMANENT
    # Nothing listens there: the attempt is worth repeating.
    nowhere = ServerAddress(host="127.0.0.1", port=1, socket=None, user="root")
    with pytest.raises(AdminError) as refused:
        open_connection(nowhere, connect_timeout=1)
    assert refused.value.errno == 2002
    assert classify_exception(refused.value) == TRANSIENT


def test_an_attempt_limit_stops_a_hung_query(server_address: ServerAddress) -> None:
    token = ATTEMPT_LIMIT.set(1.0)
    try:
        with _open(server_address) as conn, pytest.raises(AdminError) as info:
            conn.query_rows("SELECT SLEEP(5)")
    finally:
        ATTEMPT_LIMIT.reset(token)
    assert info.value.errno == 2013
    assert classify_exception(info.value) == TRANSIENT


def test_reset_drops_non_latin_names(embedded_server: EmbeddedServer, server_address: ServerAddress) -> None:
    reset_between_tests(server_address, embedded_server.vardir)  # learns the accounts to keep
    baseline = check_testcase(server_address)
    with _open(server_address) as conn:
        conn.execute("SET NAMES utf8mb4")  # as a test's connection would
        conn.execute("CREATE DATABASE `база_ß`")
        conn.execute("CREATE USER 'пользователь'@'localhost'")
    with _open(server_address) as conn:
        assert "база_ß" in {row[0] for row in conn.query_rows("SHOW DATABASES")}
    reset_between_tests(server_address, embedded_server.vardir)
    with _open(server_address) as conn:
        assert "база_ß" not in {row[0] for row in conn.query_rows("SHOW DATABASES")}
        assert conn.query_rows("SELECT User FROM mysql.user WHERE User = 'пользователь'") == []
    if baseline:
        assert check_testcase(server_address) == baseline


def test_restore_databases_drops_a_non_latin_one(server_address: ServerAddress) -> None:
    before = database_names(server_address)
    with _open(server_address) as conn:
        conn.execute("SET NAMES utf8mb4")
        conn.execute("CREATE DATABASE `données`")
    assert database_names(server_address) == before | {"données"}
    restore_databases(server_address, before)
    assert database_names(server_address) == before


def test_reset_rolls_back_binary_xids_with_autocommit_off(
    embedded_server: EmbeddedServer, server_address: ServerAddress
) -> None:
    """A recovered XA transaction is refused in multi-statement mode, which a server started with
    --autocommit=0 gives every new session; its gtrid and bqual need not be text."""
    with _open(server_address) as conn:
        conn.execute("CREATE TABLE test.t_xa (a INT) ENGINE=InnoDB")
        owner = open_connection(server_address)
        owner.execute("XA START X'00ff27', X'80', 7")
        owner.execute("INSERT INTO test.t_xa VALUES (1)")
        owner.execute("XA END X'00ff27', X'80', 7")
        owner.execute("XA PREPARE X'00ff27', X'80', 7")
        owner.close()
        conn.execute("SET GLOBAL autocommit=0")
    try:
        reset_between_tests(server_address, embedded_server.vardir)
    finally:
        with _open(server_address) as conn:
            conn.execute("SET GLOBAL autocommit=1")
    with _open(server_address) as conn:
        assert conn.raw_rows("XA RECOVER") == []
        assert conn.query_rows("SHOW TABLES FROM test") == []
