"""A test whose server options MTR does not bootstrap with runs on a data directory bootstrapped
without them, as under mysql-test-run.pl: ``encryption.innodb_encrypt_log`` starts the server with
``--innodb-encrypt-log`` and the key-management plugin; bootstrapping with the first but not the
second left InnoDB off at bootstrap (no ``ibdata1``), and the test's restart after a kill found an
unusable system tablespace. mysql-test-run.pl passes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_tidbrun
from tests.integration.conftest import MYSQL_TEST_DIR

pytestmark = pytest.mark.e2e

TEST = MYSQL_TEST_DIR / "suite" / "encryption" / "t" / "innodb_encrypt_log.test"
PLUGIN = Path("/usr/lib/mysql/plugin/file_key_management.so")


@pytest.mark.skipif(not (TEST.is_file() and PLUGIN.is_file()),
                    reason="needs MariaDB's encryption suite and its file_key_management plugin")
def test_an_encrypted_redo_log_test_runs_on_a_plainly_bootstrapped_directory(tmp_path: Path) -> None:
    run = run_tidbrun("--reject-dir", tmp_path, TEST, timeout=300)
    assert run.returncode == 0, run.output
    assert "1 passed" in run.stdout
