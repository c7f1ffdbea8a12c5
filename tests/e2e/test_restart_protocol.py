"""mysql-test-run.pl's restart protocol as a user meets it: tests that stop the server after
writing ``$MYSQLTEST_VARDIR/tmp/mysqld.1.expect``, on tidbrun's own embedded server (each run here
starts one), and ``shutdown_server`` on a server given by address."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from runner.server.embedded import EmbeddedServer
from tests.conftest import run_tidbrun, server_args, write
from tests.integration.conftest import MYSQL_TEST_DIR

pytestmark = pytest.mark.e2e

# What include/shutdown_mysqld.inc, start_mysqld.inc and their wait_until_*.inc do, without
# needing the mysql-test tree.
STOP = """--let $expect= $MYSQLTEST_VARDIR/tmp/mysqld.1.expect
--write_line wait $expect
--shutdown_server {timeout}
--disable_query_log
--disable_result_log
--let $mysql_errno= 0
while (!$mysql_errno)
{{
  --error 0,1927,2002,2006,2013
  show status;
  --real_sleep 0.1
}}
--enable_query_log
--enable_result_log
"""
START = """--write_line "{line}" $expect
--enable_reconnect
--disable_query_log
--disable_result_log
--let $mysql_errno= 9999
while ($mysql_errno)
{{
  --error 0,1927,2002,2006,2013
  select 1;
  if ($mysql_errno)
  {{
    --real_sleep 0.1
  }}
}}
--enable_query_log
--enable_result_log
--disable_reconnect
"""


def restart_test(line: str = "restart: --max-connections=77", timeout: str = "") -> str:
    return (
        "CREATE TABLE t1 (a INT);\n"
        "INSERT INTO t1 VALUES (1),(2);\n"
        + STOP.format(timeout=timeout)
        + START.format(line=line)
        + "SELECT * FROM t1;\n"
        "SELECT @@max_connections = 77 AS restarted_with_the_option;\n"
        "DROP TABLE t1;\n"
    )


RESTART_RESULT = """CREATE TABLE t1 (a INT);
INSERT INTO t1 VALUES (1),(2);
SELECT * FROM t1;
a
1
2
SELECT @@max_connections = 77 AS restarted_with_the_option;
restarted_with_the_option
1
DROP TABLE t1;
"""


def statuses(output: str) -> dict[str, str]:
    """Test (without its suite: ``suite.a_kill`` is ``a_kill``) → the status word of its line."""
    found = {}
    for line in output.splitlines():
        if "[ " in line and not line.startswith(" "):
            name, _, rest = line.partition(" ")
            found[name.split(".", 1)[-1]] = rest.split("[ ", 1)[1].split(" ]", 1)[0]
    return found


def test_a_test_restarts_the_server_with_options_and_goes_on(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    write(suite / "t" / "a_restart.test", restart_test())
    write(suite / "r" / "a_restart.result", RESTART_RESULT)
    # The next test runs on a server without the option the first one restarted it with.
    write(suite / "t" / "b_after.test", "SELECT @@max_connections <> 77 AS options_restored;\n")
    write(suite / "r" / "b_after.result", "SELECT @@max_connections <> 77 AS options_restored;\noptions_restored\n1\n")
    run = run_tidbrun(suite)
    assert run.returncode == 0, run.output
    assert statuses(run.stdout) == {"a_restart": "pass", "b_after": "pass"}
    assert "crash" not in run.output and "died" not in run.output


def test_a_plain_restart_and_a_kill_with_timeout_0(tmp_path: Path) -> None:
    text = restart_test(line="restart", timeout="0").replace(
        "SELECT @@max_connections = 77 AS restarted_with_the_option;\n", ""
    )
    write(tmp_path / "kill_restart.test", text)
    write(tmp_path / "kill_restart.result", RESTART_RESULT.replace(
        "SELECT @@max_connections = 77 AS restarted_with_the_option;\nrestarted_with_the_option\n1\n", ""))
    run = run_tidbrun(tmp_path)
    assert run.returncode == 0, run.output


@pytest.mark.skipif(not (MYSQL_TEST_DIR / "include" / "restart_mysqld.inc").is_file(),
                    reason="the MariaDB mysql-test tree is not installed")
def test_mysql_test_runs_include_files(tmp_path: Path) -> None:
    write(tmp_path / "with_includes.test",
          "CREATE TABLE t1 (a INT);\n"
          "--let $restart_parameters= --max-connections=77\n"
          "--source include/restart_mysqld.inc\n"
          "SELECT @@max_connections;\n"
          "--source include/kill_mysqld.inc\n"
          "--let $restart_parameters=\n"
          "--source include/start_mysqld.inc\n"
          "SELECT @@max_connections <> 77 AS back_to_the_tests_options;\n"
          "DROP TABLE t1;\n")
    write(tmp_path / "with_includes.result",
          "CREATE TABLE t1 (a INT);\n"
          "# restart: --max-connections=77\n"
          "SELECT @@max_connections;\n@@max_connections\n77\n"
          "# Kill the server\n"
          "# restart\n"
          "SELECT @@max_connections <> 77 AS back_to_the_tests_options;\nback_to_the_tests_options\n1\n"
          "DROP TABLE t1;\n")
    run = run_tidbrun(tmp_path, "--basedir", MYSQL_TEST_DIR)
    assert run.returncode == 0, run.output


def test_a_server_killed_without_an_expect_file_is_a_crash(tmp_path: Path) -> None:
    write(tmp_path / "a_kill.test", "SELECT 1;\n--shutdown_server 0\nSELECT 2;\n--echo not reached\n")
    write(tmp_path / "a_kill.result", "SELECT 1;\n1\n1\nSELECT 2;\n2\n2\n--echo not reached\n")
    write(tmp_path / "b_next.test", "SELECT 3;\n")
    write(tmp_path / "b_next.result", "SELECT 3;\n3\n3\n")
    run = run_tidbrun(tmp_path, "--force")
    assert run.returncode == 1, run.output
    assert statuses(run.stdout) == {"a_kill": "fail", "b_next": "pass"}
    assert "the server was killed by signal 9 (SIGKILL) during this test" in run.stdout
    assert "server restarted in" in run.stderr


def test_a_test_that_leaves_the_server_stopped_fails(tmp_path: Path) -> None:
    write(tmp_path / "a_left.test", "SELECT 1;\n" + STOP.format(timeout="10") + "--echo left it stopped\n")
    write(tmp_path / "a_left.result", "SELECT 1;\n1\n1\nleft it stopped\n")
    write(tmp_path / "b_next.test", "SELECT 3;\n")
    write(tmp_path / "b_next.result", "SELECT 3;\n3\n3\n")
    run = run_tidbrun(tmp_path, "--force")
    assert run.returncode == 1, run.output
    assert statuses(run.stdout) == {"a_left": "fail", "b_next": "pass"}
    assert "the test stopped the server and did not ask for a restart" in run.stdout


def test_a_restart_the_server_refuses_stops_the_test_at_once(tmp_path: Path) -> None:
    write(tmp_path / "bad_option.test", restart_test(line="restart: --no-such-option-anywhere"))
    write(tmp_path / "bad_option.result", RESTART_RESULT)
    run = run_tidbrun(tmp_path, timeout=60)
    assert run.returncode == 1, run.output
    assert "could not be restarted as the test asked" in run.stdout
    assert "no-such-option-anywhere" in run.stdout


# -- shutdown_server on a server tidbrun did not start ----------------------------------------------------


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[EmbeddedServer]:
    server = EmbeddedServer(vardir=tmp_path / "var")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.parametrize(("timeout", "returncode"), [("10", 0), ("0", -9)])
def test_shutdown_server_stops_a_server_given_by_address(tmp_path: Path, own_server: EmbeddedServer,
                                                         timeout: str, returncode: int) -> None:
    suite = tmp_path / "suite"
    write(suite / "stop.test", f"SELECT 1;\n--shutdown_server {timeout}\n--error 2002,2006,2013\nSELECT 2;\n")
    write(suite / "stop.result", "SELECT 1;\n1\n1\nSELECT 2;\nGot one of the listed errors\n")
    args = server_args(own_server)
    run = run_tidbrun(suite, *args)
    assert run.returncode == 0, run.output
    assert own_server.exited() and own_server.returncode == returncode
