"""The chaos layer on real servers: ``ServerControl`` (kill, restart, pause, resume) on a private
embedded MariaDB of each test, and the fault proxy in front of the session's server."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest

from runner.faults.crash import CrashWatch
from runner.faults.proxy import Endpoint, FaultProxy, ProxyError
from runner.server.address import ServerAddress
from runner.server.control import ServerControl, ServerControlError
from runner.server.embedded import EmbeddedServer
from runner.sessions.driver import ConnectError, ConnectParams, Outcome, connect
from tests.integration.test_expect_restart import params_of, value

pytestmark = pytest.mark.integration


def test_a_kill_is_sigkill_and_a_restart_keeps_data_port_and_socket(private_server: EmbeddedServer) -> None:
    server = private_server
    before = server.address
    value(before, "CREATE TABLE test.kept (a INT) ENGINE=InnoDB")
    value(before, "INSERT INTO test.kept VALUES (7)")  # autocommit: acknowledged, so it must survive
    conn = connect(params_of(before))
    control = ServerControl(server)
    old_pid = server.pid
    control.kill()
    assert server.returncode == -9
    lost = conn.execute("SELECT 1")
    assert lost.error is not None and lost.error.errno in (2006, 2013)
    with pytest.raises(ServerControlError, match="not running"):
        control.pause()
    seconds = control.restart()
    after = server.address
    assert server.pid != old_pid and seconds > 0
    assert (after.port, after.socket) == (before.port, before.socket)
    assert value(after, "SELECT a FROM test.kept") == "7"


def test_a_paused_server_answers_only_after_the_resume(private_server: EmbeddedServer) -> None:
    conn = connect(params_of(private_server.address))
    control = ServerControl(private_server)
    control.pause()
    answered: list[tuple[float, Outcome]] = []
    began = time.monotonic()

    def run() -> None:
        outcome = conn.execute("SELECT 1")
        answered.append((time.monotonic(), outcome))

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.5)
    assert answered == []  # still waiting
    resumed = time.monotonic()
    control.resume()
    thread.join(10)
    assert answered, "the statement never returned after the resume"
    at, outcome = answered[0]
    assert outcome.error is None and outcome.results[0].rows == [("1",)]
    assert at >= resumed and at - began >= 0.5
    with pytest.raises(ServerControlError, match="not paused"):
        control.resume()
    conn.close()


def test_through_the_crash_watcher_a_kill_and_restart_are_no_crash(private_server: EmbeddedServer) -> None:
    server = private_server
    crash = CrashWatch(server)
    crash.begin_test()
    control = ServerControl(server, crash.expect)
    control.kill()
    time.sleep(0.3)  # the watcher looks every 50 ms: it must take the kill as announced
    assert crash.expect.death is None
    control.restart(("--max-connections=77",))
    crash.end_test()
    assert not crash.died() and crash.expect.death is None and crash.requested_restarts == 1
    assert value(server.address, "SELECT @@max_connections") == "77"
    assert crash.options_changed  # the run restores the options before the next test


@pytest.fixture(params=["tcp", "socket"])
def target(request: pytest.FixtureRequest, server_address: ServerAddress) -> ConnectParams:
    params = params_of(server_address)
    return replace(params, host="127.0.0.1", socket=None) if request.param == "tcp" else params


def _through(proxy: FaultProxy, params: ConnectParams) -> ConnectParams:
    endpoint = proxy.start()
    if endpoint.socket is not None:
        return replace(params, socket=endpoint.socket)
    return replace(params, host=endpoint.host, port=endpoint.port)


def _endpoint(params: ConnectParams) -> Endpoint:
    return Endpoint(socket=params.socket) if params.uses_socket() else Endpoint(host=params.host, port=params.port)


def _timed(conn: object, sql: str) -> float:
    began = time.monotonic()
    outcome = conn.execute(sql)  # type: ignore[attr-defined]
    assert outcome.error is None, outcome.error
    return time.monotonic() - began


def test_the_proxy_delays_cuts_refuses_and_heals(target: ConnectParams) -> None:
    proxy = FaultProxy(_endpoint(target))
    try:
        params = _through(proxy, target)
        conn = connect(params)
        assert conn.execute("SELECT 1").results[0].rows == [("1",)]
        proxy.set_delay(0.25)
        assert _timed(conn, "SELECT 2") >= 0.25
        proxy.heal()
        assert _timed(conn, "SELECT 3") < 0.25
        assert proxy.cut() == 1
        lost = conn.execute("SELECT 4")
        assert lost.error is not None and lost.error.errno in (2006, 2013)
        with pytest.raises(ConnectError):
            connect(params)
        assert proxy.refused == 1
        proxy.heal()
        again = connect(params)
        assert again.execute("SELECT 5").results[0].rows == [("5",)]
        again.close()
    finally:
        proxy.close()


def test_the_proxy_relays_only_to_this_machine() -> None:
    with pytest.raises(ProxyError, match="only to a server on this machine"):
        FaultProxy(Endpoint(host="192.0.2.1", port=3306))
    with pytest.raises(ProxyError, match="between 0 and 60"):
        FaultProxy(Endpoint(port=1)).set_delay(61)
