"""The chaos directives as a user meets them: .test files that kill, restart and pause tidbrun's
embedded server, and cut and delay their own connections, run by the CLI on MariaDB and — when
`make tidb` has built it — on TiDB, with the same files and results.

Each test shows the directive's effect in what its statements get: the error after a kill or a
cut, a row lock the server let go when the connection holding it was cut, data kept over a
restart, the time a delayed answer took and the time a statement sent to a paused server was
answered (measured with the server's clock, so the result file stays the same run after run).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.server import binaries
from runner.server.embedded import EmbeddedServer
from tests.conftest import run_tidbrun, server_args, write
from tests.e2e.test_restart_protocol import statuses

pytestmark = pytest.mark.e2e

TIDB_FLAGS = ("--server", "tidb", "--dialect", "mysqltest", "--no-password-prompt")
SERVERS = [
    pytest.param((), id="mariadb"),
    pytest.param(TIDB_FLAGS, id="tidb", marks=pytest.mark.skipif(
        binaries.cached_tidb_server() is None,
        reason="no tidb-server built: `make tidb` builds the pinned one into ~/.cache/tidbrun (a few minutes)")),
]

KILL_RESTART = ("""CREATE TABLE t1 (a INT) ENGINE=InnoDB;
INSERT INTO t1 VALUES (1),(2);
--kill_server
--error 2006,2013
SELECT 1;
--restart_server
--enable_reconnect
SELECT * FROM t1;
--disable_reconnect
DROP TABLE t1;
""", """CREATE TABLE t1 (a INT) ENGINE=InnoDB;
INSERT INTO t1 VALUES (1),(2);
SELECT 1;
Got one of the listed errors
SELECT * FROM t1;
a
1
2
DROP TABLE t1;
""")

# con1 holds a row lock when it is cut: the server ends its session, so default gets the lock
# (it would wait 10 s and fail otherwise). A reconnect is refused until the connection is healed.
CUT = ("""CREATE TABLE t1 (a INT PRIMARY KEY) ENGINE=InnoDB;
INSERT INTO t1 VALUES (1);
connect (con1,localhost,root,,);
BEGIN;
SELECT * FROM t1 WHERE a = 1 FOR UPDATE;
--cut_connection con1
--error 2006,2013
SELECT 2;
--enable_reconnect
--error 2002,2003,2006,2013
SELECT 3;
connection default;
SET SESSION innodb_lock_wait_timeout = 10;
SELECT * FROM t1 WHERE a = 1 FOR UPDATE;
--heal_connection con1
connection con1;
SELECT 4;
--disable_reconnect
connection default;
disconnect con1;
DROP TABLE t1;
""", """CREATE TABLE t1 (a INT PRIMARY KEY) ENGINE=InnoDB;
INSERT INTO t1 VALUES (1);
connect  con1,localhost,root,,;
BEGIN;
SELECT * FROM t1 WHERE a = 1 FOR UPDATE;
a
1
SELECT 2;
Got one of the listed errors
SELECT 3;
Got one of the listed errors
connection default;
SET SESSION innodb_lock_wait_timeout = 10;
SELECT * FROM t1 WHERE a = 1 FOR UPDATE;
a
1
connection con1;
SELECT 4;
4
4
connection default;
disconnect con1;
DROP TABLE t1;
""")

DELAY = ("""connect (con1,localhost,root,,);
connection default;
let $t0 = `SELECT UNIX_TIMESTAMP(NOW(6))`;
--delay_connection con1 300
connection con1;
SELECT 1;
connection default;
--disable_query_log
--eval SELECT UNIX_TIMESTAMP(NOW(6)) - $t0 >= 0.3 AS took_the_delay
--enable_query_log
--heal_connection con1
connection con1;
SELECT 2;
connection default;
disconnect con1;
""", """connect  con1,localhost,root,,;
connection default;
connection con1;
SELECT 1;
1
1
connection default;
took_the_delay
1
connection con1;
SELECT 2;
2
2
connection default;
disconnect con1;
""")

# NOW() is the time the server starts the statement: after the resume, a second after the send.
PAUSE = ("""connect (con1,localhost,root,,);
connection default;
let $t0 = `SELECT UNIX_TIMESTAMP(NOW(6))`;
--pause_server
connection con1;
--disable_query_log
--send_eval SELECT UNIX_TIMESTAMP(NOW(6)) - $t0 >= 1 AS answered_after_the_resume
--enable_query_log
connection default;
--sleep 1
--resume_server
connection con1;
--reap
connection default;
disconnect con1;
""", """connect  con1,localhost,root,,;
connection default;
connection con1;
connection default;
connection con1;
answered_after_the_resume
1
connection default;
disconnect con1;
""")


@pytest.mark.parametrize("flags", SERVERS)
def test_each_directive_shows_its_effect(tmp_path: Path, flags: tuple[str, ...]) -> None:
    for name, (test, result) in {"kill_restart": KILL_RESTART, "cut": CUT, "delay": DELAY, "pause": PAUSE}.items():
        write(tmp_path / f"{name}.test", test)
        write(tmp_path / f"{name}.result", result)
    run = run_tidbrun(*flags, "--force", tmp_path)
    assert run.returncode == 0, run.output
    assert statuses(run.stdout) == {"cut": "pass", "delay": "pass", "kill_restart": "pass", "pause": "pass"}
    assert "crash" not in run.output and "died" not in run.output


def test_a_restart_with_options_lasts_until_the_next_test(tmp_path: Path) -> None:
    # The connections of the test are lost with the server, as in any restart: reconnect.
    write(tmp_path / "a_options.test",
          "--restart_server --max-connections=77\n--enable_reconnect\nSELECT @@max_connections;\n")
    write(tmp_path / "a_options.result", "SELECT @@max_connections;\n@@max_connections\n77\n")
    write(tmp_path / "b_after.test", "SELECT @@max_connections <> 77 AS options_undone;\n")
    write(tmp_path / "b_after.result", "SELECT @@max_connections <> 77 AS options_undone;\noptions_undone\n1\n")
    run = run_tidbrun("--force", tmp_path)
    assert run.returncode == 0, run.output
    assert statuses(run.stdout) == {"a_options": "pass", "b_after": "pass"}


def test_a_server_left_killed_fails_its_test_and_one_left_paused_is_resumed(tmp_path: Path) -> None:
    write(tmp_path / "a_killed.test", "SELECT 1;\n--kill_server\n--echo left it killed\n")
    write(tmp_path / "a_killed.result", "SELECT 1;\n1\n1\nleft it killed\n")
    write(tmp_path / "b_paused.test", "--pause_server\n--echo left it paused\n")
    write(tmp_path / "b_paused.result", "left it paused\n")
    write(tmp_path / "c_next.test", "SELECT 3;\n")
    write(tmp_path / "c_next.result", "SELECT 3;\n3\n3\n")
    run = run_tidbrun("--force", tmp_path, timeout=90)
    assert run.returncode == 1, run.output
    assert statuses(run.stdout) == {"a_killed": "fail", "b_paused": "pass", "c_next": "pass"}
    assert "the test stopped the server and did not ask for a restart" in run.stdout


def test_misuse_is_a_clear_error_at_its_line(tmp_path: Path) -> None:
    write(tmp_path / "resume.test", "SELECT 1;\n--resume_server\n")
    write(tmp_path / "bad_delay.test", "--delay_connection default 2s\n")
    write(tmp_path / "no_such.test", "--cut_connection con9\n")
    run = run_tidbrun("--force", tmp_path)
    assert run.returncode == 2, run.output  # a test that cannot run as written
    assert f"{tmp_path / 'resume.test'}:2: resume_server: the server is not paused" in run.stdout
    assert f"{tmp_path / 'bad_delay.test'}:1: delay_connection: '2s' is not a number of milliseconds" in run.stdout
    assert f"{tmp_path / 'no_such.test'}:1: connection 'con9' not found in connection pool" in run.stdout
    assert "Traceback" not in run.output


@pytest.mark.parametrize(("line", "message"), [
    ("--kill_server now", "kill_server takes no argument, not 'now'"),
    ("--restart_server max-connections=7", "restart_server: 'max-connections=7' is not a server option"),
    ("--delay_connection con1", "usage: --delay_connection NAME MS"),
    ("--delay_connection con1 120000", "delay_connection: 120000 is more than 60000 ms"),
    ("--heal_connection", "usage: --heal_connection NAME"),
])
def test_parse_only_checks_the_arguments(tmp_path: Path, line: str, message: str) -> None:
    test = write(tmp_path / "bad.test", f"SELECT 1;\n{line}\n")
    run = run_tidbrun("--parse-only", test)
    assert run.returncode != 0
    assert f"{test}:2: {message}" in run.output
    assert "Traceback" not in run.output


def test_a_server_tidbrun_did_not_start_is_not_killed(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    pid = embedded_server.pid
    # Its connections can still be cut: the fault proxy relays to any server on this machine.
    write(tmp_path / "external.test", "connect (con1,localhost,root,,);\n--cut_connection con1\n"
          "--error 2006,2013\nSELECT 1;\nconnection default;\n--kill_server\n")
    run = run_tidbrun(*server_args(embedded_server), tmp_path / "external.test")
    assert run.returncode == 1, run.output
    assert "external.test:6: --kill_server needs the server tidbrun starts itself" in run.stdout
    assert embedded_server.is_alive() and embedded_server.pid == pid
