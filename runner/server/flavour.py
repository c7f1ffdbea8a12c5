"""Which SQL dialect a server speaks, from its ``VERSION()`` string."""

from __future__ import annotations

from typing import Literal

from runner.server.connect import AdminConnection

Flavour = Literal["tidb", "mariadb", "mysql"]


def detect_flavour(version_string: str) -> Flavour:
    """Classify a ``VERSION()`` string.

    TiDB reports a MySQL-compatible prefix (``8.0.11-TiDB-v7.5.0``), so the TiDB check comes
    first; anything that names neither TiDB nor MariaDB is taken to be MySQL.
    """
    lowered = version_string.lower()
    if "tidb" in lowered:
        return "tidb"
    if "mariadb" in lowered:
        return "mariadb"
    return "mysql"


def server_version(conn: AdminConnection) -> str:
    """``SELECT VERSION()`` on an open connection."""
    return str(conn.query_rows("SELECT VERSION()")[0][0])


def query_flavour(conn: AdminConnection) -> Flavour:
    """The flavour of the server behind an open connection."""
    return detect_flavour(server_version(conn))
