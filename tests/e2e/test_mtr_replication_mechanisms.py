"""Real tests of MariaDB's suites that each needed a mechanism of mysqltest or mysql-test-run.pl,
run as a user runs them (mysql-test-run.pl passes every one on this machine):

- ``rpl.rpl_loaddata_symlink``: ``-slave.sh`` runs before the ``#!run-slave-sh`` server starts (it
  makes the symlink the slave's ``--slave-load-tmpdir`` names; without it the slave SQL thread
  cannot start and the test hangs in ``rpl_init.inc``);
- ``rpl.rpl_drop_temp``: mysqltest's ``wait_for_slave_to_stop`` command;
- ``rpl.rpl_skip_error``: every server's error log gets the ``CURRENT_TEST:`` mark, so
  ``assert_grep.inc`` on ``mysqld.2.err`` counts this test's messages only (its three combinations
  append to the same log: the last one found the warning of the two before it too);
- ``innodb.missing_tablespaces``: a reconnect goes back to the database chosen with ``USE``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_tidbrun
from tests.integration.conftest import MYSQL_TEST_DIR

pytestmark = pytest.mark.e2e

TESTS = [
    MYSQL_TEST_DIR / "suite" / "rpl" / "t" / "rpl_loaddata_symlink.test",
    MYSQL_TEST_DIR / "suite" / "rpl" / "t" / "rpl_drop_temp.test",
    MYSQL_TEST_DIR / "suite" / "rpl" / "t" / "rpl_skip_error.test",
    MYSQL_TEST_DIR / "suite" / "innodb" / "t" / "missing_tablespaces.test",
]


@pytest.mark.skipif(not all(test.is_file() for test in TESTS), reason="needs MariaDB's rpl and innodb suites")
def test_replication_and_reconnect_mechanisms(tmp_path: Path) -> None:
    run = run_tidbrun("--reject-dir", tmp_path, "--testcase-timeout", "120", *TESTS, timeout=600)
    assert run.returncode == 0, run.output
    assert "0 failed" in run.stdout, run.stdout
    for combination in ("row", "stmt", "mix"):
        assert f"rpl.rpl_skip_error '{combination}'" in run.stdout
