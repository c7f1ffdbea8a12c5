"""Which server the embedded default starts: --server / --server-binary (through the environment,
so that workers inherit them), else tidb-server on PATH, MariaDB, MySQL, the cached TiDB build."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.config.run_config import SERVER_BINARY_ENV, SERVER_ENV
from runner.server import binaries
from runner.server.embedded import ServerKind, find_server_kind

CACHED = Path("/cache/tidb/v1/bin/tidb-server")


def installed(monkeypatch: pytest.MonkeyPatch, *names: str, cached: bool = True) -> None:
    found = {name: Path(f"/usr/sbin/{name}") for name in names}
    monkeypatch.setattr(binaries, "find_program", lambda name, *a, **k: found.get(name))
    monkeypatch.setattr(binaries, "find_first", lambda *n, **k: next((found[x] for x in n if x in found), None))
    monkeypatch.setattr(binaries, "cached_tidb_server", lambda *a: CACHED if cached else None)
    monkeypatch.setattr(binaries, "version_text", lambda path: "mysqld  Ver 8.0.36")
    monkeypatch.delenv(SERVER_ENV, raising=False)
    monkeypatch.delenv(SERVER_BINARY_ENV, raising=False)


def test_mariadb_wins_over_the_cached_tidb_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    installed(monkeypatch, "mariadbd", "mariadb-install-db")
    kind = find_server_kind()
    assert kind is not None and kind.kind == "mariadb"


def test_a_tidb_server_on_path_wins_over_mariadb(monkeypatch: pytest.MonkeyPatch) -> None:
    installed(monkeypatch, "tidb-server", "mariadbd", "mariadb-install-db")
    assert find_server_kind() == ServerKind("tidb", Path("/usr/sbin/tidb-server"))


def test_server_tidb_takes_the_cached_build(monkeypatch: pytest.MonkeyPatch) -> None:
    installed(monkeypatch, "mariadbd", "mariadb-install-db")
    monkeypatch.setenv(SERVER_ENV, "tidb")
    assert find_server_kind() == ServerKind("tidb", CACHED)


def test_server_tidb_without_any_build_finds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    installed(monkeypatch, "mariadbd", "mariadb-install-db", cached=False)
    monkeypatch.setenv(SERVER_ENV, "tidb")
    assert find_server_kind() is None


def test_server_mariadb_skips_a_tidb_server_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    installed(monkeypatch, "tidb-server", "mariadbd", "mariadb-install-db")
    monkeypatch.setenv(SERVER_ENV, "mariadb")
    kind = find_server_kind()
    assert kind is not None and kind.kind == "mariadb"


def test_only_the_cached_tidb_is_the_last_resort(monkeypatch: pytest.MonkeyPatch) -> None:
    installed(monkeypatch)
    assert find_server_kind() == ServerKind("tidb", CACHED)


def test_server_binary_names_the_program(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    installed(monkeypatch, "mariadbd", "mariadb-install-db")
    program = tmp_path / "tidb-server"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    monkeypatch.setenv(SERVER_BINARY_ENV, str(program))
    assert find_server_kind() == ServerKind("tidb", program)


def test_the_cache_holds_only_finished_builds(tmp_path: Path) -> None:
    done = tmp_path / "tidb" / "v1" / "bin" / "tidb-server"
    half = tmp_path / "tidb" / "v2" / "bin" / "tidb-server"
    for program in (done, half):
        program.parent.mkdir(parents=True)
        program.write_text("#!/bin/sh\n")
        program.chmod(0o755)
    (tmp_path / "tidb" / "v1" / ".built").write_text("v1\n")
    assert binaries.cached_tidb_server(tmp_path) == done


