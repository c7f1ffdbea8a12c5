"""Where a server listens and who we connect as."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (the kernel's pick for port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


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
