"""The cleanup between tests works when a test left new transactions read-only by default
(``SET GLOBAL TRANSACTION READ ONLY``): its own connection would inherit that and every DROP
DATABASE would fail with 1792 (seen once in a whole ``main`` run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.server import hygiene
from runner.server.connect import open_connection
from runner.server.embedded import EmbeddedServer

pytestmark = pytest.mark.integration


def test_the_cleanup_runs_when_transactions_are_read_only_by_default(
    private_server: EmbeddedServer, tmp_path: Path
) -> None:
    conn = open_connection(private_server.address)
    try:
        conn.execute("CREATE DATABASE left_behind")
        conn.execute("SET GLOBAL TRANSACTION READ ONLY")
    finally:
        conn.close()
    try:
        hygiene.reset_between_tests(private_server.address, tmp_path)
        conn = open_connection(private_server.address)
        try:
            assert [row[0] for row in conn.query_rows("SHOW DATABASES LIKE 'left_behind'")] == []
        finally:
            conn.close()
    finally:
        conn = open_connection(private_server.address)
        try:
            conn.execute("SET GLOBAL TRANSACTION READ WRITE")
        finally:
            conn.close()
