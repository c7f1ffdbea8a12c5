"""A test's own .cnf ``[ENV]`` reaches the server process too, as under mysql-test-run.pl (which
exports it before it starts the servers), and only for as long as tests with that setup run."""

from __future__ import annotations

from pathlib import Path

from runner.server.embedded import EmbeddedServer
from runner.server.keeper import Keeper, ServerSetup


def server_environment(server: EmbeddedServer) -> dict[str, str]:
    assert server._proc is not None
    raw = Path(f"/proc/{server._proc.pid}/environ").read_bytes()
    pairs = (item.decode("latin-1").partition("=") for item in raw.split(b"\0") if item)
    return {name: value for name, _, value in pairs}


def test_the_server_gets_the_setups_environment_and_loses_it_with_the_next_setup(
    private_server: EmbeddedServer,
) -> None:
    keeper = Keeper(private_server, check_testcase=False)
    assert keeper.prepare(ServerSetup(environment=(("HOME", "~/"), ("TIDBRUN_PROBE", "1")))) is not None
    first = server_environment(private_server)
    assert first["HOME"] == "~/"
    assert first["TIDBRUN_PROBE"] == "1"
    assert keeper.prepare(ServerSetup(environment=(("HOME", "~/"), ("TIDBRUN_PROBE", "1")))) is None
    assert keeper.prepare(ServerSetup()) is not None
    assert "TIDBRUN_PROBE" not in server_environment(private_server)
