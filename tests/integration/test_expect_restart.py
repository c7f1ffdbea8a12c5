"""The expect-file protocol and ``shutdown_server`` on real servers.

The watcher is tried on a private embedded server of each test (they kill it). ``shutdown_server``
is compared with the reference mysqltest: on a fresh private server when it really stops one, on
the session's server when it must fail and leave the server running.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from runner.faults.crash import CrashWatch
from runner.server.address import ServerAddress
from runner.server.embedded import EmbeddedServer
from runner.server.expect import Death, ExpectWatcher
from runner.server.mtr_env import test_environment as mtr_environment
from runner.sessions.driver import ConnectParams, connect
from tests.integration.conftest import mysql_test_dir_or_none, wait_for
from tests.integration.test_interpreter import Bench, needs_reference

pytestmark = pytest.mark.integration


def params_of(address: ServerAddress) -> ConnectParams:
    return ConnectParams(host="localhost", user=address.user, password=address.password, port=address.port,
                         socket=address.socket, database="test")


def value(address: ServerAddress, sql: str) -> str | None:
    conn = connect(params_of(address))
    try:
        outcome = conn.execute(sql)
        assert outcome.error is None, outcome.error
        rows = outcome.results[0].rows
        return rows[0][0] if rows else None
    finally:
        conn.close()


def kill(server: EmbeddedServer) -> None:
    assert server.pid is not None
    os.kill(server.pid, signal.SIGKILL)


def test_a_killed_server_comes_back_with_the_options_of_the_expect_file(private_server: EmbeddedServer) -> None:
    server = private_server
    before = server.address
    default_connections = value(before, "SELECT @@max_connections")
    value(before, "CREATE TABLE test.kept (a INT)")
    crash = CrashWatch(server)
    crash.begin_test()
    (server.tmpdir / "mysqld.1.expect").write_text("restart: --max-connections=77\n")
    old_pid = server.pid
    kill(server)
    wait_for(lambda: server.is_alive() and server.pid != old_pid)
    crash.end_test()
    assert not crash.died() and crash.requested_restarts == 1
    assert not (server.tmpdir / "mysqld.1.expect").exists()
    after = server.address
    assert (after.port, after.socket) == (before.port, before.socket)
    assert value(after, "SELECT @@max_connections") == "77"
    assert value(after, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_NAME = 'kept'") == "1"
    # The next test gets the server as it was before this one.
    assert crash.options_changed
    crash.restore_options()
    assert not crash.options_changed
    assert value(server.address, "SELECT @@max_connections") == default_connections


def test_a_server_killed_without_an_expect_file_is_a_crash(private_server: EmbeddedServer) -> None:
    deaths: list[Death] = []
    watcher = ExpectWatcher(private_server, on_death=deaths.append)
    watcher.begin_test()
    kill(private_server)
    wait_for(lambda: bool(deaths))
    watcher.end_test()
    assert deaths[0].why == "crash" and deaths[0].returncode == -signal.SIGKILL
    assert not private_server.is_alive() and watcher.restarts == 0


def test_a_restart_the_server_refuses_is_reported(private_server: EmbeddedServer) -> None:
    deaths: list[Death] = []
    watcher = ExpectWatcher(private_server, on_death=deaths.append)
    watcher.begin_test()
    (private_server.tmpdir / "mysqld.1.expect").write_text("restart: --no-such-option-anywhere\n")
    kill(private_server)
    wait_for(lambda: bool(deaths))
    watcher.end_test()
    assert deaths[0].why == "restart failed"
    assert "no-such-option-anywhere" in deaths[0].detail


# -- shutdown_server, against the reference ---------------------------------------------------------------


@contextlib.contextmanager
def reaping(server: EmbeddedServer) -> Iterator[None]:
    """Waits for the server process as soon as it ends, as the watcher does in a run: a child
    that ended stays a zombie, which mysqltest's kill(pid, 0) takes for a live server."""
    stop = threading.Event()

    def reap() -> None:
        while not stop.wait(0.02) and not server.exited():
            pass

    thread = threading.Thread(target=reap, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def bench_on(server: EmbeddedServer, root: Path) -> Bench:
    env = dict(os.environ)
    env.update(mtr_environment(server.address, root, mysql_test_dir_or_none(), root, root / "x.test"))
    return Bench(server, env, root)


@needs_reference
@pytest.mark.parametrize(("timeout", "returncode"), [("10", 0), ("0", -signal.SIGKILL), ("", 0)])
def test_shutdown_server_stops_the_server_as_the_reference_does(
    private_server: EmbeddedServer, tmp_path: Path, timeout: str, returncode: int
) -> None:
    """With no watcher and no expect file: the server stays down (the reference's and ours)."""
    (tmp_path / "bench").mkdir()
    bench = bench_on(private_server, tmp_path / "bench")
    bench.write(
        "select 1 as before_shutdown;\n"
        f"--shutdown_server {timeout}\n"
        "--echo # stopped\n"
        "--error 2002,2006,2013\n"
        "select 2;\n"
    )
    results = []
    for run in (bench.reference, bench.ours):
        private_server.restart()
        began = time.monotonic()
        with reaping(private_server):
            outcome = run()
        # mysqltest returns once the process has gone (it looks once a second); so must tidbrun.
        assert private_server.exited(), f"{run.__name__}: the server still runs"
        assert private_server.returncode == returncode, run.__name__
        assert time.monotonic() - began < 20
        assert outcome.result is not None, f"{run.__name__}: {getattr(outcome, 'message', '')}"
        results.append(outcome.result)
    reference, ours = results
    assert reference is not None and ours is not None
    assert ours.decode("latin-1") == reference.decode("latin-1")


@needs_reference
def test_send_shutdown_asks_the_server_to_stop_as_the_reference_does(
    private_server: EmbeddedServer, tmp_path: Path
) -> None:
    """It only asks: the test waits for the server to go, as include/wait_until_disconnected.inc."""
    (tmp_path / "bench").mkdir()
    bench = bench_on(private_server, tmp_path / "bench")
    bench.write(
        "select 1 as before_shutdown;\n"
        "--send_shutdown\n"
        "let $counter= 100;\n"
        "let $mysql_errno= 0;\n"
        "--disable_result_log\n"
        "while (!$mysql_errno)\n"
        "{\n"
        "  --error 0,ER_SERVER_SHUTDOWN,ER_CONNECTION_KILLED,2002,2006,2026,2013,5014\n"
        "  show status;\n"
        "  dec $counter;\n"
        "  if (!$counter)\n"
        "  {\n"
        "    --die Server failed to disappear\n"
        "  }\n"
        "  --real_sleep 0.1\n"
        "}\n"
        "--enable_result_log\n"
        "--echo # stopped\n"
    )
    results = []
    for run in (bench.reference, bench.ours):
        private_server.restart()
        with reaping(private_server):
            outcome = run()
            for _ in range(200):
                if private_server.exited():
                    break
                time.sleep(0.05)
        assert private_server.exited(), f"{run.__name__}: the server still runs"
        assert private_server.returncode == 0, run.__name__
        assert outcome.result is not None, f"{run.__name__}: {getattr(outcome, 'message', '')}"
        results.append(outcome.result)
    reference, ours = results
    assert reference is not None and ours is not None
    assert ours.decode("latin-1") == reference.decode("latin-1")


@needs_reference
@pytest.mark.parametrize(
    "text",
    [
        # no SHUTDOWN privilege: an error the test expects, and the server stays up
        "create user shut_nobody@localhost;\n"
        "connect (u,localhost,shut_nobody,,);\n"
        "--error ER_SPECIFIC_ACCESS_DENIED_ERROR\n"
        "--shutdown_server 5\n"
        "--echo # still here\n"
        "connection default;\n"
        "disconnect u;\n"
        "drop user shut_nobody@localhost;\n"
        "select 1;\n",
        "create user shut_nobody@localhost;\n"
        "connect (u,localhost,shut_nobody,,);\n"
        "--error 1\n"  # mysql_shutdown()'s return value, not the server's error
        "--send_shutdown\n"
        "--echo # still here\n"
        "connection default;\n"
        "disconnect u;\n"
        "drop user shut_nobody@localhost;\n"
        "select 1;\n",
    ],
)
def test_a_refused_shutdown_is_an_error_the_test_can_expect(
    embedded_server: EmbeddedServer, tmp_path: Path, text: str
) -> None:
    bench = bench_on(embedded_server, tmp_path)
    bench.write(text)
    reference = bench.reference()
    assert reference.returncode == 0, reference.stderr
    ours = bench.ours()
    assert ours.status == "pass", ours.message
    assert reference.result is not None and ours.result is not None
    assert ours.result.decode("latin-1") == reference.result.decode("latin-1")
    assert embedded_server.is_alive()


@needs_reference
@pytest.mark.parametrize("argument", ["abc", "5x"])
def test_a_bad_timeout_fails_as_the_reference_does(embedded_server: EmbeddedServer, tmp_path: Path,
                                                   argument: str) -> None:
    bench = bench_on(embedded_server, tmp_path)
    bench.write(f"select 1;\n--shutdown_server {argument}\nselect 2;\n")
    reference = bench.reference()
    assert reference.returncode == 1, reference.stderr
    ours = bench.ours()
    line, message = reference.failure()
    assert ours.status == "fail"
    assert ours.message == f"{bench.test}:{line}: {message}"
    assert embedded_server.is_alive()
