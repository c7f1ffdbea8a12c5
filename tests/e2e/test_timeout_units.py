"""``--testcase-timeout``/``--suite-timeout``/``--statement-timeout`` take units (``90s``, ``15m``,
``1h``); a bare number stays seconds, and --help says so (mysql-test-run.pl's are minutes)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from runner.server.embedded import EmbeddedServer
from tests.conftest import run_tidbrun, server_args, write

pytestmark = pytest.mark.e2e


def test_help_names_the_units() -> None:
    text = " ".join(run_tidbrun("--help").stdout.split())
    for option in TIMEOUTS:
        assert option in text
    assert "90s, 15m, 1h" in text, text
    assert "a bare number is seconds" in text, text


def test_a_timeout_with_a_unit_is_applied(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    write(tmp_path / "t" / "slow.test", "select 1 as x;\n--sleep 30\n")
    write(tmp_path / "r" / "slow.result", "select 1 as x;\nx\n1\n")
    started = time.monotonic()
    run = run_tidbrun(tmp_path / "t", "--testcase-timeout", "1s", *server_args(embedded_server))
    assert time.monotonic() - started < 15, run.output
    assert run.returncode == 1, run.output
    assert "test stopped: --testcase-timeout 1 s expired" in run.stdout, run.output


def test_a_statement_timeout_with_a_unit_is_applied(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    write(tmp_path / "t" / "slow.test", "select sleep(30);\n")
    write(tmp_path / "r" / "slow.result", "select sleep(30);\nsleep(30)\n0\n")
    started = time.monotonic()
    run = run_tidbrun(tmp_path / "t", "--statement-timeout", "0.02m", *server_args(embedded_server))
    assert time.monotonic() - started < 15, run.output
    assert run.returncode == 1, run.output


TIMEOUTS = ("--testcase-timeout", "--suite-timeout", "--statement-timeout", "--connect-timeout")


@pytest.mark.parametrize("option", TIMEOUTS)
def test_a_bad_duration_is_a_usage_error(tmp_path: Path, option: str) -> None:
    test = write(tmp_path / "t" / "x.test", "select 1;\n")
    run = run_tidbrun(test, option, "15x")
    assert run.returncode == 2, run.output
    assert "15x" in run.stderr and "90s, 15m, 1h" in run.stderr, run.output
    assert "Traceback" not in run.output


def test_a_config_file_takes_units_too(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    write(tmp_path / "t" / "slow.test", "select 1 as x;\n--sleep 30\n")
    write(tmp_path / "r" / "slow.result", "select 1 as x;\nx\n1\n")
    config = write(tmp_path / "tidbrun.toml", '[test]\ntestcase_timeout = "1s"\n')
    run = run_tidbrun(tmp_path / "t", "--config", config, *server_args(embedded_server))
    assert run.returncode == 1, run.output
    assert "test stopped: --testcase-timeout 1 s expired" in run.stdout, run.output
