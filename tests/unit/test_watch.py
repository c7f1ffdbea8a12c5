"""The registry of statements in flight and its watchdog (fake connections: no server)."""

from __future__ import annotations

import threading
import time

import pytest

from runner.faults.watch import StatementTimedOut, Watch
from runner.sessions.driver import ConnectParams, Outcome, ServerError
from runner.sessions.session import Session


class BlockingConnection:
    """A statement that runs until tidbrun kills it (KILL QUERY, or only KILL CONNECTION)."""

    thread_id = 42

    def __init__(self, obeys_kill_query: bool = True, obeys_kill_connection: bool = True) -> None:
        self.obeys_kill_query = obeys_kill_query
        self.obeys_kill_connection = obeys_kill_connection
        self.released = threading.Event()
        self.aborted = False

    def abort(self) -> bool:
        """tidbrun cut the socket: the driver's read returns."""
        self.aborted = True
        self.released.set()
        return True

    def execute(self, sql: str) -> Outcome:
        if sql.startswith("fast"):
            return Outcome()
        self.released.wait(10)
        return Outcome(error=ServerError(1317, "70100", "Query execution was interrupted"))

    def close(self) -> None: ...
    def ping(self) -> bool: return True
    def change_user(self, user: str, password: str, database: str) -> None: ...
    def reset_connection(self) -> None: ...


class FakeKiller:
    def __init__(self, conn: BlockingConnection) -> None:
        self.conn = conn
        self.kills: list[tuple[int, str]] = []

    def kill(self, thread_id: int, what: str = "QUERY") -> str | None:
        self.kills.append((thread_id, what))
        obeyed = self.conn.obeys_kill_connection if what == "CONNECTION" else self.conn.obeys_kill_query
        if obeyed:
            self.conn.released.set()
        return None


def session_on(conn: BlockingConnection, watch: Watch | None) -> Session:
    wrapper = watch.run if watch is not None else None
    session = Session("con1", ConnectParams(host="localhost", user="root"), lambda params: conn, wrapper)  # type: ignore[arg-type,return-value]
    session.connect()
    return session


def test_a_statement_past_the_timeout_is_killed_and_reported() -> None:
    conn = BlockingConnection()
    killer = FakeKiller(conn)
    with Watch(killer, statement_timeout=0.2, poll=0.02) as watch:  # type: ignore[arg-type]
        session = session_on(conn, watch)
        assert session.execute("fast select").error is None
        started = time.monotonic()
        with pytest.raises(StatementTimedOut) as raised:
            session.execute("select sleep(100)")
        elapsed = time.monotonic() - started
    assert 0.2 <= elapsed < 1.5
    assert killer.kills == [(42, "QUERY")]
    message = str(raised.value)
    assert "statement timed out after 0.2 s (--statement-timeout)" in message
    assert "connection 'con1' (server thread 42)" in message and "select sleep(100)" in message
    assert watch.expired == [message]
    assert watch.in_flight() == []


def test_kill_connection_when_kill_query_does_not_bring_it_back() -> None:
    conn = BlockingConnection(obeys_kill_query=False)
    killer = FakeKiller(conn)
    watch = Watch(killer, statement_timeout=0.1, grace=0.2, poll=0.02)  # type: ignore[arg-type]
    with watch, pytest.raises(StatementTimedOut):
        session_on(conn, watch).execute("select sleep(100)")
    assert killer.kills == [(42, "QUERY"), (42, "CONNECTION")]
    assert not conn.aborted


def test_the_socket_is_cut_when_not_even_kill_connection_brings_it_back() -> None:
    # A TiDB DDL statement waits for its job whatever is killed.
    conn = BlockingConnection(obeys_kill_query=False, obeys_kill_connection=False)
    killer = FakeKiller(conn)
    watch = Watch(killer, statement_timeout=0.1, grace=0.2, poll=0.02)  # type: ignore[arg-type]
    started = time.monotonic()
    with watch, pytest.raises(StatementTimedOut):
        session_on(conn, watch).execute("create table t (a int)")
    assert killer.kills == [(42, "QUERY"), (42, "CONNECTION")]
    assert conn.aborted
    assert time.monotonic() - started < 3


def test_stop_all_kills_what_runs_and_refuses_new_statements() -> None:
    conn = BlockingConnection()
    killer = FakeKiller(conn)
    watch = Watch(killer, None)  # type: ignore[arg-type]
    session = session_on(conn, watch)
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            session.execute("select sleep(100)")
        except StatementTimedOut as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    while not watch.in_flight():
        time.sleep(0.005)
    running = watch.stop_all("test stopped: --testcase-timeout 1 s expired")
    worker.join(5)
    assert len(running) == 1 and "select sleep(100)" in running[0]
    assert "the statement was killed with KILL QUERY" in str(outcome[0])
    with pytest.raises(StatementTimedOut, match="testcase-timeout"):
        session.execute("fast select")
    watch.begin_test()
    assert session.execute("fast select").error is None


def test_without_a_watch_nothing_is_tracked() -> None:
    conn = BlockingConnection()
    watch = Watch(FakeKiller(conn), None)  # type: ignore[arg-type]
    watch.stop_all("stopped")  # a watched session would now refuse every statement
    assert session_on(conn, None).execute("fast one").error is None
    with pytest.raises(StatementTimedOut):
        session_on(conn, watch).execute("fast one")
