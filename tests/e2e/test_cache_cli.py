"""``tidbrun cache show|clean`` as a user meets them, on a private cache folder (XDG_CACHE_HOME),
and a real run on the embedded server: it records its template's use and bounds the templates."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from runner.server.cache_store import USED_MARKER
from runner.server.embedded import find_server_kind
from tests.conftest import run_tidbrun, write

pytestmark = pytest.mark.e2e

MB = 1 << 20
DAY = 86400.0


def fake_template(cache: Path, name: str, size: int, days_ago: float) -> Path:
    folder = cache / name
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "ibdata1").write_bytes(b"x" * size)
    (folder / "meta.json").write_text("{}")
    moment = time.time() - days_ago * DAY
    (folder / USED_MARKER).touch()
    os.utime(folder / USED_MARKER, (moment, moment))
    return folder


@pytest.fixture
def xdg(tmp_path: Path) -> Path:
    """A cache folder with two templates (10 and 1 day unused), durations and a TiDB build."""
    home = tmp_path / "xdg"
    cache = home / "tidbrun"
    fake_template(cache, "mariadb-" + "a" * 20, 2 * MB, 10)
    fake_template(cache, "mariadb-" + "b" * 20, 1 * MB, 1)
    (cache / "durations.json").write_text('{"t.x": 1.5}')
    (cache / "tidb" / "v1" / "bin").mkdir(parents=True)
    (cache / "tidb" / "v1" / "bin" / "tidb-server").write_bytes(b"x" * MB)
    (cache / "tidb" / "v1" / ".built").write_text("done")
    os.utime(cache / "tidb" / "v1" / ".built", (time.time() - 30 * DAY,) * 2)
    return home


def cache_cli(xdg: Path, *args: str) -> tuple[int, str, str]:
    run = run_tidbrun("cache", *args, env_extra={"XDG_CACHE_HOME": str(xdg)}, cwd=xdg)
    assert "Traceback" not in run.output, run.output
    return run.returncode, run.stdout, run.stderr


def test_show_lists_the_entries_with_their_total(xdg: Path) -> None:
    code, out, _ = cache_cli(xdg, "show")
    assert code == 0, out
    assert f"# cache: {xdg / 'tidbrun'}" in out
    lines = {line.split()[1]: line.split() for line in out.splitlines() if line.split()[:1] != ["#"]
             and len(line.split()) > 2}
    assert lines["mariadb-" + "a" * 20][0] == "template" and lines["mariadb-" + "a" * 20][2] == "2.0MB"
    assert lines["tidb/v1"][0] == "tidb-build" and lines["durations.json"][0] == "durations"
    assert "(10d ago)" in " ".join(lines["mariadb-" + "a" * 20])
    assert "total: 4.0MB in 4 entries (2 templates: 3.0MB)" in out
    code, out, _ = cache_cli(xdg, "show", "--json")
    document = json.loads(out)
    assert document["cache_dir"] == str(xdg / "tidbrun")
    assert [entry["name"] for entry in document["entries"]] == [
        "mariadb-" + "b" * 20, "mariadb-" + "a" * 20, "tidb/v1", "durations.json"]
    assert document["total_bytes"] == sum(entry["bytes"] for entry in document["entries"])


def test_clean_removes_the_least_recently_used_and_keeps_the_rest(xdg: Path) -> None:
    cache = xdg / "tidbrun"
    code, out, _ = cache_cli(xdg, "clean", "--older-than", "5d", "--dry-run")
    assert code == 0, out
    assert "would remove template mariadb-" + "a" * 20 + " (2.0MB" in out and "would free 2.0MB in 1 entries" in out
    assert (cache / ("mariadb-" + "a" * 20)).is_dir()
    code, out, _ = cache_cli(xdg, "clean", "--max-size", "1.5MB")
    assert code == 0, out
    assert "removed template mariadb-" + "a" * 20 in out and "freed 2.0MB in 1 entries" in out
    assert not (cache / ("mariadb-" + "a" * 20)).exists() and (cache / ("mariadb-" + "b" * 20)).is_dir()
    code, out, _ = cache_cli(xdg, "clean", "--all")
    assert code == 0 and "freed 1.0MB in 1 entries" in out, out
    assert (cache / "durations.json").read_text() == '{"t.x": 1.5}'
    assert (cache / "tidb" / "v1" / "bin" / "tidb-server").is_file()  # only with --include-tidb
    code, out, _ = cache_cli(xdg, "clean", "--all", "--include-tidb")
    assert code == 0 and "removed tidb-build tidb/v1" in out, out
    assert sorted(path.name for path in cache.iterdir()) == ["durations.json", "tidb"]


@pytest.mark.parametrize(("args", "message"), [
    (["clean"], "say what to remove"),
    (["clean", "--older-than", "soon"], "'soon' is not a duration"),
    (["clean", "--max-size", "huge"], "'huge' is not a size"),
    (["clean", "--all", "--older-than", "1d"], "--all removes every removable entry"),
    (["show", "--bogus"], "No such option"),
])
def test_a_bad_argument_is_a_usage_error(xdg: Path, args: list[str], message: str) -> None:
    code, _, err = cache_cli(xdg, *args)
    assert code == 2 and message in err, err
    assert (xdg / "tidbrun" / ("mariadb-" + "a" * 20)).is_dir()


def test_a_run_records_its_template_use_and_bounds_the_others(xdg: Path, tmp_path: Path) -> None:
    if find_server_kind() is None:
        pytest.skip("no server binary (tidb-server, mariadbd or mysqld) to start")
    cache = xdg / "tidbrun"
    test = write(tmp_path / "t" / "x.test", "select 1 as x;\n")
    env = {"XDG_CACHE_HOME": str(xdg)}
    first = run_tidbrun(test, "--record", env_extra=env, timeout=300)
    assert first.returncode == 0, first.output
    fakes = {"mariadb-" + "a" * 20, "mariadb-" + "b" * 20}
    (built,) = [path for path in cache.iterdir() if (path / "meta.json").is_file() and path.name not in fakes]
    long_ago = time.time() - 10 * DAY
    os.utime(built / USED_MARKER, (long_ago, long_ago))
    # Not even the template the run uses fits in one byte: all but that one go.
    second = run_tidbrun(test, "--cache-max-size", "1", env_extra=env, timeout=300)
    assert second.returncode == 0, second.output
    assert (built / USED_MARKER).stat().st_mtime > time.time() - 300
    assert (built / "data").is_dir()
    assert not any((cache / name).exists() for name in fakes)
    assert (cache / "tidb" / "v1" / ".built").is_file()


def test_cache_max_size_is_a_run_option(tmp_path: Path) -> None:
    run = run_tidbrun("config", "show", "--json", cwd=tmp_path, env_extra={"TIDB_CACHE_MAX_SIZE": "1GB"})
    assert run.returncode == 0, run.output
    option = json.loads(run.stdout)["options"]["cache_max_size"]
    assert option["value"] == 1 << 30 and option["from"] == "env TIDB_CACHE_MAX_SIZE"
    assert option["place"] == "[server] cache_max_size"
    bad = run_tidbrun("--cache-max-size", "lots", tmp_path, cwd=tmp_path)
    assert bad.returncode == 2 and "'lots' is not a size" in bad.stderr and "Traceback" not in bad.output
    assert "--cache-max-size" in run_tidbrun("--help").stdout
