"""A test's own .cnf: its [mysqld.1] options and its [ENV] variables, the latter for the test and
for the server (runner.run.cases)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from runner.run import suite
from runner.run.cases import plan_tests

MYSQL_TEST = Path("/usr/share/mysql/mysql-test")
TEST = MYSQL_TEST / "main" / "mdev_39118.test"

pytestmark = pytest.mark.skipif(
    not TEST.is_file() or not (shutil.which("mariadbd") or Path("/usr/sbin/mariadbd").is_file())
    or shutil.which("perl") is None,
    reason="needs MariaDB's mysql-test tree (mdev_39118 and its .cnf) and mariadbd",
)


def test_the_cnf_env_goes_to_the_test_and_to_the_server() -> None:
    case = suite.TestCase(TEST, "mdev_39118", TEST.with_suffix(".result"))
    (planned,) = plan_tests([case], MYSQL_TEST, big_test=False, external=False)
    assert planned.server_environment == (("HOME", "~/"),)
    assert ("HOME", "~/") in planned.environment


def test_a_named_server_gets_no_server_environment() -> None:
    case = suite.TestCase(TEST, "mdev_39118", TEST.with_suffix(".result"))
    (planned,) = plan_tests([case], MYSQL_TEST, big_test=False, external=True)
    assert planned.server_environment == ()
