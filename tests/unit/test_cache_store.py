"""The cache store on a fake cache folder: what is listed, in which order, and what pruning
removes (least recently used first) and never removes (the TiDB build, durations, an entry in use)."""

from __future__ import annotations

import io
import logging
import os
import time
from pathlib import Path

import pytest

from runner.config.schema import SIZE, builtin_schema
from runner.config.settings import resolve_options
from runner.config.sources import OptionValueError
from runner.run import execute
from runner.server import cache_store
from runner.server.cache_store import (
    BOOTSTRAP_SQL,
    BUILDING,
    DURATIONS,
    FACTS,
    OTHER,
    TEMPLATE,
    TIDB_BUILD,
    entries,
    mark_used,
    prune,
)

MB = 1 << 20
NOW = time.time()
HOUR = 3600.0
DAY = 24 * HOUR
SLACK = 64 << 10  # what a file system may allocate beyond the bytes written


def key(n: int) -> str:
    return f"{n:020x}"


def fill(path: Path, size: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    return path


def template(cache: Path, n: int, size_mb: int, used_ago: float, kind: str = "mariadb") -> Path:
    """A template as bootstrap leaves it (meta.json, data/), last used ``used_ago`` seconds ago."""
    folder = cache / f"{kind}-{key(n)}"
    fill(folder / "data" / "ibdata1", size_mb * MB)
    (folder / "meta.json").write_text("{}")
    mark_used(folder)
    moment = NOW - used_ago
    os.utime(folder / cache_store.USED_MARKER, (moment, moment))
    return folder


def aged(path: Path, ago: float) -> Path:
    os.utime(path, (NOW - ago, NOW - ago))
    return path


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    """Templates of 1, 2 and 3 MB last used 3, 2 and 1 days ago (the 1 MB one the least recently),
    one a minute ago, bootstrap SQL, a TiDB build, durations and things of others."""
    root = tmp_path / "tidbrun"
    template(root, 1, 1, 3 * DAY)
    template(root, 2, 2, 2 * DAY)
    template(root, 3, 3, 1 * DAY)
    template(root, 4, 1, 60.0, kind="tidb")  # in use: a run copies it right now
    aged(fill(root / f"bootstrap-{key(5)}.sql", MB), 5 * DAY)
    fill(root / "tidb" / "v1.0" / "bin" / "tidb-server", 4 * MB)
    aged(fill(root / "tidb" / "v1.0" / ".built", 10), 30 * DAY)
    fill(root / "tidb" / "v2.0" / "src" / "go.mod", 10)  # `make tidb` building now: no .built yet
    aged(fill(root / "durations.json", 4096), 30 * DAY)
    aged(fill(root / "facts" / "help-x.txt", 4096), 30 * DAY)
    aged(root / "facts", 30 * DAY)
    fill(root / "mysql-tester" / "mysql-tester", MB)
    (root / ".build-mariadb-x-abc").mkdir()
    return root


def names(found: list[cache_store.Entry]) -> list[str]:
    return [entry.name for entry in found]


def test_the_listing_names_each_kind_with_its_size_and_last_use(cache: Path) -> None:
    found = {entry.name: entry for entry in entries(cache)}
    kinds = {name: entry.kind for name, entry in found.items()}
    assert kinds == {
        f"mariadb-{key(1)}": TEMPLATE, f"mariadb-{key(2)}": TEMPLATE, f"mariadb-{key(3)}": TEMPLATE,
        f"tidb-{key(4)}": TEMPLATE, f"bootstrap-{key(5)}.sql": BOOTSTRAP_SQL, "tidb/v1.0": TIDB_BUILD,
        "tidb/v2.0": BUILDING, "durations.json": DURATIONS, "facts": FACTS, "mysql-tester": OTHER,
        ".build-mariadb-x-abc": BUILDING,
    }
    for name, size_mb in ((f"mariadb-{key(1)}", 1), (f"mariadb-{key(3)}", 3), ("tidb/v1.0", 4)):
        assert size_mb * MB <= found[name].size < size_mb * MB + SLACK, name
    assert found[f"mariadb-{key(2)}"].last_used == pytest.approx(NOW - 2 * DAY, abs=1)
    assert found["tidb/v1.0"].last_used == pytest.approx(NOW - 30 * DAY, abs=1)
    # templates first, the most recently used first
    assert names(entries(cache))[:4] == [f"tidb-{key(4)}", f"mariadb-{key(3)}", f"mariadb-{key(2)}",
                                         f"mariadb-{key(1)}"]
    assert entries(cache / "nowhere") == []


def test_a_use_is_recorded_and_measuring_is_not_one(tmp_path: Path) -> None:
    folder = template(tmp_path, 1, 1, 3 * DAY)
    (folder / cache_store.USED_MARKER).unlink()  # a template from before uses were recorded
    aged(folder, 3 * DAY)
    (entry,) = entries(tmp_path)
    assert entry.last_used == pytest.approx(NOW - 3 * DAY, abs=1)
    assert (folder / cache_store.SIZE_RECORD).is_file()  # kept: a template never changes
    assert entries(tmp_path)[0].last_used == pytest.approx(NOW - 3 * DAY, abs=1)
    mark_used(folder)
    assert entries(tmp_path)[0].last_used == pytest.approx(time.time(), abs=5)
    sql = aged(fill(tmp_path / f"bootstrap-{key(2)}.sql", 10), DAY)
    mark_used(sql)
    assert sql.stat().st_mtime == pytest.approx(time.time(), abs=5)
    mark_used(tmp_path / "gone")  # never fails


def test_older_than_removes_the_old_rebuildable_entries_only(cache: Path) -> None:
    result = prune(cache, older_than=1.5 * DAY, now=NOW)
    assert names(result.removed) == [f"bootstrap-{key(5)}.sql", f"mariadb-{key(1)}", f"mariadb-{key(2)}"]
    assert not (cache / f"mariadb-{key(1)}").exists() and not (cache / f"bootstrap-{key(5)}.sql").exists()
    left = names(entries(cache))
    for kept in (f"mariadb-{key(3)}", f"tidb-{key(4)}", "tidb/v1.0", "durations.json", "facts", "mysql-tester"):
        assert kept in left
    assert result.freed >= 4 * MB
    assert not [path for path in cache.iterdir() if path.name.startswith(".trash-")]


def test_max_size_removes_the_least_recently_used_first(cache: Path) -> None:
    # 1 + 2 + 3 + 1 MB of templates and 1 MB of SQL: 4 MB must go, the oldest first
    result = prune(cache, max_size=4 * MB + SLACK, now=NOW)
    assert names(result.removed) == [f"bootstrap-{key(5)}.sql", f"mariadb-{key(1)}", f"mariadb-{key(2)}"]
    assert sum(entry.size for entry in entries(cache, {TEMPLATE, BOOTSTRAP_SQL})) <= 4 * MB + SLACK
    # already small enough: nothing more goes
    assert prune(cache, max_size=10 * MB, now=NOW).removed == []


def test_an_entry_in_use_is_kept_even_by_all(cache: Path) -> None:
    result = prune(cache, everything=True, now=NOW)
    assert names(result.kept_in_use) == [f"tidb-{key(4)}"]
    assert (cache / f"tidb-{key(4)}" / "data").is_dir()
    assert not (cache / "facts").exists()  # --all takes the small ones too
    left = set(names(entries(cache)))
    assert left == {f"tidb-{key(4)}", "tidb/v1.0", "tidb/v2.0", "durations.json", "mysql-tester",
                    ".build-mariadb-x-abc"}


def test_what_a_run_used_is_kept_by_its_bound(cache: Path) -> None:
    result = prune(cache, max_size=0, kinds=(TEMPLATE,), keep_used_since=NOW - 1.5 * DAY, grace=0, now=NOW)
    assert names(result.removed) == [f"mariadb-{key(1)}", f"mariadb-{key(2)}"]
    assert (cache / f"mariadb-{key(3)}").is_dir() and (cache / f"tidb-{key(4)}").is_dir()
    assert (cache / f"bootstrap-{key(5)}.sql").is_file()  # not a template


def test_the_tidb_build_goes_only_when_asked(cache: Path) -> None:
    prune(cache, everything=True, now=NOW)
    assert (cache / "tidb" / "v1.0" / "bin" / "tidb-server").is_file()
    result = prune(cache, older_than=7 * DAY, include_tidb=True, now=NOW)
    assert names(result.removed) == ["tidb/v1.0"]
    assert not (cache / "tidb" / "v1.0").exists()
    assert (cache / "tidb" / "v2.0" / "src" / "go.mod").is_file()  # a build under way stays


def test_dry_run_removes_nothing(cache: Path) -> None:
    before = sorted(str(path) for path in cache.rglob("*") if cache_store.SIZE_RECORD not in path.name)
    result = prune(cache, everything=True, include_tidb=True, dry_run=True, now=NOW)
    assert len(result.removed) == 6 and result.freed >= 11 * MB
    after = sorted(str(path) for path in cache.rglob("*") if cache_store.SIZE_RECORD not in path.name)
    assert after == before


def test_a_use_after_the_listing_saves_the_entry(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    listed = cache_store.entries

    def listing_then_a_run_uses_one(cache_dir: Path, kinds: object = None) -> list[cache_store.Entry]:
        found = listed(cache_dir, kinds)  # type: ignore[arg-type]
        mark_used(cache / f"mariadb-{key(1)}")
        return found

    monkeypatch.setattr(cache_store, "entries", listing_then_a_run_uses_one)
    result = prune(cache, older_than=1.5 * DAY)
    assert names(result.kept_in_use) == [f"mariadb-{key(1)}"]
    assert (cache / f"mariadb-{key(1)}" / "data").is_dir()


def test_leftovers_of_an_interrupted_prune_go(cache: Path) -> None:
    fill(cache / ".trash-mariadb-x-1-2" / "data" / "f", 10)
    prune(cache, older_than=100 * DAY)
    assert not (cache / ".trash-mariadb-x-1-2").exists()


def test_a_run_bounds_its_templates_and_a_failure_is_only_logged(
    cache: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache.parent))
    caplog.set_level(logging.INFO, logger="tidbrun.cache")
    execute.bound_templates(4 * MB, used_since=NOW - 1.5 * DAY)
    assert not (cache / f"mariadb-{key(1)}").exists() and not (cache / f"mariadb-{key(2)}").exists()
    assert (cache / f"mariadb-{key(3)}").is_dir()
    assert "removed 2 least recently used template(s)" in caplog.text

    def broken(*args: object, **kwargs: object) -> None:
        raise PermissionError("read-only")

    monkeypatch.setattr(cache_store, "prune", broken)
    execute.bound_templates(1, used_since=NOW)  # no exception
    assert "could not prune" in caplog.text and "read-only" in caplog.text


def test_cache_max_size_is_a_size_option() -> None:
    assert builtin_schema()["cache_max_size"].default == 5 << 30
    assert SIZE.check("500MB") == 500 << 20 and SIZE.check(0) == 0 and SIZE.parse("2GB") == 2 << 30
    for bad in (-1, "lots", True):
        with pytest.raises(ValueError):
            SIZE.check(bad)
    resolved = resolve_options({}, config=None, environ={"TIDB_CACHE_MAX_SIZE": "1GB"}, warn=io.StringIO())
    assert resolved["cache_max_size"] == 1 << 30
    with pytest.raises(OptionValueError, match="TIDB_CACHE_MAX_SIZE"):
        resolve_options({}, config=None, environ={"TIDB_CACHE_MAX_SIZE": "big"}, warn=io.StringIO())


def test_a_template_pruned_between_lookup_and_copy_is_built_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from runner.server import embedded
    from runner.server.embedded import EmbeddedServer, ServerKind

    rebuilt = tmp_path / "cache" / f"tidb-{key(1)}" / "data"
    fill(rebuilt / "kv" / "store", 10)
    answers = [(tmp_path / "cache" / f"tidb-{key(2)}" / "data", False), (rebuilt, True)]  # the first: gone

    def looked_up(cache_dir: Path, plan: object, **kwargs: object) -> tuple[Path, bool]:
        return answers.pop(0)

    monkeypatch.setattr(embedded.bootstrap, "ensure_template", looked_up)
    server = EmbeddedServer(kind=ServerKind("tidb", Path("/opt/tidb-server")), vardir=tmp_path / "var",
                            cache_dir=tmp_path / "cache")
    server._populate_datadir(ServerKind("tidb", Path("/opt/tidb-server")))
    assert answers == [] and (server.datadir / "kv" / "store").is_file()
    assert server.template_dir == rebuilt and server.template_built
