"""``--basedir`` with a test outside the mysql-test tree: tidbrun's server runs as MTR's (optional
plugins off), so the test gets the options of the files it includes (``include/have_innodb.opt``),
as a test inside the tree does."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.server.embedded import find_server_kind
from tests.conftest import run_tidbrun, write
from tests.integration.conftest import MYSQL_TEST_DIR

pytestmark = pytest.mark.e2e


@pytest.mark.skipif(not (MYSQL_TEST_DIR / "include" / "have_innodb.opt").is_file(),
                    reason="needs MariaDB's mysql-test tree (mariadb-test-data) with include/have_innodb.opt")
def test_an_outside_test_gets_the_options_of_its_includes(tmp_path: Path) -> None:
    body = "--source include/have_innodb.inc\ncreate table t1 (a int) engine=innodb;\ndrop table t1;\n"
    write(tmp_path / "t" / "uses_innodb.test", body)
    write(tmp_path / "r" / "uses_innodb.result", "create table t1 (a int) engine=innodb;\ndrop table t1;\n")
    run = run_tidbrun(tmp_path / "t" / "uses_innodb.test", "--basedir", MYSQL_TEST_DIR)
    assert "Unknown storage engine" not in run.output
    assert run.returncode == 0, run.output
    assert "uses_innodb" in run.stdout and "[ pass ]" in run.stdout, run.stdout


@pytest.mark.skipif(not (MYSQL_TEST_DIR / "include" / "have_innodb.opt").is_file(),
                    reason="needs MariaDB's mysql-test tree (mariadb-test-data) with include/have_innodb.opt")
def test_a_test_can_start_the_server_as_it_was_last_started(tmp_path: Path) -> None:
    # MTR exports $MYSQLD_LAST_CMD ("$exe  @args"); innodb.index_vcol_purge_startup execs it with
    # options that must make the server refuse to start.
    body = (
        "--source include/have_innodb.inc\n"
        "--let $program= `SELECT SUBSTRING_INDEX(LTRIM('$MYSQLD_LAST_CMD'), ' ', 1)`\n"
        "--let $innodb_reached= `SELECT LOCATE(' --innodb ', '$MYSQLD_LAST_CMD') > 0`\n"
        "--echo $program $innodb_reached\n"
    )
    write(tmp_path / "t" / "last_cmd.test", body)
    kind = find_server_kind()
    if kind is None or kind.kind != "mariadb":
        pytest.skip("needs a MariaDB server")
    write(tmp_path / "r" / "last_cmd.result", f"{kind.server} 1\n")
    run = run_tidbrun(tmp_path / "t" / "last_cmd.test", "--basedir", MYSQL_TEST_DIR)
    assert run.returncode == 0, run.output
