"""Accounts a test leaves behind on tidbrun's own server are dropped before the next test, the
first test's too: a result must not depend on which test ran first on a server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import run_tidbrun, write

pytestmark = pytest.mark.e2e


def test_an_account_left_by_the_first_test_is_dropped(tmp_path: Path) -> None:
    suite = tmp_path / "s"
    write(suite / "t" / "a_leaves.test", "CREATE USER leftover@localhost;\nselect 1 as a;\n")
    write(suite / "r" / "a_leaves.result", "CREATE USER leftover@localhost;\nselect 1 as a;\na\n1\n")
    create = "CREATE USER leftover@localhost;\nDROP USER leftover@localhost;\n"
    write(suite / "t" / "b_creates.test", create)
    write(suite / "r" / "b_creates.result", create)
    run = run_tidbrun("--force", suite)
    assert run.returncode == 0, run.output
    assert re.search(r"^2 passed, 0 failed", run.stdout, re.M), run.stdout
