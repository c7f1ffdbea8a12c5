"""A test's servers listen on ports in a row, as mysql-test-run.pl numbers them."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from runner.server.address import consecutive_ports, free_port


@pytest.fixture
def listening() -> Iterator[socket.socket]:
    """A port someone listens on (as mysqld.1 does while the next test's servers are chosen)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock


def test_the_first_port_is_kept_when_the_next_ones_are_free(listening: socket.socket) -> None:
    first = int(listening.getsockname()[1])
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        if probe.connect_ex(("127.0.0.1", first + 1)) == 0:
            pytest.skip("the port after ours is taken on this machine")
    assert consecutive_ports(2, first) == first


def test_a_taken_port_in_the_row_moves_the_whole_row(listening: socket.socket) -> None:
    taken = int(listening.getsockname()[1])
    first = taken - 1
    start = consecutive_ports(3, first)
    assert start != first
    for offset in range(1, 3):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", start + offset))


def test_one_server_needs_no_row() -> None:
    port = free_port()
    assert consecutive_ports(1, port) == port
