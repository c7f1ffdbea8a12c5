"""Fixtures that give integration tests a real, private server."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from runner.server.address import ServerAddress
from runner.server.embedded import EmbeddedServer, find_server_kind

MYSQL_TEST_DIR = Path("/usr/share/mysql/mysql-test")


def mysql_test_dir_or_none() -> Path | None:
    return MYSQL_TEST_DIR if MYSQL_TEST_DIR.is_dir() else None


@pytest.fixture(scope="session")
def embedded_server() -> Iterator[EmbeddedServer]:
    """One server for the whole session, configured like mysql-test-run.pl's when the
    mysql-test tree is installed. Tests that change server state must undo it (or use
    ``runner.server.hygiene.reset_between_tests``)."""
    if find_server_kind() is None:
        pytest.skip(
            "no server binary found: integration tests need tidb-server, mariadbd "
            "(with mariadb-install-db) or mysqld on PATH or in /usr/sbin, /usr/local/sbin, "
            "/usr/local/mysql/bin"
        )
    server = EmbeddedServer(mysql_test_dir=mysql_test_dir_or_none())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def server_address(embedded_server: EmbeddedServer) -> ServerAddress:
    return embedded_server.address


@pytest.fixture
def private_server(tmp_path: Path) -> Iterator[EmbeddedServer]:
    """A server of the test's own (for tests that kill, restart or reconfigure it)."""
    if find_server_kind() is None:
        pytest.skip("needs a server binary")
    server = EmbeddedServer(mysql_test_dir=mysql_test_dir_or_none(), vardir=tmp_path / "var")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def wait_for(condition: Callable[[], bool], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
