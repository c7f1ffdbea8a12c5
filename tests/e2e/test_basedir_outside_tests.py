"""``--basedir`` with a test outside the mysql-test tree: tidbrun's server runs as MTR's (optional
plugins off), so the test gets the options of the files it includes (``include/have_innodb.opt``),
as a test inside the tree does."""

from __future__ import annotations

from pathlib import Path

import pytest

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
