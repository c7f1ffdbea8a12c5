"""Blocked-statement detection, wait_for_blocked, reap's time limit and permutation blocks, on a
real MariaDB server."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from runner.config.run_config import RunConfig, ServerSettings
from runner.dialects.mysqltest.renderer import MysqltestDialect
from runner.run.suite import SuiteRunner
from runner.run.suite import TestCase as Case
from runner.run.suite import TestReport as Report
from runner.server.embedded import EmbeddedServer
from runner.sessions.block_monitor import BlockMonitor, Verdict
from runner.sessions.driver import Connection, ConnectParams, connect
from runner.sessions.session import Session

pytestmark = pytest.mark.integration
DATABASE = "blocking_it"


def params_of(server: EmbeddedServer, database: str = DATABASE) -> ConnectParams:
    address = server.address
    return ConnectParams(
        host="localhost", user=address.user, password=address.password, database=database,
        port=address.port, socket=address.socket,
    )


@pytest.fixture(scope="module")
def database(embedded_server: EmbeddedServer) -> Iterator[ConnectParams]:
    admin = connect(params_of(embedded_server, ""))
    admin.execute(f"CREATE DATABASE IF NOT EXISTS {DATABASE}")
    try:
        yield params_of(embedded_server)
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        admin.close()


@pytest.fixture
def monitor(database: ConnectParams) -> Iterator[BlockMonitor]:
    watcher = BlockMonitor.open(connect, database)
    yield watcher
    watcher.close()


class Pair:
    """A connection that holds a lock and a session whose statement has to wait for it."""

    def __init__(self, params: ConnectParams) -> None:
        self.holder: Connection = connect(params)
        self.waiter = Session("waiter", params, connect)
        self.waiter.connect()

    def run(self, sql: str) -> None:
        outcome = self.holder.execute(sql)
        assert outcome.error is None, outcome.error

    def close(self) -> None:
        self.holder.close()
        self.waiter.close()


@pytest.fixture
def pair(database: ConnectParams) -> Iterator[Pair]:
    setup = connect(database)
    for sql in (
        "DROP TABLE IF EXISTS t, m",
        "DROP VIEW IF EXISTS mv",
        "CREATE TABLE t (id INT PRIMARY KEY, v INT) ENGINE=InnoDB",
        "INSERT INTO t VALUES (1, 1), (2, 2)",
        "CREATE TABLE m (a INT) ENGINE=MyISAM",
        "CREATE VIEW mv AS SELECT * FROM m",
        "INSERT INTO m VALUES (1)",
    ):
        assert setup.execute(sql).error is None, sql
    setup.close()
    both = Pair(database)
    yield both
    both.close()


def blocked(monitor: BlockMonitor, pair: Pair, hold: list[str], statement: str, release: str) -> str:
    """Hold a lock, send ``statement``, watch it; returns the kind of wait seen."""
    for sql in hold:
        pair.run(sql)
    pair.waiter.send(statement)
    watched = monitor.watch(pair.waiter, 10)
    pair.run(release)
    outcome = pair.waiter.reap()
    assert outcome.error is None, outcome.error
    assert watched.verdict is Verdict.BLOCKED, watched
    assert watched.wait is not None
    assert watched.wait.thread_id == pair.waiter.connection.thread_id
    return watched.wait.kind


def test_a_row_lock_wait_is_seen(monitor: BlockMonitor, pair: Pair) -> None:
    kind = blocked(monitor, pair, ["BEGIN", "UPDATE t SET v = 10 WHERE id = 1"], "UPDATE t SET v = 20 WHERE id = 1",
                   "COMMIT")
    assert kind == "row lock"


def test_a_metadata_lock_wait_is_seen(monitor: BlockMonitor, pair: Pair) -> None:
    kind = blocked(monitor, pair, ["BEGIN", "SELECT * FROM t"], "ALTER TABLE t ADD COLUMN w INT", "COMMIT")
    assert kind == "metadata lock"


def test_a_table_level_lock_wait_is_seen(monitor: BlockMonitor, pair: Pair) -> None:
    kind = blocked(monitor, pair, ["LOCK TABLE mv READ"], "UPDATE m SET a = a + 1", "UNLOCK TABLES")
    assert kind == "table lock"


def test_a_user_lock_wait_is_seen(monitor: BlockMonitor, pair: Pair) -> None:
    kind = blocked(monitor, pair, ["SELECT GET_LOCK('blocking_it', 10)"], "SELECT GET_LOCK('blocking_it', 10)",
                   "SELECT RELEASE_LOCK('blocking_it')")
    pair.waiter.execute("SELECT RELEASE_LOCK('blocking_it')")
    assert kind == "user lock"


def test_a_slow_statement_is_never_seen_blocked(monitor: BlockMonitor, pair: Pair) -> None:
    pair.waiter.send("SELECT SLEEP(2)")
    thread_id = pair.waiter.connection.thread_id
    looks = 0
    while not pair.waiter.wait_done(0.005):
        assert monitor.waits([thread_id]) == {}
        looks += 1
    assert looks > 100  # it was looked at all along its two seconds
    pair.waiter.reap()
    pair.waiter.send("SELECT SLEEP(1)")
    started = time.monotonic()
    assert monitor.watch(pair.waiter, 10).verdict is Verdict.DONE
    assert time.monotonic() - started >= 0.9
    pair.waiter.reap()


def test_a_wait_that_ended_is_not_seen_again(monitor: BlockMonitor, pair: Pair) -> None:
    # InnoDB's INNODB_TRX cache would still show this transaction in LOCK WAIT when read again
    # within 0.1 s; the probes read live sources.
    pair.run("BEGIN")
    pair.run("UPDATE t SET v = 10 WHERE id = 1")
    assert pair.waiter.execute("BEGIN").error is None
    pair.waiter.send("UPDATE t SET v = 20 WHERE id = 1")
    assert monitor.watch(pair.waiter, 10).verdict is Verdict.BLOCKED
    pair.run("COMMIT")
    assert pair.waiter.reap().error is None
    pair.waiter.send("SELECT SLEEP(0.5)")
    assert monitor.watch(pair.waiter, 10).verdict is Verdict.DONE
    pair.waiter.reap()
    pair.waiter.execute("COMMIT")


def test_watch_gives_up_on_a_statement_that_runs_too_long(monitor: BlockMonitor, pair: Pair) -> None:
    pair.waiter.send("SELECT SLEEP(3)")
    assert monitor.watch(pair.waiter, 0.3).verdict is Verdict.RUNNING
    monitor.kill_statements({"waiter": pair.waiter})
    assert pair.waiter.wait_done(5)
    pair.waiter.reap()


def test_the_report_says_who_waits_for_what(monitor: BlockMonitor, pair: Pair) -> None:
    pair.run("BEGIN")
    pair.run("UPDATE t SET v = 10 WHERE id = 1")
    pair.waiter.send("UPDATE t SET v = 20 WHERE id = 1")
    assert monitor.watch(pair.waiter, 10).verdict is Verdict.BLOCKED
    holder = Session("holder", ConnectParams(host="localhost", user="nobody"), connect)  # never connected
    report = monitor.describe({"waiter": pair.waiter, "holder": holder})
    pair.run("COMMIT")
    pair.waiter.reap()
    waiter_id = pair.waiter.connection.thread_id
    assert "what each connection is doing:" in report
    assert f"waiter (connection {waiter_id}): sent 'UPDATE t SET v = 20 WHERE id = 1'" in report
    assert "holder: not connected" in report
    assert f"connection {waiter_id} (waiter): Query" in report
    assert f"connection {waiter_id} (waiter) waits for a row lock: InnoDB RECORD LOCKS" in report


# -- through tests ------------------------------------------------------------------------------------


def run_test(
    server: EmbeddedServer, tmp_path: Path, text: str, *, reap_timeout: float = 60.0,
    variables: dict[str, str] | None = None,
) -> Report:
    admin = connect(params_of(server, ""))
    for sql in (f"DROP DATABASE IF EXISTS {DATABASE}", f"CREATE DATABASE {DATABASE}"):  # what a test left
        assert admin.execute(sql).error is None
    admin.close()
    test = tmp_path / "snippet.test"
    test.write_text(text, encoding="latin-1")
    (tmp_path / "var" / "tmp").mkdir(parents=True, exist_ok=True)
    address = server.address
    settings = ServerSettings(host=address.host, port=address.port, socket=address.socket, user=address.user,
                              password=address.password, database=DATABASE)
    runner = SuiteRunner(
        config=RunConfig(paths=[test], server=settings, record=True, reap_timeout=reap_timeout,
                         variables=variables or {}),
        address=address,
        dialect=MysqltestDialect(),
        vardir=tmp_path / "var",
        environment=dict(os.environ),
    )
    return runner.run_one(Case(test, "snippet", tmp_path / "snippet.result"))


HOLD_AND_SEND = """create table r (id int primary key, v int) engine=InnoDB;
insert into r values (1, 1);
connect (holder,localhost,root,,);
connect (waiter,localhost,root,,);
connection holder;
begin;
update r set v = 2 where id = 1;
connection waiter;
send update r set v = 3 where id = 1;
"""


def test_wait_for_blocked_then_reap(embedded_server: EmbeddedServer, database: ConnectParams, tmp_path: Path) -> None:
    report = run_test(embedded_server, tmp_path, HOLD_AND_SEND + (
        "wait_for_blocked waiter;\nconnection holder;\ncommit;\nconnection waiter;\nreap;\n"
        "select v from r;\nconnection default;\ndrop table r;\n"
    ))
    assert report.status == "pass", report.message
    assert report.output.endswith(
        "commit;\nconnection waiter;\nselect v from r;\nv\n3\nconnection default;\ndrop table r;\n"
    )


def test_reap_times_out_with_a_report(
    embedded_server: EmbeddedServer, database: ConnectParams, tmp_path: Path
) -> None:
    started = time.monotonic()
    report = run_test(embedded_server, tmp_path, HOLD_AND_SEND + "reap;\n", reap_timeout=1)
    assert time.monotonic() - started < 15
    assert report.status == "fail"
    assert ("snippet.test:10: reap: the statement sent on connection 'waiter' did not finish within 1 s"
            in report.message)
    assert "(--reap-timeout): update r set v = 3 where id = 1" in report.message
    assert "what each connection is doing:" in report.message
    assert "(waiter) waits for a row lock: InnoDB RECORD LOCKS" in report.message
    assert "holder (connection" in report.message


def test_wait_for_blocked_fails_when_the_statement_just_finishes(
    embedded_server: EmbeddedServer, database: ConnectParams, tmp_path: Path
) -> None:
    report = run_test(embedded_server, tmp_path, "send select 1;\nwait_for_blocked default;\n")
    assert report.status == "fail"
    assert ("snippet.test:2: wait_for_blocked: the statement on connection 'default' finished without "
            "waiting for a lock: select 1") in report.message


def test_wait_for_blocked_gives_up_after_its_timeout(
    embedded_server: EmbeddedServer, database: ConnectParams, tmp_path: Path
) -> None:
    started = time.monotonic()
    report = run_test(embedded_server, tmp_path, "send select sleep(5);\nwait_for_blocked default 0.5;\n")
    assert report.status == "fail"
    assert "was not blocked within 0.5 s: select sleep(5)" in report.message
    assert time.monotonic() - started < 4  # the sleeping statement was stopped, not waited for


def test_wait_for_blocked_needs_a_sent_statement(
    embedded_server: EmbeddedServer, database: ConnectParams, tmp_path: Path
) -> None:
    report = run_test(embedded_server, tmp_path, "wait_for_blocked default;\n")
    assert report.status == "fail"
    assert "connection 'default' has no statement sent" in report.message
    report = run_test(embedded_server, tmp_path, "--wait_for_blocked nosuch\n")
    assert report.status == "error"
    assert "connection 'nosuch' not found" in report.message
    report = run_test(embedded_server, tmp_path, "send select 1;\nwait_for_blocked default soon;\n")
    assert report.status == "error"
    assert "'soon' is not a number of seconds" in report.message


def test_var_sets_mysqltest_variables(embedded_server: EmbeddedServer, database: ConnectParams, tmp_path: Path) -> None:
    report = run_test(embedded_server, tmp_path, "--echo rows=$rows level=$level\n",
                      variables={"rows": "7", "level": "READ COMMITTED"})
    assert report.status == "pass", report.message
    assert report.output == "rows=7 level=READ COMMITTED\n"


# -- permutation blocks ----------------------------------------------------------------------------------

LOCKS = """create table r (id int primary key, v int) engine=InnoDB;
--permutations
setup { delete from r; insert into r values (1, 1), (2, 2) }
session a
setup { set session innodb_lock_wait_timeout = 1; begin }
step a1 { update r set v = 10 where id = 1 }
step a2 { select v from r where id = 2 }
step ac { commit }
teardown { select 'a done' as teardown }
session b
setup { begin }
step b1 { update r set v = 20 where id = 1 }
step bc { commit }
permutation a1 b1 ac bc
permutation b1 a1 a2 ac bc
--end_permutations
drop table r;
"""


def test_permutations_report_waits_and_completions(
    embedded_server: EmbeddedServer, database: ConnectParams, tmp_path: Path
) -> None:
    report = run_test(embedded_server, tmp_path, LOCKS)
    assert report.status == "pass", report.message
    assert report.output == """create table r (id int primary key, v int) engine=InnoDB;

starting permutation: a1 b1 ac bc
step a1: update r set v = 10 where id = 1
step b1: update r set v = 20 where id = 1 <waiting ...>
step ac: commit
step b1: <... completed>
step bc: commit
teardown
a done

starting permutation: b1 a1 a2 ac bc
step b1: update r set v = 20 where id = 1
step a1: update r set v = 10 where id = 1 <waiting ...>
step a1: <... completed>
ERROR HY000: Lock wait timeout exceeded; try restarting transaction
step a2: select v from r where id = 2
v
2
step ac: commit
step bc: commit
teardown
a done
drop table r;
"""


MUTUAL = """--permutations
session a
step a1 { select get_lock('blocking_it_x', 100) as a_got }
step a2 { select 'never' as a2 }
teardown { do release_lock('blocking_it_x') }
session b
step b1 { select get_lock('blocking_it_x', 100) as b_got }
teardown { do release_lock('blocking_it_x') }
permutation a1 b1
permutation a1 b1 b2_never
--end_permutations
"""


def test_mutually_blocked_steps_end_the_permutation(
    embedded_server: EmbeddedServer, database: ConnectParams, tmp_path: Path
) -> None:
    text = MUTUAL.replace("permutation a1 b1 b2_never\n", "permutation a1 b1 a2\npermutation b1 a1 a2\n")
    text = text.replace("step a2 { select 'never' as a2 }", "step a2 { select 'a2 ran' as a2 }")
    # b1 waits for a1's lock, and the last permutation has a session wait for its own step first.
    text = text.replace("session b\n", "session b\nstep b2 { select 1 }\n", 1)
    started = time.monotonic()
    report = run_test(embedded_server, tmp_path, text + "select 'after' as after_block;\n", reap_timeout=1)
    assert time.monotonic() - started < 20
    assert report.status == "pass", report.message
    assert report.output == """
starting permutation: a1 b1
step a1: select get_lock('blocking_it_x', 100) as a_got
a_got
1
step b1: select get_lock('blocking_it_x', 100) as b_got <waiting ...>
failed to complete permutation due to mutually-blocking steps (waiting: b1)

starting permutation: a1 b1 a2
step a1: select get_lock('blocking_it_x', 100) as a_got
a_got
1
step b1: select get_lock('blocking_it_x', 100) as b_got <waiting ...>
step a2: select 'a2 ran' as a2
a2
a2 ran
failed to complete permutation due to mutually-blocking steps (waiting: b1)

starting permutation: b1 a1 a2
step b1: select get_lock('blocking_it_x', 100) as b_got
b_got
1
step a1: select get_lock('blocking_it_x', 100) as a_got <waiting ...>
failed to complete permutation due to mutually-blocking steps (waiting: a1; not run: a2)
select 'after' as after_block;
after_block
after
"""


def test_a_permutation_step_that_neither_ends_nor_waits_fails_the_test(
    embedded_server: EmbeddedServer, database: ConnectParams, tmp_path: Path
) -> None:
    text = "--permutations\nsession a\nstep a1 { select sleep(5) }\n--end_permutations\n"
    started = time.monotonic()
    report = run_test(embedded_server, tmp_path, text, reap_timeout=0.5)
    assert time.monotonic() - started < 4
    assert report.status == "fail"
    assert "snippet.test:3: step a1 neither finished nor waited for a lock within 0.5 s" in report.message
    assert "a (permutations) (connection" in report.message


def test_a_failing_setup_stops_the_test(
    embedded_server: EmbeddedServer, database: ConnectParams, tmp_path: Path
) -> None:
    text = ("--permutations\nsetup { select * from no_such_table }\nsession a\nstep a1 { select 1 }\n"
            "--end_permutations\n")
    report = run_test(embedded_server, tmp_path, text)
    assert report.status == "fail"
    assert "snippet.test:2: setup failed: 1146 (42S02): Table 'blocking_it.no_such_table' doesn't exist" in (
        report.message
    )
