"""Test order: setups together, longest first, durations remembered."""

from __future__ import annotations

from pathlib import Path

from runner.run import suite
from runner.run.schedule import Durations, Scheduler, in_setup_order


def case(tmp_path: Path, name: str, size: int = 10) -> suite.TestCase:
    path = tmp_path / f"{name}.test"
    path.write_text("x" * size)
    return suite.TestCase(path, name, tmp_path / f"{name}.result")


def test_a_worker_gets_the_longest_test_of_its_own_setup(tmp_path: Path) -> None:
    a, b, c = case(tmp_path, "a"), case(tmp_path, "b"), case(tmp_path, "c")
    cost = {"a": 1.0, "b": 5.0, "c": 3.0}
    setup = {"a": "x", "b": "y", "c": "x"}
    scheduler = Scheduler([a, b, c], lambda t: setup[t.name], lambda t: cost[t.name])
    assert scheduler.next_for("x") == c
    assert scheduler.next_for("x") == a
    assert scheduler.next_for("x") == b  # nothing left for x: the only other setup
    assert scheduler.next_for("x") is None


def test_without_a_match_the_setup_with_most_work_left_comes_next(tmp_path: Path) -> None:
    tests = [case(tmp_path, n) for n in ("a", "b", "c", "d")]
    cost = {"a": 4.0, "b": 3.0, "c": 3.0, "d": 0.5}
    setup = {"a": "big-alone", "b": "pair", "c": "pair", "d": "z"}
    scheduler = Scheduler(tests, lambda t: setup[t.name], lambda t: cost[t.name])
    first = scheduler.next_for(None)
    assert first is not None and setup[first.name] == "pair"  # 6 s of work beats 4 s


def test_take_all_empties_the_scheduler(tmp_path: Path) -> None:
    tests = [case(tmp_path, n) for n in ("a", "b")]
    scheduler = Scheduler(list(tests), lambda t: None, lambda t: 0.0)
    assert sorted(t.name for t in scheduler.take_all()) == ["a", "b"]
    assert scheduler.next_for(None) is None


def test_one_worker_keeps_the_order_but_groups_setups(tmp_path: Path) -> None:
    tests = [case(tmp_path, n) for n in ("a", "b", "c", "d")]
    setup = {"a": 1, "b": 2, "c": 1, "d": 3}
    assert [t.name for t in in_setup_order(tests, lambda t: setup[t.name])] == ["a", "c", "b", "d"]


def test_durations_round_trip_and_guess_from_size(tmp_path: Path) -> None:
    store = tmp_path / "cache" / "durations.json"
    small, big = case(tmp_path, "small", 100), case(tmp_path, "big", 100_000)
    fresh = Durations.load(store)
    assert fresh.guess(big) > fresh.guess(small) > 0
    fresh.update([suite.TestReport(small, "pass", 7.5), suite.TestReport(big, "skip", 9.0)])
    fresh.save()
    again = Durations.load(store)
    assert again.guess(small) == 7.5
    assert again.guess(big) == fresh.guess(big)  # a skip says nothing about how long the test runs


def test_a_broken_durations_file_is_ignored(tmp_path: Path) -> None:
    store = tmp_path / "durations.json"
    store.write_text("{not json")
    assert Durations.load(store).seconds == {}


def test_two_runs_that_save_one_after_the_other_keep_both_timings(tmp_path: Path) -> None:
    # Both load before either saves, as two CI jobs on one cache or a test run beside a suite run.
    store = tmp_path / "durations.json"
    a, b = case(tmp_path, "a"), case(tmp_path, "b")
    first, second = Durations.load(store), Durations.load(store)
    first.update([suite.TestReport(a, "pass", 3.0)])
    second.update([suite.TestReport(b, "pass", 4.0)])
    first.save()
    second.save()
    merged = Durations.load(store)
    assert (merged.guess(a), merged.guess(b)) == (3.0, 4.0)


def test_a_mysql_test_tree_keeps_mtr_order_within_a_setup(tmp_path: Path) -> None:
    # MTR runs a setup's tests by name; some pass only after another (perfschema.relaylog after
    # rpl_threads leaves the servers), so the longest-first order is not used for a tree.
    tests = [case(tmp_path, n) for n in ("relaylog", "rpl_threads", "other")]
    cost = {"relaylog": 0.5, "rpl_threads": 1.25, "other": 9.0}
    setup = {"relaylog": "rpl", "rpl_threads": "rpl", "other": "plain"}
    scheduler = Scheduler(list(tests), lambda t: setup[t.name], lambda t: cost[t.name], keep_order_within_setup=True)
    assert [getattr(scheduler.next_for("rpl"), "name", None) for _ in range(2)] == ["relaylog", "rpl_threads"]
    longest = Scheduler(list(tests), lambda t: setup[t.name], lambda t: cost[t.name])
    assert [getattr(longest.next_for("rpl"), "name", None) for _ in range(2)] == ["rpl_threads", "relaylog"]
