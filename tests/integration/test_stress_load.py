"""The load loop against a real server: bounds, the open loop's pacing and latency from when a
statement was due, errors by class, reconnects, and the server's process read from /proc."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from runner.server.connect import open_connection
from runner.server.embedded import EmbeddedServer
from runner.server.process_stats import find_server_pid, sample
from runner.stress.loop import Load, LoadOptions, StatementDone, run_load, run_steps
from runner.stress.workload import read_workload

pytestmark = pytest.mark.integration


def workload(tmp_path: Path, text: str, name: str = "w.test"):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_text(text)
    return read_workload(path)


def test_a_closed_loop_stops_at_its_request_count_and_every_write_is_there(
    tmp_path: Path, embedded_server: EmbeddedServer
) -> None:
    address = embedded_server.address
    work = workload(tmp_path, """--setup
DROP TABLE IF EXISTS stress_ack;
CREATE TABLE stress_ack (id BIGINT PRIMARY KEY, conn INT NOT NULL);
--group insert weight=3
--let $id = sequence()
INSERT INTO stress_ack VALUES ($id, $connection);
--group count
SELECT COUNT(*) FROM stress_ack;
--cleanup
DROP TABLE stress_ack;
""")
    run_steps(work.setup, address)
    done: list[StatementDone] = []
    result = run_load(work, address, LoadOptions(connections=3, requests=300, seed=1), on_statement=done.append)
    assert result.recorder.statements == 300 == len(done) and result.stopped_by == "requests"
    assert result.recorder.failed == 0 and {d.connection for d in done} == {1, 2, 3}
    inserts = [d for d in done if d.group == "insert"]
    assert 150 < len(inserts) < 290  # weight 3 to 1
    conn = open_connection(address, database="test")
    try:
        stored = {int(row[0]) for row in conn.query_rows("SELECT id FROM stress_ack")}
    finally:
        conn.close()
    acknowledged = {int(d.sql.split("(")[1].split(",")[0]) for d in inserts}
    assert stored == acknowledged
    run_steps(work.cleanup, address)


def test_an_open_loop_keeps_its_rate_and_stops_at_its_duration(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    work = workload(tmp_path, "SELECT 1;\n")
    started = time.monotonic()
    result = run_load(work, embedded_server.address, LoadOptions(connections=2, duration=2.0, rate=100))
    assert 1.9 < time.monotonic() - started < 4.0 and result.stopped_by == "duration"
    assert 170 <= result.recorder.statements <= 202


def test_open_loop_latency_counts_from_when_a_statement_was_due(
    tmp_path: Path, embedded_server: EmbeddedServer
) -> None:
    # One connection, 20 statements a second, each taking 0.1 s: the server can do 10 a second.
    # Measured from when they were sent, every latency would be ~0.1 s; from when they were due,
    # the queue shows: the later ones waited for the earlier ones.
    work = workload(tmp_path, "SELECT SLEEP(0.1);\n")
    result = run_load(work, embedded_server.address, LoadOptions(connections=1, duration=2.0, rate=20))
    latency = result.recorder.latency()
    assert latency.max > 0.5 and latency.p95 > 0.4 and result.lagging
    assert result.recorder.statements <= 22


def test_errors_are_classified_and_the_load_goes_on(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    work = workload(tmp_path, "--group bad\nSELECT * FROM no_such_table_here;\n--group good\nSELECT 1;\n")
    result = run_load(work, embedded_server.address, LoadOptions(connections=2, requests=100, seed=5))
    assert result.recorder.statements == 100
    assert result.recorder.errors_by_class() == {"permanent 1146 ER_NO_SUCH_TABLE": result.recorder.failed}
    assert 20 < result.recorder.failed < 80


def test_a_killed_connection_is_opened_again(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    work = workload(tmp_path, "SELECT SLEEP(0.02), CONNECTION_ID();\n")
    load = Load(work, embedded_server.address, LoadOptions(connections=1, duration=3.0)).start()
    time.sleep(0.5)
    admin = open_connection(embedded_server.address)
    try:
        victims = admin.query_rows(
            "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP(0.02)%'")
        for (victim,) in victims:
            admin.execute(f"KILL CONNECTION {victim}")
    finally:
        admin.close()
    result = load.wait()
    assert victims and result.reconnects >= 1
    assert any(name.startswith("transient") for name in result.recorder.errors_by_class())
    assert result.recorder.statements - result.recorder.failed > 20  # it went on after the kill


def test_a_wrong_database_stops_the_load_at_once(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    work = workload(tmp_path, "SELECT 1;\n")
    started = time.monotonic()
    result = run_load(work, embedded_server.address, LoadOptions(connections=2, duration=30, database="no_such_db_x"))
    assert time.monotonic() - started < 10 and result.stopped_by == "error"
    assert "1049" in str(result.fatal)


def test_the_server_process_is_found_and_read(embedded_server: EmbeddedServer) -> None:
    address = embedded_server.address
    assert find_server_pid(port=address.port) == embedded_server.pid
    assert find_server_pid(socket_path=address.socket) == embedded_server.pid
    now = sample(embedded_server.pid or 0)
    assert now is not None and now.rss_bytes > 10 << 20 and now.cpu_seconds > 0
    assert find_server_pid(port=1) is None


def test_a_hung_server_does_not_hold_the_load_past_its_bound(tmp_path: Path, private_server: EmbeddedServer) -> None:
    work = workload(tmp_path, "SELECT 1;\n")
    pid = private_server.pid
    assert pid is not None
    load = Load(work, private_server.address, LoadOptions(connections=2, duration=2.0, statement_timeout=2)).start()
    time.sleep(0.5)
    os.kill(pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        result = load.wait()
        waited = time.monotonic() - started
    finally:
        os.kill(pid, signal.SIGCONT)
    assert waited < 2.0 + 2 + 5 + 1
    assert result.recorder.statements > 10
    assert "transient 2013 CR_SERVER_LOST" in result.recorder.errors_by_class()
