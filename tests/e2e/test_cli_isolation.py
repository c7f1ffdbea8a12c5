"""The CLI options of blocked-statement testing: --var, --reap-timeout, and per-flavour results."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.server.embedded import EmbeddedServer
from tests.conftest import run_tidbrun
from tests.e2e.test_cli import assert_no_traceback, server_args, write

pytestmark = pytest.mark.e2e


def test_var_sets_variables_for_the_test(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    test = write(tmp_path / "x.test", "--echo rows=$rows, level=$level\n")
    run = run_tidbrun(test, "--record", "--var", "rows=12", "--var", "level=READ COMMITTED",
                      *server_args(embedded_server))
    assert run.returncode == 0, run.output
    assert (tmp_path / "x.result").read_text() == "rows=12, level=READ COMMITTED\n"


def test_a_bad_var_is_a_usage_error(tmp_path: Path) -> None:
    test = write(tmp_path / "x.test", "--echo hi\n")
    run = run_tidbrun(test, "--var", "rows")
    assert run.returncode == 2
    assert "--var needs NAME=VALUE" in run.stderr
    assert_no_traceback(run)


def test_reap_timeout_fails_the_test_instead_of_hanging(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    test = write(tmp_path / "x.test", """create table w (id int primary key) engine=InnoDB;
insert into w values (1);
connect (a,localhost,root,,);
begin;
select * from w for update;
connect (b,localhost,root,,);
send select * from w for update;
reap;
""")
    run = run_tidbrun(test, "--reap-timeout", "1", *server_args(embedded_server), timeout=60)
    assert run.returncode == 1, run.output
    assert "did not finish within 1 s (--reap-timeout)" in run.stdout
    assert "waits for a row lock" in run.stdout
    assert_no_traceback(run)


def test_a_flavour_result_wins_and_record_writes_one_only_when_needed(
    tmp_path: Path, embedded_server: EmbeddedServer
) -> None:
    test = write(tmp_path / "t" / "x.test", "select 1 as x;\n")
    default = write(tmp_path / "r" / "x.result", "select 1 as x;\nx\n2\n")  # what another server says
    specific = tmp_path / "r" / "x.mariadb.result"
    failed = run_tidbrun(test, *server_args(embedded_server))
    assert failed.returncode == 1
    recorded = run_tidbrun(test, "--record", "--record-flavour", *server_args(embedded_server))
    assert recorded.returncode == 0, recorded.output
    assert "x.mariadb.result: differs from x.result" in recorded.stdout
    assert default.read_text() == "select 1 as x;\nx\n2\n"
    assert specific.read_text() == "select 1 as x;\nx\n1\n"
    passed = run_tidbrun(test, *server_args(embedded_server))
    assert passed.returncode == 0, passed.output
    # Once the default says the same, recording drops the flavour's own file.
    default.write_text("select 1 as x;\nx\n1\n")
    again = run_tidbrun(test, "--record", *server_args(embedded_server))
    assert again.returncode == 0, again.output
    assert not specific.exists()
    assert sorted(p.name for p in (tmp_path / "r").glob("*.result")) == ["x.result"]


def test_a_malformed_permutations_block_is_an_input_error(tmp_path: Path) -> None:
    test = write(tmp_path / "x.test", "--permutations\nsession a\nstep a1 { select 1 }\npermutation a2\n"
                                      "--end_permutations\n")
    run = run_tidbrun(test, "--parse-only")
    assert run.returncode == 2
    assert f"{test}:4: permutation: no step named 'a2'" in run.stderr
    assert_no_traceback(run)
