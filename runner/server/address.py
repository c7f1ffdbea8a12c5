"""Where a server listens and who we connect as."""

from __future__ import annotations

from dataclasses import dataclass, field


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
