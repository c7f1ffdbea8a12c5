"""A big test named on the command line runs, as mysql-test-run.pl runs it (naming a test turns
``--big-test`` on); in a folder run it is skipped with MTR's reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_tidbrun, write
from tests.e2e.mtr_tree import have_installed_tree, make_tree

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not have_installed_tree(), reason="needs MariaDB's mysql-test tree (mariadb-test-data)"),
]


def _suite(tmp_path: Path) -> Path:
    root = make_tree(tmp_path / "mysql-test")
    suite = root / "suite" / "x"
    write(suite / "t" / "big.test", "--source include/big_test.inc\nSELECT 'big' AS ran;\n")
    write(suite / "r" / "big.result", "SELECT 'big' AS ran;\nran\nbig\n")
    write(suite / "t" / "small.test", "SELECT 'small' AS ran;\n")
    write(suite / "r" / "small.result", "SELECT 'small' AS ran;\nran\nsmall\n")
    return suite


def test_a_named_big_test_runs(tmp_path: Path) -> None:
    suite = _suite(tmp_path)
    by_path = run_tidbrun("--reject-dir", tmp_path / "rejects", suite / "t" / "big.test")
    assert by_path.returncode == 0, by_path.output
    assert "1 passed" in by_path.stdout
    by_name = run_tidbrun("--reject-dir", tmp_path / "rejects", "x.big", cwd=suite.parent.parent)
    assert by_name.returncode == 0, by_name.output
    assert "1 passed" in by_name.stdout


def test_a_big_test_in_a_folder_run_needs_big_test(tmp_path: Path) -> None:
    suite = _suite(tmp_path)
    run = run_tidbrun("--reject-dir", tmp_path / "rejects", suite)
    assert run.returncode == 0, run.output
    assert "Test needs --big-test" in run.stdout
    assert "1 passed, 0 failed, 1 skipped" in run.stdout
