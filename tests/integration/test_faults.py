"""Faults against a real server: statements killed on a timeout or an interrupt, retries and the
breaker against a closed port, and an embedded server that is SIGKILLed and restarted."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from runner.faults.breaker import CircuitBreaker, CircuitOpen, State
from runner.faults.crash import CrashWatch
from runner.faults.interrupts import Interrupted, trap
from runner.faults.reach import Reach
from runner.faults.retry import RetriesExhausted, RetryPolicy
from runner.faults.watch import Killer, StatementTimedOut, Watch
from runner.server.address import ServerAddress
from runner.server.embedded import EmbeddedServer
from runner.sessions.driver import ConnectParams, connect
from runner.sessions.session import Session
from tests.integration.conftest import mysql_test_dir_or_none

pytestmark = pytest.mark.integration


def params_of(address: ServerAddress) -> ConnectParams:
    return ConnectParams(host="localhost", user=address.user, password=address.password, port=address.port,
                         socket=address.socket, database="test")


def sleeping_threads(address: ServerAddress, marker: str) -> int:
    conn = connect(params_of(address))
    try:
        outcome = conn.execute(
            f"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE '%{marker}%' "
            "AND INFO NOT LIKE '%PROCESSLIST%'"
        )
        return int(outcome.results[0].rows[0][0] or 0)
    finally:
        conn.close()


@pytest.fixture
def watched(server_address: ServerAddress) -> Iterator[Watch]:
    watch = Watch(Killer(lambda: params_of(server_address), connect), statement_timeout=0.5, poll=0.02)
    with watch:
        yield watch


def test_statement_timeout_kills_the_statement_on_the_server(server_address: ServerAddress, watched: Watch) -> None:
    session = Session("default", params_of(server_address), connect, watched.run)
    session.connect()
    try:
        started = time.monotonic()
        with pytest.raises(StatementTimedOut, match=r"timed out after 0\.5 s .* select sleep\(30\) /\* st-kill \*/"):
            session.execute("select sleep(30) /* st-kill */")
        assert time.monotonic() - started < 3
        assert sleeping_threads(server_address, "st-kill") == 0
        # The connection is still usable: KILL QUERY ends the statement, not the session.
        assert session.execute("select 1").results[0].rows == [("1",)]
    finally:
        session.close()


def test_an_interrupt_stops_a_statement_the_driver_is_waiting_on(server_address: ServerAddress) -> None:
    """Python runs signal handlers only between bytecodes; the trap's reader thread kills the
    statement so that the driver returns and the handler can raise."""
    watch = Watch(Killer(lambda: params_of(server_address), connect), None)
    session = Session("default", params_of(server_address), connect, watch.run)
    session.connect()
    sender = threading.Timer(0.5, os.kill, args=(os.getpid(), signal.SIGTERM))
    try:
        def stop(signum: int) -> None:
            watch.stop_all("interrupted", kill_connection=True)

        with trap(stop) as caught:
            sender.start()
            started = time.monotonic()
            with pytest.raises(Interrupted) as raised:
                session.execute("select sleep(30) /* int-kill */")
            elapsed = time.monotonic() - started
        assert elapsed < 5, elapsed
        assert raised.value.exit_code == 143 and caught.received == signal.SIGTERM
        assert sleeping_threads(server_address, "int-kill") == 0
    finally:
        sender.cancel()
        session.close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the with ends


def test_a_closed_port_is_retried_then_the_breaker_opens() -> None:
    breaker = CircuitBreaker(failure_threshold=2, cool_down=60)
    reach = Reach(breaker, RetryPolicy(deadline=1.0, attempt_timeout=1, first_wait=0.02, max_wait=0.2))
    params = ConnectParams(host="127.0.0.1", user="root", port=closed_port())
    for _ in range(2):
        started = time.monotonic()
        with pytest.raises(RetriesExhausted) as raised:
            reach.connect(connect, params)
        assert time.monotonic() - started < 2.5
        assert raised.value.errno == 2002 and raised.value.attempts.count >= 3  # refused: 2002, as libmariadb
    assert breaker.state is State.OPEN
    started = time.monotonic()
    with pytest.raises(CircuitOpen):
        reach.connect(connect, params)
    assert time.monotonic() - started < 0.05


def test_only_the_first_connection_of_a_test_is_retried(server_address: ServerAddress) -> None:
    reach = Reach(CircuitBreaker())
    calls: list[ConnectParams] = []

    def factory(params: ConnectParams) -> object:
        calls.append(params)
        return connect(params)

    first = reach.first_connection(factory)  # type: ignore[arg-type]
    conn = first(params_of(server_address))
    conn.close()
    assert calls[0].connect_timeout == 3  # through the retry policy: the attempt's limit
    conn = first(params_of(server_address))
    conn.close()
    assert calls[1].connect_timeout == 10  # the test's own connect: as the test asked


def test_a_killed_embedded_server_is_reported_and_restarted(tmp_path_factory: pytest.TempPathFactory) -> None:
    server = EmbeddedServer(mysql_test_dir=mysql_test_dir_or_none(), vardir=tmp_path_factory.mktemp("crash"))
    server.start()
    try:
        watch = CrashWatch(server)
        watch.begin_test()
        assert not watch.died()
        assert server.pid is not None
        os.kill(server.pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while not watch.died() and time.monotonic() < deadline:
            time.sleep(0.01)
        crash = watch.crash()
        assert crash.how == "was killed by signal 9 (SIGKILL)"
        assert crash.tail  # nothing new after a SIGKILL: the end of the whole log
        address = watch.restart()
        assert not watch.died() and watch.restarts == 1
        conn = connect(params_of(address))
        try:
            assert conn.execute("select 1").results[0].rows == [("1",)]
        finally:
            conn.close()
    finally:
        server.stop()
