"""`tidbrun jobs` against the embedded MariaDB while a long ALTER TABLE runs: the statement and its
progress (MariaDB's processlist STAGE/MAX_STAGE/PROGRESS) show up, and its end is reported."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time

import pytest

from runner.server.connect import open_connection
from runner.server.embedded import EmbeddedServer
from tests.conftest import REPO, tidbrun_command

pytestmark = pytest.mark.integration

ROWS = 400_000
DATABASE = "tidbrun_jobs_alter"


def test_jobs_shows_a_long_alter_table_with_its_progress(embedded_server: EmbeddedServer) -> None:
    address = embedded_server.address
    admin = open_connection(address)
    try:
        if embedded_server.kind.kind != "mariadb":
            pytest.skip("progress from the processlist is MariaDB's")
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        admin.execute(f"CREATE DATABASE {DATABASE}")
        admin.execute(f"USE {DATABASE}")
        admin.execute("CREATE TABLE t (id INT PRIMARY KEY AUTO_INCREMENT, pad VARCHAR(200), n INT)")
        admin.execute(f"INSERT INTO t (pad, n) SELECT REPEAT('x', 200), seq FROM seq_1_to_{ROWS}")

        # A copying ALTER with a new index: seconds of work, reported in two stages.
        alter = f"ALTER TABLE {DATABASE}.t MODIFY pad VARCHAR(250), ADD INDEX (n, pad), ALGORITHM=COPY"
        finished = threading.Event()
        took: list[float] = []

        def run_alter() -> None:
            conn = open_connection(address)
            try:
                began = time.monotonic()
                conn.execute(alter)
                took.append(time.monotonic() - began)
            finally:
                conn.close()
                finished.set()

        env = {k: v for k, v in os.environ.items() if not k.startswith("TIDB_")}
        env["PYTHONPATH"] = str(REPO)
        # Bounded by --duration; stopped with Ctrl-C (SIGINT) once the ALTER's end was shown.
        monitor = subprocess.Popen(
            [*tidbrun_command(), "jobs", "--socket", str(address.socket), "--user", address.user,
             "--duration", "30", "--interval", "0.2"],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert monitor.stdout is not None
        shown: list[str] = []
        worker = threading.Thread(target=run_alter, daemon=True)
        for line in monitor.stdout:
            shown.append(line.rstrip("\n"))
            if len(shown) == 1:
                worker.start()  # the monitor is watching: now the ALTER
            elif "no running jobs" in line:
                monitor.send_signal(signal.SIGINT)
                break
        stdout, stderr = monitor.communicate(timeout=30)
        shown += stdout.splitlines()
        assert finished.wait(60), "the ALTER did not end"
        worker.join(5)
    finally:
        try:
            admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        finally:
            admin.close()

    output = "\n".join(shown)
    assert monitor.returncode == 0, output + stderr
    assert "Traceback" not in stderr
    assert shown[0].endswith(" no running jobs")
    lines = [line for line in shown if "alter table" in line.lower()]
    assert lines, f"the ALTER (took {took}) was never seen:\n{output}"
    assert all(re.match(r"\d\d:\d\d:\d\d statement \d+ state=", line) for line in lines), lines
    progress = [re.search(r'progress="stage (\d)/(\d) (\d+\.\d)%"', line) for line in lines]
    seen = [m for m in progress if m is not None]
    assert seen, f"no progress shown for the ALTER:\n{output}"
    assert all(m.group(2) == "2" and 0.0 <= float(m.group(3)) <= 100.0 for m in seen)
    assert "state=ended" in lines[-1], lines[-1]  # its end, once, after it left the processlist
    assert sum("state=ended" in line for line in lines) == 1
    assert shown[-1].endswith(" no running jobs")
