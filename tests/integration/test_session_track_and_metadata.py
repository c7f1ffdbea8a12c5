"""Session state changes (--enable_session_track_info) and MariaDB's extended column metadata
(--enable_metadata's `255 (type=point)`): the driver against a real server, and whole tests run by
tidbrun and by the reference mariadb-test, compared byte for byte."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from runner.server.address import ServerAddress
from runner.sessions.driver import HAVE_CEXT, CConnection, ConnectParams, PyConnection
from tests.integration.test_interpreter import Bench, assert_same_result, bench, environment, needs_reference

__all__ = ["bench", "environment"]  # the fixtures the reference cases need, from the interpreter's tests

pytestmark = pytest.mark.integration


def params(address: ServerAddress, database: str = "test") -> ConnectParams:
    return ConnectParams(
        host="localhost", user=address.user, password=address.password, database=database,
        port=address.port, socket=address.socket,
    )


@pytest.fixture
def py(server_address: ServerAddress) -> Iterator[PyConnection]:
    connection = PyConnection(params(server_address))
    yield connection
    connection.close()


# -- the driver ------------------------------------------------------------------------------------------


def test_columns_carry_the_type_and_format_names(py: PyConnection) -> None:
    outcome = py.execute("select point(1,1) p, json_object('a',1) j, cast('::1' as inet6) i, 1 n")
    assert outcome.error is None
    columns = outcome.results[0].columns
    assert columns is not None
    assert [(c.name, c.meta[8], c.type_name, c.format_name) for c in columns] == [
        ("p", 255, "point", ""), ("j", 253, "", "json"), ("i", 254, "inet6", ""), ("n", 3, "", ""),
    ]
    assert outcome.results[0].rows == [(outcome.results[0].rows[0][0], '{"a": 1}', "::1", "1")]


def test_an_ok_carries_its_changes(py: PyConnection) -> None:
    py.execute("SET @@session.session_track_system_variables='time_zone'")
    outcome = py.execute("SET time_zone='+01:00'")
    assert outcome.results[0].session_track == ((0, ("time_zone", "+01:00")),)


def test_a_result_set_or_an_error_keeps_the_last_oks_changes(py: PyConnection) -> None:
    # As libmariadb: only an OK packet replaces the changes mysql_session_track_get_first() gives.
    py.execute("SET @@session.session_track_system_variables='time_zone'")
    py.execute("SET time_zone='+02:00'")
    changes = ((0, ("time_zone", "+02:00")),)
    assert py.execute("select 1").results[0].session_track == changes
    assert py.execute("select * from no_such_table").error is not None
    assert py.ping()
    outcome = py.execute("select 2; do 1; select 3")
    assert [r.session_track for r in outcome.results] == [changes, (), ()]


def test_the_login_ok_names_the_schema(py: PyConnection) -> None:
    # The driver's own SET NAMES after logging in does not count: libmariadb sends none.
    assert py.execute("select 1").results[0].session_track == ((1, ("test",)),)


def test_change_user_brings_its_own_changes(py: PyConnection, server_address: ServerAddress) -> None:
    py.execute("USE mysql")
    py.change_user(server_address.user, server_address.password, "test")
    assert py.execute("select 1").results[0].session_track == ((1, ("test",)),)


@pytest.mark.skipif(not HAVE_CEXT, reason="the C extension is not available")
def test_the_c_path_cannot_tell(server_address: ServerAddress) -> None:
    connection = CConnection(params(server_address))
    try:
        outcome = connection.execute("USE test")
        assert outcome.results[0].session_track is None
    finally:
        connection.close()


# -- whole tests against the reference ------------------------------------------------------------------


# The reference bench and its environment: the interpreter tests' fixtures (imported above).


TRACKERS = r"""--echo start <$ENABLED_STATE_CHANGE_INFO>
--enable_session_track_info ONCE
--echo once <$ENABLED_STATE_CHANGE_INFO>
select 0;
--echo after <$ENABLED_STATE_CHANGE_INFO>
--enable_session_track_info
--echo enabled <$ENABLED_STATE_CHANGE_INFO>
SET @@session.session_track_system_variables='*';
SET @@session.session_track_state_change=ON;
USE mysql;
USE test;
SET NAMES 'utf8mb4';
SELECT 1;
SET @@SESSION.session_track_transaction_info='CHARACTERISTICS';
SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;
START TRANSACTION;
SELECT 2;
COMMIT;
SET @@SESSION.session_track_transaction_info='STATE';
START TRANSACTION;
COMMIT;
SET @@SESSION.session_track_transaction_info='OFF';
SET @a=1;
set sql_mode='', time_zone='+01:00';
set time_zone='+01:00'; set sql_mode='ANSI';
set @@session.character_set_results=NULL;
set @@session.character_set_results=default;
set sql_mode=default;
SET @@session.session_track_state_change=OFF;
--enable_info
create table t1 (a int);
insert into t1 values (1),(2);
set time_zone='+02:00';
--disable_info
select a from t1;
--error ER_NO_SUCH_TABLE
select * from no_such_table;
select 3;
select cast('x' as int);
--sorted_result
select 5 union select 4;
--replace_result latin1 LATIN
SET NAMES latin1;
--replace_column 1 X
select 6;
--vertical_results
select 7;
--horizontal_results
--enable_metadata
select 8;
--disable_metadata
--disable_result_log
select 9;
--enable_result_log
--disable_query_log
select 10;
--enable_query_log
select 11; SET NAMES latin1; select 12; do 1; select 13;
--disable_session_track_info ONCE
SET NAMES latin1;
--disable_session_track_info
--echo disabled <$ENABLED_STATE_CHANGE_INFO>
SET NAMES latin1;
--enable_session_track_info
select 14;
ping;
select 15;
connect (con1,localhost,root,,test);
select 16;
USE mysql;
--change_user root,,test
select 17;
connection default;
select 18;
disconnect con1;
drop table t1;
--disable_session_track_info
SET @@session.session_track_system_variables=default;
"""

EXTENDED_METADATA = r"""--enable_metadata
create table t1 (p point, j json, i inet6, n int, u uuid, g geometry, ls linestring, t text, b blob);
select * from t1;
select point(1,1) is not null, json_object('a',1), cast('::1' as inet6), 1;
select * from (select p, j from t1) dt;
--disable_metadata
drop table t1;
"""


@needs_reference
def test_session_track_info_as_the_reference(bench: Bench) -> None:
    assert_same_result(bench, TRACKERS)


@needs_reference
def test_extended_metadata_as_the_reference(bench: Bench) -> None:
    assert_same_result(bench, EXTENDED_METADATA)


@pytest.mark.parametrize("protocol", ["python", "c"])
def test_both_protocols_name_the_program_as_mysqltest_does(server_address: ServerAddress, protocol: str) -> None:
    if protocol == "c" and not HAVE_CEXT:
        pytest.skip("the C extension of mysql-connector-python is not installed")
    connection = (PyConnection if protocol == "python" else CConnection)(params(server_address))
    try:
        outcome = connection.execute(
            "select attr_value from performance_schema.session_connect_attrs"
            " where attr_name = 'program_name' and processlist_id = connection_id()"
        )
        assert outcome.error is None
        if outcome.results[0].rows == [] and connection.execute(
            "select @@performance_schema"
        ).results[0].rows == [("0",)]:
            pytest.skip("the server runs without the performance schema")
        assert outcome.results[0].rows == [("mysqltest",)]
    finally:
        connection.close()
