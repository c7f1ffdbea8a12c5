"""Resilience as a user sees it: an unreachable server, timeouts, interrupts, a server that crashes,
and --record killed in the middle. (The figures of the same scenarios: tools/faults.)"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from runner.server.embedded import EmbeddedServer
from tests.conftest import run_tidbrun, server_args, write
from tests.e2e.faults_helpers import alive, closed_port, read_lines_until, start_tidbrun, wait_for_child

pytestmark = pytest.mark.e2e






def record(folder: Path, server: EmbeddedServer) -> None:
    run = run_tidbrun(folder, "--record", *server_args(server))
    assert run.returncode == 0, run.output


def test_a_closed_port_is_a_clear_error_and_every_test_is_not_run(tmp_path: Path) -> None:
    for name in ("a", "b", "c"):
        write(tmp_path / f"{name}.test", "select 1;\n")
    port = closed_port()
    started = time.monotonic()
    run = run_tidbrun(tmp_path, "--host", "127.0.0.1", "--port", str(port))
    elapsed = time.monotonic() - started
    assert elapsed < 10, elapsed
    assert run.returncode == 2, run.output
    # libmariadb's number and words for a refused TCP connection, as the driver gives them.
    assert f"tidbrun: cannot reach the server at 127.0.0.1:{port}: 2002 (HY000)" in run.stderr
    assert "gave up after" in run.stderr
    lines = run.stdout.splitlines()
    suite = tmp_path.name  # the tests' suite: the folder they are in
    assert [line.split()[0] for line in lines if "[ not run ]" in line] == [f"{suite}.{t}" for t in "abc"]
    assert f"could not run: {suite}.a, {suite}.b, {suite}.c" in run.stdout
    assert "0 passed, 0 failed, 0 skipped, 3 not run" in run.stdout
    assert "Traceback" not in run.output


def test_statement_timeout_kills_reports_and_the_next_test_runs(tmp_path: Path,
                                                                 embedded_server: EmbeddedServer) -> None:
    write(tmp_path / "b_next.test", "select 3 as y;\n")
    record(tmp_path, embedded_server)
    write(tmp_path / "a_slow.test", "select 1 as x;\nselect sleep(20);\nselect 2;\n")
    report, log = tmp_path / "out" / "report.json", tmp_path / "out" / "run.log"
    started = time.monotonic()
    run = run_tidbrun(tmp_path, "--force", "--statement-timeout", "1", "--report-file", report, "--log-file", log,
                      *server_args(embedded_server))
    assert time.monotonic() - started < 15
    assert run.returncode == 1, run.output
    assert (f"{tmp_path / 'a_slow.test'}:2: statement timed out after 1 s (--statement-timeout) and was killed "
            "with KILL QUERY: connection 'default'") in run.stdout
    assert "b_next" in run.stdout and "1 passed, 1 failed" in run.stdout
    document = json.loads(report.read_text())
    slow, following = document["tests"]
    assert (slow["name"], slow["status"], following["status"]) == ("a_slow", "fail", "pass")
    context = slow["context"]
    assert context["statement"] == "select sleep(20)" and context["connection"] == "default"
    assert context["location"] == f"{tmp_path / 'a_slow.test'}:2" and context["user"] == "root"
    assert document["summary"] == {"passed": 1, "failed": 1, "skipped": 0, "not_run": 0, "flaky": 0,
                                   "seconds": document["summary"]["seconds"], "exit_code": 1}
    text = log.read_text()
    assert "statement timed out after 1 s" in text and "a_slow: fail" in text and "context: test a_slow" in text


def test_the_context_of_a_failing_statement(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    write(tmp_path / "x.test", "select 1;\nselect * from no_such_table;\n")
    run = run_tidbrun(tmp_path / "x.test", *server_args(embedded_server))
    assert run.returncode == 1, run.output
    lines = run.lines()
    assert f"test x at {tmp_path / 'x.test'}:2" in lines
    assert "statement: select * from no_such_table" in lines
    assert f"connection 'default' root@localhost:{embedded_server.address.port} " \
           f"(socket {embedded_server.address.socket})" in lines
    assert "error 1146 (42S02) [permanent]: Table 'test.no_such_table' doesn't exist" in lines


@pytest.mark.parametrize(
    ("body", "running"),
    [
        ("--sleep 30\n", "running: 'sleep 30' at"),
        ("select sleep(30);\n", "running: connection 'default'"),
        ("let $i = 0;\nwhile (1)\n{\n  inc $i;\n}\n", "running: "),
    ],
    ids=["sleep", "statement", "loop"],
)
def test_testcase_timeout_stops_the_test_whatever_it_does(tmp_path: Path, embedded_server: EmbeddedServer,
                                                          body: str, running: str) -> None:
    write(tmp_path / "b_next.test", "select 3 as y;\n")
    record(tmp_path, embedded_server)
    write(tmp_path / "a_long.test", "select 1 as x;\n" + body)
    started = time.monotonic()
    run = run_tidbrun(tmp_path, "--force", "--testcase-timeout", "1.5", *server_args(embedded_server))
    assert time.monotonic() - started < 15
    assert run.returncode == 1, run.output
    assert "test stopped: --testcase-timeout 1.5 s expired; " + running in run.stdout
    assert "1 passed, 1 failed" in run.stdout


def test_suite_timeout_stops_the_run_and_reports_the_rest_not_run(tmp_path: Path,
                                                                  embedded_server: EmbeddedServer) -> None:
    for name in ("a", "b", "c"):
        write(tmp_path / f"{name}.test", "--sleep 1\nselect 1 as x;\n")
    record(tmp_path, embedded_server)
    run = run_tidbrun(tmp_path, "--force", "--suite-timeout", "1.6", *server_args(embedded_server))
    assert run.returncode == 1, run.output
    assert "test stopped: --suite-timeout 1.6 s expired" in run.stdout
    assert "not run: --suite-timeout 1.6 s expired" in run.stdout
    assert "1 passed, 1 failed, 0 skipped, 1 not run" in run.stdout


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["INT", "TERM"])
def test_an_interrupt_stops_the_test_stops_the_server_and_cleans_up(tmp_path: Path, signum: int, code: int) -> None:
    suite = tmp_path / "suite"
    for name in ("a", "b", "c"):
        write(suite / f"{name}.test", "select sleep(20);\n")
    temp = tmp_path / "tmp"
    temp.mkdir()
    proc = start_tidbrun(suite, "--force", TMPDIR=str(temp))
    try:
        server = wait_for_child(proc.pid)
        deadline = time.monotonic() + 60
        while not any(temp.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.5)  # the server is up, the first test is in `select sleep(20)`
        sent = time.monotonic()
        proc.send_signal(signum)
        stdout, stderr = proc.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
    out = stdout.decode() + stderr.decode()
    assert proc.returncode == code, out
    assert took < 10, took
    assert f"interrupted by {signal.Signals(signum).name}: the test in flight was stopped" in out
    assert "0 passed, 0 failed, 0 skipped, 3 not run" in out
    assert not alive(server)
    assert list(temp.iterdir()) == []  # the vardir, the socket, everything tidbrun made


def test_a_crashed_embedded_server_fails_the_test_in_flight_only(tmp_path: Path,
                                                                  embedded_server: EmbeddedServer) -> None:
    for name in ("a", "b", "c", "d"):
        write(tmp_path / f"{name}.test", f"create table {name} (x int);\nselect sleep(1);\ndrop table {name};\n")
    record(tmp_path, embedded_server)
    proc = start_tidbrun(tmp_path, "--force")
    try:
        read_lines_until(proc.stdout, "[ pass ]", 60)  # test a
        time.sleep(0.4)  # b is in its sleep(1)
        os.kill(wait_for_child(proc.pid), signal.SIGKILL)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    out = stdout.decode()
    assert proc.returncode == 1, out + stderr.decode()
    assert "the server was killed by signal 9 (SIGKILL) during this test" in out
    assert "--- last lines of the server's error log ---" in out
    assert "3 passed, 1 failed" in out
    assert "server restarted in" in stderr.decode()
    failed = [line.split()[0] for line in out.splitlines() if "[ fail ]" in line]
    assert failed == [f"{tmp_path.name}.b"]


def results(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.glob("*.result")}


def test_record_killed_with_sigkill_leaves_each_result_old_or_new(tmp_path: Path,
                                                                   embedded_server: EmbeddedServer) -> None:
    """--record may write x.result or, when that differs, x.<flavour>.result: every result file
    there is must hold its content from before the run or from a complete run, never a part."""
    suite = tmp_path / "suite"
    names = [f"t{n:02d}" for n in range(30)]
    for name in names:
        write(suite / f"{name}.test", f"select '{name}' as name, sleep(0.02) as s;\n")
        write(suite / f"{name}.result", f"old result of {name}\n")
    record(suite, embedded_server)  # learns which files a recording writes
    old = {file: f"old content of {file}\n".encode() for file in results(suite)}

    def restore() -> None:
        for file, content in old.items():
            (suite / file).write_bytes(content)

    restore()
    record(suite, embedded_server)
    new = results(suite)
    assert set(new) == set(old) and any(new[file] != old[file] for file in old)
    outcomes = set()
    for kill_after in (1, 12, 25):
        restore()
        proc = start_tidbrun(suite, "--record", *server_args(embedded_server))
        try:
            read_lines_until(proc.stdout, names[kill_after - 1], 60)
            proc.kill()  # SIGKILL: no cleanup of any kind
            proc.wait(10)
        finally:
            if proc.poll() is None:
                proc.kill()
        now = results(suite)
        assert set(now) == set(old)
        for file, content in now.items():
            assert content in (old[file], new[file]), (file, content)
            if old[file] != new[file]:
                outcomes.add(content == new[file])
        leftovers = [p.name for p in suite.iterdir() if p.suffix == ".tmp"]
        assert len(leftovers) <= 1, leftovers  # at most the one write the kill cut short
        for name in leftovers:
            (suite / name).unlink()
    assert outcomes == {True, False}  # the kills did land in the middle of the runs
