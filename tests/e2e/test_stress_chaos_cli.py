"""``tidbrun stress --chaos`` as a user runs it: a short schedule of every action on tidbrun's own
MariaDB (and TiDB when `make tidb` has built it), the recovery times and the ledger check in the
console, JSON and HTML reports; and schedules refused before anything starts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runner.server.embedded import EmbeddedServer
from tests.conftest import run_tidbrun, server_args, write
from tests.e2e.test_chaos_directives import SERVERS

pytestmark = pytest.mark.e2e

WORKLOAD = """--setup
CREATE TABLE IF NOT EXISTS chaos_w (id INT PRIMARY KEY, v INT) ENGINE=InnoDB;
--group write weight=3
--let $k = random(1, 1000)
INSERT INTO chaos_w VALUES ($k, 1) ON DUPLICATE KEY UPDATE v = v + 1;
--group read
SELECT v FROM chaos_w WHERE id = $k;
--cleanup
DROP TABLE chaos_w;
"""
SCHEDULE = "1s kill; 2s restart; 3.5s pause 0.5s; 4.5s cut 0.5s; 5.5s delay 100ms 0.5s"


@pytest.mark.parametrize("flags", SERVERS)
def test_every_action_recovers_and_no_acknowledged_write_is_lost(tmp_path: Path, flags: tuple[str, ...]) -> None:
    workload = write(tmp_path / "w.test", WORKLOAD)
    server = [flag for flag in flags if flag in ("--server", "tidb")]  # stress takes --server, not --dialect
    run = run_tidbrun("stress", workload, *server, "--duration", "7s", "--connections", "2", "--cool-down", "0s",
                      "--chaos", SCHEDULE, "--json", tmp_path / "r.json", "--html", tmp_path / "r.html", timeout=120)
    assert run.returncode == 0, run.output
    assert "acknowledged writes kept" in run.stdout and "PASSED" in run.stdout
    doc = json.loads((tmp_path / "r.json").read_text())
    chaos = doc["chaos"]
    assert [action["action"] for action in chaos["actions"]] == ["kill", "restart", "pause", "cut", "delay"]
    for action in chaos["actions"]:
        assert action["problem"] is None and action["recovered_in"] is not None, action
    assert chaos["actions"][0]["recovered_in"] >= 0.9  # down until the restart a second later
    assert chaos["ledger"]["acknowledged"] > 100 and chaos["ledger"]["missing"] == [] and chaos["passed"]
    assert {"name": "acknowledged writes kept", "limit": "none missing", "passed": True}.items() <= \
        doc["verdicts"][-1].items()
    page = (tmp_path / "r.html").read_text()
    assert 'id="chaos"' in page and "0 acknowledged write(s) missing" in page


@pytest.mark.parametrize(("args", "message"), [
    (["--chaos", "1s kill"], "--chaos: the server is left killed: add a restart after the last kill"),
    (["--chaos", "1s cut 2s", "--duration", "2s"], "'1s cut for 2s' ends at 3s, not before the end of the load"),
    (["--chaos", "1s explode"], "unknown action 'explode'"),
    (["--chaos", "1s cut 1s", "--ramp"], "--chaos and --ramp: one at a time"),
    (["--chaos", "1s cut 1s", "--requests", "100"], "--chaos needs --duration"),
])
def test_a_schedule_that_cannot_run_is_a_usage_error(tmp_path: Path, args: list[str], message: str) -> None:
    workload = write(tmp_path / "w.test", "SELECT 1;\n")
    run = run_tidbrun("stress", workload, *args)
    assert run.returncode == 2, run.output
    assert message in run.stderr
    assert "Traceback" not in run.output


def test_someone_else_s_server_is_not_killed_but_may_be_cut(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    workload = write(tmp_path / "w.test", "SELECT 1;\n")
    refused = run_tidbrun("stress", workload, *server_args(embedded_server), "--chaos", "1s kill; 2s restart")
    assert refused.returncode == 2, refused.output
    assert "kill, restart and pause need the server tidbrun starts itself" in refused.stderr
    cut = run_tidbrun("stress", workload, *server_args(embedded_server), "--duration", "2s", "--cool-down", "0s",
                      "--chaos", "0.5s cut 0.5s", "--json", tmp_path / "r.json")
    assert cut.returncode == 0, cut.output
    chaos = json.loads((tmp_path / "r.json").read_text())["chaos"]
    assert chaos["actions"][0]["recovered_in"] is not None and chaos["passed"]
    assert embedded_server.is_alive()
