"""Tests of several suites in one run each see their own suite (``$MTR_SUITE_DIR``,
``$MTR_TEST_NAME``), not the first test's: gcol's innodb_virtual_basic loads a Perl file from its
suite folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.server.mtr_env import test_identity as identity
from tests.conftest import run_tidbrun
from tests.integration.conftest import MYSQL_TEST_DIR

pytestmark = pytest.mark.e2e

FIRST = MYSQL_TEST_DIR / "main" / "1st.test"
SECOND = MYSQL_TEST_DIR / "suite" / "gcol" / "t" / "innodb_virtual_basic.test"


def test_identity_names_the_suite_folder_and_the_test() -> None:
    assert identity(Path("/m/suite/gcol/t"), Path("/m/suite/gcol/t/x.test")) == {
        "MTR_SUITE_DIR": "/m/suite/gcol",
        "MTR_TEST_NAME": "gcol.x",
    }
    assert identity(Path("/m/main"), Path("/m/main/y.test"))["MTR_TEST_NAME"] == "main.y"


@pytest.mark.skipif(not (FIRST.is_file() and SECOND.is_file()), reason="needs MariaDB's mysql-test tree")
def test_a_test_of_another_suite_sees_its_own_suite(tmp_path: Path) -> None:
    run = run_tidbrun("--force", "--reject-dir", str(tmp_path), FIRST, SECOND)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout
