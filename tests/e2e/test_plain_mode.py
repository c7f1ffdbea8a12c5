"""``--plain``: a mysql-test tree's tests as the reference mysqltest runs them by hand against a
plain server, without what mysql-test-run.pl adds (here: suite.pm's skip of tests that source
include/have_debug.inc on a release build)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import run_tidbrun
from tests.integration.conftest import MYSQL_TEST_DIR

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not (MYSQL_TEST_DIR / "main" / "range_debug.test").is_file() or shutil.which("perl") is None,
        reason="needs MariaDB's mysql-test tree (main/range_debug.test) and perl for suite.pm",
    ),
]


def test_plain_runs_what_mysql_test_run_would_skip(tmp_path: Path) -> None:
    test = MYSQL_TEST_DIR / "main" / "range_debug.test"
    rejects = ["--reject-dir", str(tmp_path)]
    as_mtr = run_tidbrun(*rejects, test)
    assert as_mtr.returncode == 0, as_mtr.stderr
    assert "[ skip ]" in as_mtr.stdout and "Requires debug build" in as_mtr.stdout
    by_hand = run_tidbrun("--plain", *rejects, test)
    assert by_hand.returncode == 0, by_hand.stdout + by_hand.stderr
    assert "[ pass ]" in by_hand.stdout
