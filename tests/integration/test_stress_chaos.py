"""A chaos schedule and its ledger on a real server (no workload: the ledger writers are the load)."""

from __future__ import annotations

import time

import pytest

from runner.server.address import ServerAddress
from runner.server.embedded import EmbeddedServer
from runner.stress.chaos import LEDGER_TABLE, chaos_for, verdict
from runner.stress.chaos_schedule import parse_schedule
from tests.integration.test_expect_restart import value

pytestmark = pytest.mark.integration


def test_kill_restart_pause_and_cut_lose_no_acknowledged_write(private_server: EmbeddedServer) -> None:
    schedule = parse_schedule("0.4s kill; 0.8s restart; 1.6s pause 0.4s; 2.4s cut 0.3s; 3s delay 100ms 0.3s")
    old_pid = private_server.pid
    with chaos_for(schedule, private_server.address, private_server) as (chaos, relayed):
        assert relayed.socket != private_server.address.socket  # the writers go through the proxy
        chaos.start()
        time.sleep(3.8)
        chaos.stop()
        report = chaos.finish()
    assert private_server.pid != old_pid
    assert [outcome.problem for outcome in report.actions] == [None] * 5
    recovered = [outcome.recovered for outcome in report.actions]
    assert all(seconds is not None for seconds in recovered), report.actions
    # Down from the kill until the restart (0.4 s later) had the server answering again.
    assert recovered[0] is not None and recovered[0] >= 0.4
    assert report.acknowledged > 100 and report.missing == [] and report.passed
    assert verdict(report).passed


def test_acknowledged_writes_that_are_gone_are_listed(server_address: ServerAddress) -> None:
    with chaos_for(parse_schedule("0.2s cut 0.2s"), server_address, None) as (chaos, _):
        chaos.start()
        time.sleep(0.8)
        chaos.stop()
        # What a server that lost writes would show: acknowledged rows no longer there.
        value(server_address, f"DELETE FROM {LEDGER_TABLE} WHERE writer = 1 AND seq <= 3")
        report = chaos.finish()
    assert report.missing == [(1, 1), (1, 2), (1, 3)]
    assert not report.passed and not verdict(report).passed
    assert verdict(report).measured == f"3 missing of {report.acknowledged} acknowledged"
    assert report.listed_missing() == ["writer 1 seq 1", "writer 1 seq 2", "writer 1 seq 3"]
