"""The blocked-statement probes, fed with result rows as the servers return them (no server).

The MariaDB rows were recorded from MariaDB 10.11; the TiDB rows have the shape and values of the
examples in TiDB's documentation (information_schema.TIDB_TRX, DATA_LOCK_WAITS and
mysql.tidb_mdl_view); the MySQL rows the columns of performance_schema.data_lock_waits.
"""

from __future__ import annotations

import re

import pytest

from runner.sessions.block_monitor import BlockMonitor
from runner.sessions.driver import Column, Outcome, Result, ServerError
from runner.sessions.lock_probes import (
    MariaDBProbe,
    MySQLProbe,
    ProbeError,
    Row,
    TiDBProbe,
    innodb_status_waits,
    parse_version,
    probe_for,
    state_kind,
)


class FakeServer:
    """Answers a probe's queries from recorded rows, keyed by the table the query reads; a
    ``WHERE <column> IN (...)`` keeps only the rows of those connections, as the server would."""

    def __init__(self, tables: dict[str, list[Row]], missing: tuple[str, ...] = ()) -> None:
        self.tables = tables
        self.missing = missing
        self.queries: list[str] = []

    def __call__(self, sql: str) -> list[Row]:
        self.queries.append(sql)
        for name in self.missing:
            if name.lower() in sql.lower():
                raise ProbeError(f"1146 Table '{name}' doesn't exist")
        source = re.search(r"\bFROM\s+(?:\w+\.)?(\w+)", sql)
        table = source.group(1) if source else sql
        for name, rows in self.tables.items():
            if name.lower() == table.lower():
                m = re.search(r"WHERE (?:\w+\.)?(\w+) IN \(([\d,]+)\)", sql)
                column = m.group(1).upper() if m else ""
                if m is None or not rows or column not in rows[0]:
                    return rows
                wanted = set(m.group(2).split(","))
                return [row for row in rows if row.get(column) in wanted]
        raise AssertionError(f"unexpected query: {sql}")


# -- processlist states ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "kind"),
    [
        ("Waiting for table metadata lock", "metadata lock"),
        ("Waiting for schema metadata lock", "metadata lock"),
        ("Waiting for global read lock", "metadata lock"),
        ("Waiting for backup lock", "metadata lock"),
        ("Waiting for table level lock", "table lock"),
        ("User lock", "user lock"),
        ("Waiting for table flush", "table flush"),
        ("Waiting for some new kind of lock", "lock"),
        ("Updating", None),
        ("User sleep", None),
        ("Sending data", None),
        ("Waiting for master to send event", None),
        ("", None),
        (None, None),
    ],
)
def test_processlist_states(state: str | None, kind: str | None) -> None:
    assert state_kind(state) == kind


# -- InnoDB's own status --------------------------------------------------------------------------------

MARIADB_STATUS = """
=====================================
2025-01-01 10:00:00 0x7fdf8b3feb80 INNODB MONITOR OUTPUT
=====================================
------------
TRANSACTIONS
------------
Trx id counter 376
Purge done for trx's n:o < 374 undo n:o < 0 state: running but idle
History list length 0
LIST OF TRANSACTIONS FOR EACH SESSION:
---TRANSACTION 375, ACTIVE 0 sec starting index read
mysql tables in use 1, locked 1
LOCK WAIT 2 lock struct(s), heap size 1128, 1 row lock(s)
MariaDB thread id 6492, OS thread handle 140598037309120, query id 243065 localhost root Updating
update t set v=20 where id=1
------- TRX HAS BEEN WAITING 242791 us FOR THIS LOCK TO BE GRANTED:
<LOCK>
Record lock, heap no 2 PHYSICAL RECORD: n_fields 4; compact format; info bits 0
 0: len 4; hex 80000001; asc     ;;

------------------
---TRANSACTION 374, ACTIVE 0 sec
2 lock struct(s), heap size 1128, 1 row lock(s), undo log entries 1
MariaDB thread id 6491, OS thread handle 140598037616320, query id 243063 localhost root
---TRANSACTION (0x7fdf8b3feb80), not started
0 lock struct(s), heap size 1128, 0 row lock(s)
--------
FILE I/O
--------
Pending flushes (fsync): 0
---TRANSACTION 999, ACTIVE 0 sec
LOCK WAIT 2 lock struct(s), heap size 1128, 1 row lock(s)
MariaDB thread id 7777, OS thread handle 1, query id 1 localhost root
"""

MARIADB_STATUS = MARIADB_STATUS.replace(
    "<LOCK>",
    "RECORD LOCKS space id 39 page no 3 n bits 320 index PRIMARY of table `blk_exp`.`t` trx id 375 "
    "lock_mode X locks rec but not gap waiting",
)

MYSQL_STATUS = """------------
TRANSACTIONS
------------
LIST OF TRANSACTIONS FOR EACH SESSION:
---TRANSACTION 2074, ACTIVE 7 sec starting index read
mysql tables in use 1, locked 1
LOCK WAIT 2 lock struct(s), heap size 1128, 1 row lock(s)
MySQL thread id 12, OS thread handle 140123, query id 81 localhost root executing
lock tables t1 write
------- TRX HAS BEEN WAITING 7 SEC FOR THIS LOCK TO BE GRANTED:
TABLE LOCK table `test`.`t1` trx id 2074 lock mode X waiting
------------------
---TRANSACTION 2073, ACTIVE 20 sec
MySQL thread id 11, OS thread handle 140124, query id 80 localhost root
--------
FILE I/O
--------
"""


def test_innodb_status_names_the_waiting_thread_and_its_lock() -> None:
    waits = innodb_status_waits(MARIADB_STATUS)
    # Only the TRANSACTIONS section counts: thread 7777 is past it.
    assert list(waits) == [6492]
    wait = waits[6492]
    assert wait.kind == "row lock"
    assert wait.detail == (
        "InnoDB RECORD LOCKS space id 39 page no 3 n bits 320 index PRIMARY of table `blk_exp`.`t` "
        "lock_mode X locks rec but not gap waiting"
    )


def test_innodb_status_of_mysql_and_an_innodb_table_lock() -> None:
    waits = innodb_status_waits(MYSQL_STATUS)
    assert list(waits) == [12]
    assert waits[12].kind == "table lock"
    assert "TABLE LOCK table `test`.`t1` lock mode X waiting" in waits[12].detail


def test_innodb_status_without_transactions() -> None:
    assert innodb_status_waits("") == {}
    assert innodb_status_waits("LIST OF TRANSACTIONS FOR EACH SESSION:\n--------\nFILE I/O\n--------\n") == {}


# -- MariaDB ----------------------------------------------------------------------------------------------


def processlist(*rows: tuple[int, str, str | None, str | None]) -> list[Row]:
    return [{"ID": str(i), "COMMAND": c, "TIME": "3", "STATE": s, "INFO": q} for i, c, s, q in rows]


def test_mariadb_probe_reads_states_first_and_innodb_for_busy_connections() -> None:
    server = FakeServer({
        "PROCESSLIST": processlist(
            (6491, "Sleep", "", None),
            (6492, "Query", "Updating", "update t set v=20 where id=1"),
            (6493, "Query", "Waiting for table metadata lock", "alter table t add c int"),
            (6494, "Query", "User sleep", "select sleep(10)"),
        ),
        "SHOW ENGINE INNODB STATUS": [{"TYPE": "InnoDB", "NAME": "", "STATUS": MARIADB_STATUS}],
    })
    waits = MariaDBProbe(server).waits([6491, 6492, 6493, 6494])
    assert {t: w.kind for t, w in waits.items()} == {6492: "row lock", 6493: "metadata lock"}
    assert waits[6493].detail == "processlist state 'Waiting for table metadata lock'"


def test_mariadb_probe_does_not_ask_innodb_when_nothing_runs() -> None:
    server = FakeServer({"PROCESSLIST": processlist((1, "Sleep", "", None))})
    assert MariaDBProbe(server).waits([1]) == {}
    assert len(server.queries) == 1


def test_a_slow_statement_is_not_a_wait() -> None:
    server = FakeServer({
        "PROCESSLIST": processlist((5, "Query", "User sleep", "select sleep(2)")),
        "SHOW ENGINE INNODB STATUS": [{"TYPE": "InnoDB", "NAME": "", "STATUS": MARIADB_STATUS}],
    })
    assert MariaDBProbe(server).waits([5]) == {}


def test_mariadb_report_lists_processlist_waits_and_lock_tables() -> None:
    server = FakeServer({
        "PROCESSLIST": processlist((6491, "Sleep", "", None), (6492, "Query", "Updating", "update t set v=20")),
        "SHOW ENGINE INNODB STATUS": [{"TYPE": "InnoDB", "NAME": "", "STATUS": MARIADB_STATUS}],
        "INNODB_LOCK_WAITS": [{"WAITING": "6492", "BLOCKING": "6491", "REQUESTED": "375:39:3:2", "HELD": "374:39:3:2"}],
        "metadata_locks": [{"CONNECTION": "6491", "OBJECT_TYPE": "TABLE", "OBJECT_SCHEMA": "test",
                            "OBJECT_NAME": "t", "LOCK_TYPE": "SHARED_WRITE", "LOCK_STATUS": "GRANTED"}],
    })
    lines = MariaDBProbe(server, performance_schema=True).report([6491, 6492])
    assert lines[0] == "connection 6491: Sleep for 3 s, state '', statement NULL"
    assert lines[1] == "connection 6492: Query for 3 s, state 'Updating', statement 'update t set v=20'"
    assert lines[2].startswith("connection 6492 waits for a row lock: InnoDB RECORD LOCKS")
    assert "innodb lock wait: waiting=6492, blocking=6491" in lines[3]
    assert lines[4].startswith("metadata lock: connection=6491, object_type=TABLE")


def test_a_report_query_the_server_cannot_answer_is_named() -> None:
    server = FakeServer(
        {"PROCESSLIST": processlist((1, "Sleep", "", None))}, missing=("METADATA_LOCK_INFO", "INNODB_LOCK_WAITS")
    )
    lines = MariaDBProbe(server, metadata_lock_info=True).report([1])
    assert lines[-2].startswith("innodb lock wait: not available (1146")
    assert lines[-1].startswith("metadata lock: not available (1146")
    plain = MariaDBProbe(FakeServer({"PROCESSLIST": processlist((1, "Sleep", "", None)), "INNODB_LOCK_WAITS": []}))
    assert plain.report([1])[-1].startswith("metadata locks held: unknown (performance_schema is off")


# -- MySQL ------------------------------------------------------------------------------------------------


def test_mysql8_row_locks_come_from_data_lock_waits() -> None:
    server = FakeServer({
        "PROCESSLIST": processlist((11, "Sleep", "", None), (12, "Query", "updating", "update t1 set a = 2")),
        "data_lock_waits": [{"WAITING": "12", "BLOCKING": "11", "OBJECT_SCHEMA": "test", "OBJECT_NAME": "t1",
                             "INDEX_NAME": "PRIMARY", "LOCK_TYPE": "RECORD", "LOCK_MODE": "X,REC_NOT_GAP"}],
    })
    waits = MySQLProbe(server, version=(8, 0, 36)).waits([11, 12])
    assert list(waits) == [12]
    assert waits[12].blocker == 11
    assert waits[12].describe() == (
        "connection 12 waits for a row lock: InnoDB X,REC_NOT_GAP lock on test.t1 index PRIMARY "
        "(held by connection 11)"
    )
    assert not any("INNODB STATUS" in q for q in server.queries)


def test_mysql57_and_mysql8_without_performance_schema_read_innodb_status() -> None:
    for probe_args in ({"version": (5, 7, 44)}, {"version": (8, 0, 36), "performance_schema": False}):
        server = FakeServer({
            "PROCESSLIST": processlist((12, "Query", "System lock", "lock tables t1 write")),
            "SHOW ENGINE INNODB STATUS": [{"TYPE": "InnoDB", "NAME": "", "STATUS": MYSQL_STATUS}],
        })
        waits = MySQLProbe(server, **probe_args).waits([12])  # type: ignore[arg-type]
        assert waits[12].kind == "table lock"


# -- TiDB -------------------------------------------------------------------------------------------------

# information_schema.TIDB_TRX as TiDB's documentation shows it: an idle transaction of session 7 and
# session 9's update waiting for a pessimistic lock.
TIDB_TRX: list[Row] = [
    {"ID": "426789913200689153", "STATE": "Idle", "SESSION_ID": "7", "CURRENT_SQL_DIGEST_TEXT": None,
     "WAITING_START_TIME": None},
    {"ID": "426789921471332353", "STATE": "LockWaiting", "SESSION_ID": "9",
     "CURRENT_SQL_DIGEST_TEXT": "update `t` set `v` = `v` + ? where `id` = ?",
     "WAITING_START_TIME": "2021-08-04 10:52:35.106568"},
]
DATA_LOCK_WAITS: list[Row] = [
    {"KEY": "7480000000000000355f728000000000000002",
     "KEY_INFO": '{"db_id":1,"db_name":"test","table_id":53,"table_name":"t","handle_type":"int","handle_value":"2"}',
     "TRX_ID": "426789921471332353", "CURRENT_HOLDING_TRX_ID": "426789913200689153"},
]
TIDB_PROCESSLIST: list[Row] = [
    {"ID": "7", "COMMAND": "Sleep", "TIME": "12", "STATE": "in transaction; autocommit", "INFO": None},
    {"ID": "9", "COMMAND": "Query", "TIME": "3", "STATE": "in transaction; autocommit",
     "INFO": "update t set v = v + 1 where id = 2"},
    {"ID": "11", "COMMAND": "Query", "TIME": "5", "STATE": "autocommit", "INFO": "ALTER TABLE t ADD COLUMN c INT"},
]
# mysql.tidb_mdl_view: the DDL held back, and the session whose transaction holds it back.
TIDB_MDL_VIEW: list[Row] = [
    {"JOB_ID": "118", "DB_NAME": "test", "TABLE_NAME": "t", "QUERY": "ALTER TABLE t ADD COLUMN c INT",
     "SESSION_ID": "7"},
]


def tidb_server(**overrides: list[Row]) -> FakeServer:
    tables: dict[str, list[Row]] = {"TIDB_TRX": TIDB_TRX, "DATA_LOCK_WAITS": DATA_LOCK_WAITS, "tidb_mdl_view": [],
                                    "PROCESSLIST": TIDB_PROCESSLIST}
    tables.update(overrides)
    return FakeServer(tables)


def test_tidb_lock_waiting_confirmed_by_data_lock_waits() -> None:
    waits = TiDBProbe(tidb_server()).waits([7, 9])
    assert list(waits) == [9]
    assert waits[9].kind == "row lock"
    assert waits[9].blocker == 7
    assert "key 7480000000000000355f728000000000000002" in waits[9].detail


def test_tidb_lock_waiting_without_a_lock_wait_is_an_uncontended_lock() -> None:
    # TiDB enters LockWaiting at the start of every pessimistic lock, blocked or not.
    assert TiDBProbe(tidb_server(DATA_LOCK_WAITS=[])).waits([7, 9]) == {}


def test_tidb_without_data_lock_waits_trusts_lock_waiting() -> None:
    no_jobs: list[Row] = []
    server = FakeServer({"TIDB_TRX": TIDB_TRX, "tidb_mdl_view": no_jobs, "PROCESSLIST": TIDB_PROCESSLIST},
                        missing=("DATA_LOCK_WAITS",))
    probe = TiDBProbe(server)
    assert list(probe.waits([9])) == [9]
    assert probe.data_lock_waits is False
    probe.waits([9])
    assert sum("DATA_LOCK_WAITS" in q for q in server.queries) == 1  # not asked again


def test_tidb_ddl_held_by_a_metadata_lock() -> None:
    waits = TiDBProbe(tidb_server(tidb_mdl_view=TIDB_MDL_VIEW)).waits([7, 11])
    assert list(waits) == [11]
    assert waits[11].kind == "metadata lock"
    assert waits[11].blocker == 7
    assert waits[11].detail == "DDL job 118 on test.t"


def test_tidb_before_metadata_locks() -> None:
    no_transactions: list[Row] = []
    server = FakeServer({"TIDB_TRX": no_transactions, "PROCESSLIST": TIDB_PROCESSLIST}, missing=("tidb_mdl_view",))
    probe = TiDBProbe(server)
    assert probe.waits([11]) == {}
    assert probe.mdl_view is False


def test_tidb_report() -> None:
    lines = TiDBProbe(tidb_server()).report([7, 9])
    assert lines[:2] == [
        "connection 7: Sleep for 12 s, state 'in transaction; autocommit', statement NULL",
        "connection 9: Query for 3 s, state 'in transaction; autocommit', "
        "statement 'update t set v = v + 1 where id = 2'",
    ]
    assert "transaction 426789921471332353 of connection 9: state LockWaiting" in lines[3]
    assert lines[-1].startswith("connection 9 waits for a row lock: pessimistic lock on key")


# -- which probe ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("10.11.19-MariaDB-0+deb12u1", (10, 11, 19)),
        ("5.5.5-10.6.12-MariaDB-1:10.6.12+maria~ubu2004", (10, 6, 12)),
        ("8.0.11-TiDB-v7.5.0", (7, 5, 0)),
        ("5.7.25-TiDB-v6.5.3", (6, 5, 3)),
        ("8.0.36-0ubuntu0.22.04.1", (8, 0, 36)),
        ("5.7.44-log", (5, 7, 44)),
        ("nonsense", ()),
    ],
)
def test_parse_version(version: str, expected: tuple[int, ...]) -> None:
    assert parse_version(version) == expected


def test_the_flavour_picks_the_probe() -> None:
    server = FakeServer({})
    assert type(probe_for("tidb", server)) is TiDBProbe
    assert type(probe_for("mariadb", server)) is MariaDBProbe
    mysql8 = probe_for("mysql", server, version=(8, 0, 36), performance_schema=True)
    assert type(mysql8) is MySQLProbe and mysql8.data_lock_waits
    mysql8_no_ps = probe_for("mysql", server, version=(8, 0, 36), performance_schema=False)
    assert type(mysql8_no_ps) is MySQLProbe and not mysql8_no_ps.data_lock_waits
    mysql57 = probe_for("mysql", server, version=(5, 7, 44), performance_schema=True)
    assert type(mysql57) is MySQLProbe and not mysql57.data_lock_waits
    mariadb = probe_for("mariadb", server, metadata_lock_info=True)
    assert isinstance(mariadb, MariaDBProbe) and mariadb.metadata_lock_info


class FakeConnection:
    """Just enough of a driver connection for the monitor to learn the server's flavour."""

    thread_id = 1

    def __init__(self, answers: dict[str, str | None]) -> None:
        self.answers = answers

    def execute(self, sql: str) -> Outcome:
        for start, value in self.answers.items():
            if sql.startswith(start):
                return Outcome([Result([Column("value")], [(value,)])])
        return Outcome(error=ServerError(1146, "42S02", "no such table"))

    def close(self) -> None:
        pass


@pytest.mark.parametrize(
    ("answers", "probe_type", "flavour", "detail"),
    [
        ({"SELECT VERSION()": "8.0.11-TiDB-v7.5.0"}, TiDBProbe, "tidb", None),
        ({"SELECT VERSION()": "10.11.19-MariaDB-0+deb12u1", "SELECT @@performance_schema": "0",
          "SELECT COUNT(*) FROM information_schema.PLUGINS": "1"}, MariaDBProbe, "mariadb", "metadata_lock_info"),
        ({"SELECT VERSION()": "8.0.36", "SELECT @@performance_schema": "1"}, MySQLProbe, "mysql", "data_lock_waits"),
        ({"SELECT VERSION()": "5.7.44-log", "SELECT @@performance_schema": "1"}, MySQLProbe, "mysql", None),
    ],
)
def test_the_monitor_asks_the_server_which_probe_it_needs(
    answers: dict[str, str | None], probe_type: type, flavour: str, detail: str | None
) -> None:
    monitor = BlockMonitor(FakeConnection(answers))  # type: ignore[arg-type]
    assert monitor.flavour == flavour
    assert type(monitor.probe) is probe_type
    for flag in ("metadata_lock_info", "data_lock_waits"):
        if not isinstance(monitor.probe, TiDBProbe) and hasattr(monitor.probe, flag):
            assert getattr(monitor.probe, flag) is (flag == detail)


def committing(seconds: str) -> FakeServer:
    """Session 9's autocommit update committing (optimistically) for ``seconds`` whole seconds."""
    trx: list[Row] = [{"ID": "426789921471332353", "STATE": "Committing", "SESSION_ID": "9",
            "CURRENT_SQL_DIGEST_TEXT": "update `t` set `v` = ? where `id` = ?", "WAITING_START_TIME": None}]
    processlist: list[Row] = [{"ID": "9", "COMMAND": "Query", "TIME": seconds, "STATE": "autocommit",
                    "INFO": "update t set v = 21 where id = 2"}]
    return tidb_server(TIDB_TRX=trx, DATA_LOCK_WAITS=[], PROCESSLIST=processlist)


def test_tidb_an_optimistic_commit_that_lasts_a_second_waits_for_a_lock() -> None:
    waits = TiDBProbe(committing("1")).waits([9])
    assert list(waits) == [9]
    assert waits[9].kind == "row lock"
    assert "Committing for 1 s" in waits[9].detail and "optimistic commit" in waits[9].detail


def test_tidb_a_commit_under_a_second_is_not_a_wait() -> None:
    assert TiDBProbe(committing("0")).waits([9]) == {}
