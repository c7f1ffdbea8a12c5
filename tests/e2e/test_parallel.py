"""``tidbrun -j N``: each worker its own embedded server; whole reports, the same summary."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from runner.server.embedded import EmbeddedServer
from tests.conftest import run_tidbrun, server_args, write

pytestmark = pytest.mark.e2e


def make_suite(root: Path) -> Path:
    for n in range(1, 5):
        # Each test leaves a table behind and counts what it finds: workers that shared a server
        # (or a cleanup that did not happen) would show up as a count other than 1.
        query = "select count(*) as c from information_schema.tables where table_schema='test';\n"
        write(root / "t" / f"p{n}.test", f"create table t{n} (a int);\n{query}")
        write(root / "r" / f"p{n}.result", f"create table t{n} (a int);\n{query}c\n1\n")
    write(root / "t" / "bad.test", "select 1 as a;\n")
    write(root / "r" / "bad.result", "select 1 as a;\na\n2\n")
    return root


def test_two_workers_give_the_summary_of_one(tmp_path: Path) -> None:
    suite = make_suite(tmp_path / "s")
    report = tmp_path / "report.json"
    run = run_tidbrun("-j", "2", "--force", "--report-file", report, suite, timeout=180)
    assert run.returncode == 1, run.output
    assert "Traceback" not in run.output
    assert re.search(r"^4 passed, 1 failed, 0 skipped in ", run.stdout, re.M), run.stdout
    document = json.loads(report.read_text())
    assert sorted(t["name"] for t in document["tests"]) == ["bad", "p1", "p2", "p3", "p4"]
    # The failing test's diff follows its own line, not another test's.
    lines = run.stdout.splitlines()
    bad = next(i for i, line in enumerate(lines) if line.startswith("s.bad "))
    assert lines[bad + 1].startswith("    result content mismatch"), run.stdout


def test_without_force_the_run_stops_after_a_failure(tmp_path: Path) -> None:
    suite = tmp_path / "s"
    for n in range(1, 7):
        write(suite / "t" / f"q{n}.test", "select 1 as a;\n")
        write(suite / "r" / f"q{n}.result", "select 1 as a;\na\n2\n")
    run = run_tidbrun("-j", "2", suite, timeout=180)
    assert run.returncode == 1
    failed = len(re.findall(r"\[ fail \]", run.stdout))
    assert 1 <= failed <= 2, run.stdout  # the other worker may have had one in flight
    assert "not run" in run.stdout.splitlines()[-1], run.stdout


def test_a_named_server_needs_the_mysql_tester_dialect(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    suite = make_suite(tmp_path / "s")
    run = run_tidbrun("-j", "2", *server_args(embedded_server), suite)
    assert run.returncode == 2
    assert "-j with a named server needs the mysql-tester dialect" in run.stderr
    assert "Traceback" not in run.output
