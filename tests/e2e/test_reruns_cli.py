"""Reruns and selection from the command line: --retry-failure (flaky in every report),
--fail-on-flaky, --max-test-fail (also with -j), --repeat, --last-failed and --suite."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

from runner.server.embedded import EmbeddedServer
from tests.conftest import run_tidbrun, server_args, write

pytestmark = pytest.mark.e2e

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "junit-jenkins.xsd"
# Fails on its first run (prints "first" and leaves a mark), passes on every later one.
FLAKY = "--exec test -f $MARK && echo second || (touch $MARK; echo first)\n"


def lines_of(stdout: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in re.finditer(r"^(\S+(?: '[^']*')?)\s+\[ ([a-z ]+) \]", stdout, re.M)]


def test_a_test_that_passes_on_a_rerun_is_flaky_in_every_report(tmp_path: Path,
                                                                 embedded_server: EmbeddedServer) -> None:
    folder = tmp_path / "re"
    write(folder / "t" / "flaky.test", FLAKY)
    write(folder / "r" / "flaky.result", "second\n")
    out = tmp_path / "out"
    options: list[str | Path] = [
        "--retry-failure", "2", "--var", f"MARK={tmp_path / 'mark'}", "--report-file", out / "r.json",
        "--junit", out / "j.xml", "--html", out / "r.html", folder, *server_args(embedded_server),
    ]
    run = run_tidbrun(*options, cwd=tmp_path)
    assert run.returncode == 0, run.output
    assert lines_of(run.stdout) == [("re.flaky", "flaky")]
    assert "failed before: result content mismatch" in run.stdout
    assert "1 passed, 0 failed, 0 skipped, 1 flaky (passed on a rerun)" in run.stdout
    document = json.loads((out / "r.json").read_text())
    assert document["tests"][0]["status"] == "flaky" and document["summary"]["flaky"] == 1
    assert "+first" in document["tests"][0]["earlier_failures"][0]["diff"]
    xmlschema.XMLSchema(str(SCHEMA)).validate(str(out / "j.xml"))
    (case,) = ET.parse(out / "j.xml").getroot().iter("testcase")
    assert case.get("status") == "flaky" and case.find("failure") is None
    assert 'data-status="flaky"' in (out / "r.html").read_text()
    # The same with --fail-on-flaky fails the run; without --retry-failure the test fails.
    (tmp_path / "mark").unlink()
    strict = run_tidbrun(*options, "--fail-on-flaky", cwd=tmp_path)
    assert strict.returncode == 1 and lines_of(strict.stdout) == [("re.flaky", "flaky")], strict.output
    (tmp_path / "mark").unlink()
    once = run_tidbrun("--var", f"MARK={tmp_path / 'mark'}", folder, *server_args(embedded_server), cwd=tmp_path)
    assert once.returncode == 1 and lines_of(once.stdout) == [("re.flaky", "fail")]


def failing_suite(root: Path, failing: int, passing: int) -> Path:
    folder = root / "mf"
    for n in range(failing):
        write(folder / "t" / f"f{n}.test", f"select {n} as v;\n")
        write(folder / "r" / f"f{n}.result", f"select {n} as v;\nv\n-1\n")
    for n in range(passing):
        write(folder / "t" / f"p{n}.test", f"select {n} as v;\n")
        write(folder / "r" / f"p{n}.result", f"select {n} as v;\nv\n{n}\n")
    return folder


def test_max_test_fail_stops_the_run_and_names_the_rest_not_run(tmp_path: Path,
                                                                embedded_server: EmbeddedServer) -> None:
    folder = failing_suite(tmp_path, failing=4, passing=2)
    run = run_tidbrun("--force", "--max-test-fail", "2", folder, *server_args(embedded_server), cwd=tmp_path)
    assert run.returncode == 1, run.output
    statuses = [status for _, status in lines_of(run.stdout)]
    assert statuses == ["fail", "fail", "not run", "not run", "not run", "not run"], run.stdout
    assert "not run: 2 tests failed (--max-test-fail 2)" in run.stdout
    assert "0 passed, 2 failed, 0 skipped, 4 not run" in run.stdout


def test_max_test_fail_with_workers(tmp_path: Path) -> None:
    folder = failing_suite(tmp_path, failing=6, passing=4)
    run = run_tidbrun("--force", "-j", "2", "--max-test-fail", "1", folder, cwd=tmp_path, timeout=180)
    assert run.returncode == 1, run.output
    statuses = [status for _, status in lines_of(run.stdout)]
    assert len(statuses) == 10 and "not run" in statuses, run.stdout  # every test is accounted for
    assert statuses.count("fail") <= 2  # the one that hit the limit, and at most the other worker's test
    assert "not run: 1 test failed (--max-test-fail 1)" in run.stdout


def test_repeat_runs_each_test_again(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    folder = failing_suite(tmp_path, failing=0, passing=2)
    run = run_tidbrun("--repeat", "3", folder, *server_args(embedded_server), cwd=tmp_path)
    assert run.returncode == 0, run.output
    assert [name for name, _ in lines_of(run.stdout)] == ["mf.p0"] * 3 + ["mf.p1"] * 3


def test_last_failed_runs_the_failures_of_the_previous_run(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    folder = failing_suite(tmp_path, failing=1, passing=2)
    first = run_tidbrun("--force", folder, *server_args(embedded_server), cwd=tmp_path)
    assert first.returncode == 1
    cache = json.loads((tmp_path / ".tidbrun_cache" / "lastfailed.json").read_text())
    assert list(cache.values()) == ["mf.f0"]
    again = run_tidbrun("--last-failed", folder, *server_args(embedded_server), cwd=tmp_path)
    assert [name for name, _ in lines_of(again.stdout)] == ["mf.f0"], again.output
    write(folder / "r" / "f0.result", "select 0 as v;\nv\n0\n")  # fixed
    fixed = run_tidbrun("--last-failed", folder, *server_args(embedded_server), cwd=tmp_path)
    assert fixed.returncode == 0 and [name for name, _ in lines_of(fixed.stdout)] == ["mf.f0"]
    everything = run_tidbrun("--last-failed", folder, *server_args(embedded_server), cwd=tmp_path)
    assert everything.returncode == 0 and len(lines_of(everything.stdout)) == 3
    assert "no test here failed in the last run; running them all" in everything.stderr


def test_suite_picks_suites_of_a_mysql_test_tree(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    tree = tmp_path / "mysql-test"
    write(tree / "mysql-test-run.pl", "")
    (tree / "lib").mkdir()
    write(tree / "main" / "m.test", "select 1 as m;\n")
    write(tree / "suite" / "one" / "t" / "a.test", "select 1 as a;\n")
    write(tree / "suite" / "one" / "r" / "a.result", "select 1 as a;\na\n1\n")
    write(tree / "suite" / "two" / "t" / "b.test", "select 1 as b;\n")
    listed = run_tidbrun("--collect-only", "--suite", "one,two", cwd=tree)
    assert listed.returncode == 0 and listed.stdout == "one.a\ntwo.b\n", listed.output
    run = run_tidbrun("--suite", "one", tree, *server_args(embedded_server))
    assert run.returncode == 0 and lines_of(run.stdout) == [("one.a", "pass")], run.output
    unknown = run_tidbrun("--suite", "three", "--basedir", tree)
    assert unknown.returncode == 2 and f"--suite three: no such suite in {tree}" in unknown.stderr
