"""A run's settings, merged from their sources: command line > TIDB_* environment > defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DIALECTS = ("mysqltest", "mysql-tester")


@dataclass(slots=True)
class ServerSettings:
    host: str | None = None
    port: int | None = None
    user: str = "root"
    password: str = field(default="", repr=False)
    socket: str | None = None
    database: str = "test"

    @property
    def external(self) -> bool:
        """A server was named; otherwise tidbrun starts its own."""
        return bool(self.host or self.socket or self.port)


@dataclass(slots=True)
class RunConfig:
    paths: list[Path]
    server: ServerSettings = field(default_factory=ServerSettings)
    dialect: str | None = None  # None: chosen by the server's flavour
    record: bool = False
    force: bool = False
    basedir: Path | None = None
    result_file: Path | None = None
    reject_dir: Path | None = None
    vardir: Path | None = None
    verbose: bool = False
    color: bool | None = None  # None: when stdout is a terminal


def server_from_environment(
    host: str | None,
    port: int | None,
    user: str | None,
    password: str | None,
    socket: str | None,
    database: str | None,
    environ: dict[str, str] | None = None,
) -> ServerSettings:
    env = os.environ if environ is None else environ
    env_port = env.get("TIDB_PORT")
    return ServerSettings(
        host=host or env.get("TIDB_HOST") or None,
        port=port or (int(env_port) if env_port and env_port.isdigit() else None),
        user=user or env.get("TIDB_USER") or "root",
        password=password if password is not None else env.get("TIDB_PASSWORD", ""),
        socket=socket or None,
        database=database or env.get("TIDB_DATABASE") or "test",
    )
