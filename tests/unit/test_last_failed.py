"""--last-failed: the cache of the previous run's failed tests."""

from __future__ import annotations

import json
from pathlib import Path

from runner.run.last_failed import FILE_NAME, LastFailed, cache_folder
from runner.run.records import TestReport as Report
from tests.unit.report_samples import case


def test_failed_tests_are_remembered_and_passing_ones_forgotten(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    a, b, c = case(tmp_path, "a"), case(tmp_path, "b"), case(tmp_path, "c 'x'")
    cache = LastFailed.load(folder)
    cache.update([Report(a, "fail", 0.1), Report(b, "error", 0.1), Report(c, "fail", 0.1)])
    cache.save()
    assert sorted(json.loads((folder / FILE_NAME).read_text()).values()) == ["suite.a", "suite.b", "suite.c 'x'"]
    assert (folder / ".gitignore").read_text().endswith("*\n") and (folder / "CACHEDIR.TAG").is_file()
    again = LastFailed.load(folder)
    kept, note = again.keep([case(tmp_path, "z"), a, c])
    assert kept == [a, c] and "2 test(s)" in note
    again.update([Report(a, "pass", 0.1), Report(c, "not run", 0.0)])  # not run: still failed
    again.save()
    assert sorted(LastFailed.load(folder).failed.values()) == ["suite.b", "suite.c 'x'"]


def test_with_no_failure_known_every_test_runs(tmp_path: Path) -> None:
    cases = [case(tmp_path, "a")]
    kept, note = LastFailed.load(tmp_path / "none").keep(cases)
    assert kept == cases and "running them all" in note


def test_an_unchanged_cache_is_not_written(tmp_path: Path) -> None:
    cache = LastFailed.load(tmp_path / "cache")
    cache.update([Report(case(tmp_path, "a"), "pass", 0.1)])
    cache.save()
    assert not (tmp_path / "cache").exists()  # a green run leaves no folder behind


def test_a_broken_cache_is_an_empty_one(tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).write_text("[not, json")
    assert LastFailed.load(tmp_path).failed == {}


def test_the_folder_is_the_current_ones_unless_moved() -> None:
    assert cache_folder({}) == Path(".tidbrun_cache")
    assert cache_folder({"TIDBRUN_CACHE_DIR": "/x/y"}) == Path("/x/y")
