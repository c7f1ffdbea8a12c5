"""Where a server listens and who we connect as."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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

    def connect_kwargs(self, *, prefer_socket: bool = True) -> dict[str, Any]:
        """Keyword arguments for ``mysql.connector.connect`` (contains the password: never log it)."""
        kwargs: dict[str, Any] = {"user": self.user, "password": self.password}
        if prefer_socket and self.socket:
            kwargs["unix_socket"] = self.socket
        else:
            kwargs["host"] = self.host
            kwargs["port"] = self.port
        return kwargs
