"""Where a server listens and who we connect as."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (the kernel's pick for port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _bindable(port: int, host: str) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def consecutive_ports(count: int, first: int, host: str = "127.0.0.1", attempts: int = 100) -> int:
    """The first of ``count`` ports in a row for a test's servers, as mysql-test-run.pl numbers
    them (mysqld.N listens on the first port + N - 1; tests compute a server's number as
    ``1 + @@PORT - $MASTER_MYPORT``). ``first`` is kept when the ports after it are free (it is
    ours: the server it belongs to may be listening there); else the kernel's pick starts a row
    whose every port is free. After ``attempts`` rows taken, ``first`` all the same."""
    if all(_bindable(first + offset, host) for offset in range(1, count)):
        return first
    for _ in range(attempts):
        start = free_port(host)
        if start + count - 1 <= 65535 and all(_bindable(start + offset, host) for offset in range(1, count)):
            return start
    return first


@dataclass(frozen=True)
class ServerAddress:
    """How to reach one server.

    The password is kept out of ``repr``/``str`` so that an address can be logged or put in an
    exception message without leaking it.
    """

    host: str
    port: int
    socket: str | None
    user: str
    password: str = field(default="", repr=False)
    status_port: int | None = None  # TiDB's HTTP status port, when known
