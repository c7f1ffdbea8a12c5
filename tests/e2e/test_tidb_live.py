"""tidbrun against a real tidb-server: the pinned, failpoint-enabled build that `make tidb` puts
in ~/.cache/tidbrun. Without that build every test here skips, saying how to get it.

What was built from documents and recorded rows, shown live: statement KILL on TiDB, wait_until
on a real DDL job, `tidbrun jobs` during a real ADD INDEX, the embedded server killed mid-run, and
IMPORT INTO's absence on unistore.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from runner.server import binaries
from runner.server.connect import AdminError, open_connection
from runner.server.embedded import EmbeddedServer, ServerKind
from tests.conftest import run_tidbrun, tidbrun_command, write

TIDB_SERVER = binaries.cached_tidb_server()
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        TIDB_SERVER is None,
        reason="no tidb-server built: `make tidb` builds the pinned one into ~/.cache/tidbrun (a few minutes)",
    ),
]


@pytest.fixture(scope="module")
def tidb() -> Iterator[EmbeddedServer]:
    assert TIDB_SERVER is not None
    server = EmbeddedServer(kind=ServerKind("tidb", TIDB_SERVER))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def on_tidb(*args: str | Path) -> list[str | Path]:
    return ["--server", "tidb", "--no-password-prompt", *args]


def test_statement_timeout_kills_the_statement_on_tidb(tmp_path: Path) -> None:
    test = write(tmp_path / "slow.test", "select sleep(30);\nselect 1;\n")
    write(tmp_path / "slow.result", "")
    began = time.monotonic()
    run = run_tidbrun(*on_tidb(test, "--dialect", "mysqltest", "--statement-timeout", "1"))
    assert run.returncode == 1, run.output
    assert time.monotonic() - began < 25, "the statement ran on instead of being killed"
    assert "slow.test:1" in run.output
    assert "statement-timeout" in run.output or "killed" in run.output.lower(), run.output


def test_wait_until_waits_for_a_real_ddl_job(tmp_path: Path) -> None:
    test = write(tmp_path / "ddl.test", (
        "create table t (id int primary key, a int);\n"
        "insert into t values (1, 1), (2, 2), (3, 3);\n"
        "connect (ddl,localhost,root,,test);\n"
        "send alter table t add index ia (a);\n"
        "connection default;\n"
        "--wait_until `select count(*) = 1 from information_schema.ddl_jobs where table_name = 't' "
        "and job_type = 'add index' and state = 'synced'` 60\n"
        "select key_name from information_schema.tidb_indexes where table_name = 't' and key_name = 'ia';\n"
        "connection ddl;\n"
        "reap;\n"
        "connection default;\n"
        "drop table t;\n"
    ))  # fmt: skip
    write(tmp_path / "ddl.result", (
        "create table t (id int primary key, a int);\n"
        "insert into t values (1, 1), (2, 2), (3, 3);\n"
        "connect  ddl,localhost,root,,test;\n"
        "alter table t add index ia (a);\n"
        "connection default;\n"
        "select key_name from information_schema.tidb_indexes where table_name = 't' and key_name = 'ia';\n"
        "key_name\nia\n"
        "connection ddl;\n"
        "connection default;\n"
        "drop table t;\n"
    ))  # fmt: skip
    run = run_tidbrun(*on_tidb(test, "--dialect", "mysqltest"))
    assert run.returncode == 0, run.output


def test_jobs_shows_a_real_add_index_while_it_runs(tidb: EmbeddedServer) -> None:
    address = tidb.address
    conn = open_connection(address)
    conn.execute("create table test.big (id int primary key, a int, b varchar(40))")
    conn.execute("insert into test.big values (1, 1, 'row')")
    for _ in range(16):  # 65,536 rows: the index build takes a few seconds on two cores
        conn.execute("insert into test.big select id + (select max(id) from test.big), a + 1, b from test.big")
    done = threading.Event()

    def add_index() -> None:
        ddl = open_connection(address)
        try:
            ddl.execute("alter table test.big add index ia (a, b)")
        finally:
            ddl.close()
            done.set()

    worker = threading.Thread(target=add_index)
    worker.start()
    try:
        watched = subprocess.run(
            [*tidbrun_command(), "jobs", "--host", "127.0.0.1", "--port", str(address.port),
             "--duration", "2", "--interval", "0.3"],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    finally:
        worker.join(timeout=120)
        conn.execute("drop table test.big")
        conn.close()
    assert done.is_set()
    lines = [line for line in watched.stdout.splitlines() if "add index" in line]
    assert lines, watched.stdout + watched.stderr
    assert "target=test.big" in lines[0] and "ddl " in lines[0]
    assert any("state=running" in line or "state=queueing" in line for line in lines)


def test_import_into_needs_tikv_not_unistore(tidb: EmbeddedServer, tmp_path: Path) -> None:
    # Why `tidbrun jobs` is shown with ADD INDEX only: IMPORT INTO needs a PD address, which a
    # unistore tidb-server does not have.
    data = write(tmp_path / "rows.csv", "1,1,a\n2,2,b\n")
    conn = open_connection(tidb.address)
    try:
        conn.execute("create table test.imp (id int primary key, a int, b varchar(10))")
        with pytest.raises(AdminError) as info:
            conn.execute(f"import into test.imp from '{data}'")
        assert "URL scheme must be http, https, unix, or unixs" in str(info.value)
    finally:
        conn.execute("drop table if exists test.imp")
        conn.close()


def test_the_embedded_tidb_killed_mid_run_is_reported_and_restarted(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    write(suite / "t" / "a_slow.test", "select sleep(6);\n")
    write(suite / "r" / "a_slow.result", "select sleep(6);\nsleep(6)\n0\n")
    for name in ("b", "c"):
        write(suite / "t" / f"{name}.test", f"select '{name}';\n")
        write(suite / "r" / f"{name}.result", f"select '{name}';\n{name}\n{name}\n")
    vardir = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIDB_")}
    proc = subprocess.Popen(
        [*tidbrun_command(), "--server", "tidb", "--force", "--vardir", str(vardir), "t"],
        cwd=suite, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        victim = None
        deadline = time.monotonic() + 60
        while victim is None and time.monotonic() < deadline:
            victim = _tidb_server_pid(vardir, "a_slow")
            time.sleep(0.1)
        assert victim is not None, "the first test never reached the server"
        os.kill(victim, signal.SIGKILL)
        output, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = output.decode("latin-1")
    assert proc.returncode == 1, text
    assert "server died during a_slow: it was killed by signal 9 (SIGKILL)" in text
    assert "last lines of the server's error log" in text
    assert "server restarted" in text
    assert "2 passed, 1 failed" in text


def _tidb_server_pid(vardir: Path, database: str) -> int | None:
    """The tidb-server serving ``vardir``, once the test's database exists (the test is running)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv and argv[0].endswith(b"tidb-server") and any(str(vardir).encode() in a for a in argv):
            log = vardir / "log" / "mysqld.1.err"
            if log.is_file() and f"CREATE DATABASE `{database}`" in log.read_text(errors="replace"):
                return int(entry.name)
    return None


def test_a_ddl_statement_no_kill_ends_is_cut_at_the_statement_timeout(tmp_path: Path) -> None:
    # With this failpoint on, TiDB's own DDL framework fails and a DDL statement waits for its job
    # for good; neither KILL QUERY nor KILL CONNECTION ends the wait.
    test = write(tmp_path / "hang.test", (
        "--failpoint enable github.com/pingcap/tidb/pkg/executor/mockProjectionExecBaseExecutorOpenReturnedError "
        "return(true)\n"
        "create table hang_t (a int);\n"
    ))  # fmt: skip
    write(tmp_path / "hang.result", "")
    began = time.monotonic()
    run = run_tidbrun(*on_tidb(test, "--dialect", "mysqltest", "--statement-timeout", "2"), timeout=90)
    assert run.returncode == 1, run.output
    assert time.monotonic() - began < 40
    assert "after KILL CONNECTION; tidbrun cut its connection" in run.output
    assert "hang.test:2: statement timed out after 2 s" in run.output
