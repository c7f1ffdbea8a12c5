"""``--user``/``--password``/``-p`` name an account on a server the user names; against tidbrun's
own server (no --host/--port/--socket) they are a usage error, never silently ignored."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_tidbrun, write

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("options", [("--user", "bob"), ("--password", "s3cret-word"), ("--user=bob", "-ps3cret-word")])
def test_an_account_for_the_own_server_is_a_usage_error(tmp_path: Path, options: tuple[str, ...]) -> None:
    test = write(tmp_path / "t" / "x.test", "select 1 as a;\n")
    run = run_tidbrun(*options, test)
    assert run.returncode == 2, run.output
    assert "tidbrun: --user/--password name an account on a server given with --host, --port or --socket" \
        in run.stderr, run.output
    assert "s3cret-word" not in run.output
    assert "Traceback" not in run.output


def test_minus_p_alone_is_refused_before_asking(tmp_path: Path) -> None:
    test = write(tmp_path / "t" / "x.test", "select 1 as a;\n")
    run = run_tidbrun("-p", test)
    assert run.returncode == 2, run.output
    assert "Enter password" not in run.output
    assert "--user/--password name an account" in run.stderr
