"""A test's own ``.cnf`` with one server reaches a real server through my.cnf, as under
mysql-test-run.pl: its ``[server]`` options show in information_schema with origin CONFIG and the
file's path (sys_vars.sysvars_star), and its ``[mysqld.1]`` reads the test's ``[ENV]``."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.server.connect import open_connection
from runner.server.embedded import EmbeddedServer, free_port
from runner.server.keeper import Keeper, ServerSetup
from tests.integration.conftest import mysql_test_dir_or_none

pytestmark = pytest.mark.skipif(
    mysql_test_dir_or_none() is None, reason="the template includes the tree's include/default_my.cnf"
)

ORIGIN = (
    "SELECT global_value, global_value_origin, global_value_path FROM information_schema.system_variables"
    " WHERE variable_name='plugin_maturity'"
)


def row(server: EmbeddedServer, sql: str) -> tuple[str | None, ...]:
    conn = open_connection(server.address)
    try:
        return tuple(conn.query_rows(sql)[0])
    finally:
        conn.close()


def test_a_single_server_cnf_reaches_the_server_through_mycnf(private_server: EmbeddedServer, tmp_path: Path) -> None:
    cnf = tmp_path / "own.cnf"
    cnf.write_text(
        "!include include/default_my.cnf\n\n[server]\nplugin-maturity=alpha\n\n"
        "[mysqld.1]\nextra-port=@ENV.TIDBRUN_EXTRA_PORT\n"
    )
    port = free_port()
    keeper = Keeper(private_server, check_testcase=False)
    assert keeper.prepare(ServerSetup(config=cnf, environment=(("TIDBRUN_EXTRA_PORT", str(port)),))) is not None
    assert row(private_server, ORIGIN) == ("alpha", "CONFIG", str(private_server.config_file))
    assert row(private_server, "SELECT @@extra_port") == (str(port),)
    # The next test without a .cnf of its own gets include/default_my.cnf's value again.
    assert keeper.prepare(ServerSetup()) is not None
    assert row(private_server, ORIGIN)[:2] == ("unknown", "CONFIG")
    assert row(private_server, "SELECT @@extra_port") == ("0",)
