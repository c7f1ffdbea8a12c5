"""--shard K/N: every test in exactly one part, the same parts on every job, parts of about equal
recorded duration."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from runner.run import records
from runner.run.schedule import Durations, _key
from runner.run.shard import parse_shard, partition, take_shard


def many(root: Path, count: int) -> list[records.TestCase]:
    folder = root / "main"
    folder.mkdir(parents=True, exist_ok=True)
    cases = []
    for number in range(count):
        path = folder / f"t{number:04}.test"
        path.write_text("select 1;\n" * (number % 7 + 1))
        cases.append(records.TestCase(path, path.stem, path.with_suffix(".result")))
    return cases


def recorded(root: Path, cases: list[records.TestCase], seed: int = 7) -> Durations:
    """Durations as a MariaDB main run has them: most tests short, a long tail of slow ones."""
    rng = random.Random(seed)
    seconds = {_key(case): round(rng.lognormvariate(-1.0, 1.2), 3) for case in cases}
    path = root / "durations.json"
    path.write_text(json.dumps(seconds))
    return Durations.load(path)


def test_every_test_is_in_exactly_one_part(tmp_path: Path) -> None:
    cases = many(tmp_path, 300)
    durations = recorded(tmp_path, cases)
    parts = [take_shard(cases, (k, 4), durations.guess) for k in range(1, 5)]
    names = [case.name for part in parts for case in part]
    assert sorted(names) == sorted(case.name for case in cases)
    assert len(names) == len(set(names))
    for part in parts:  # each part keeps the run's order
        assert part == [case for case in cases if case in part]


def test_parts_are_balanced_by_recorded_durations(tmp_path: Path) -> None:
    cases = many(tmp_path, 1315)
    durations = recorded(tmp_path, cases)
    loads = [sum(durations.guess(case) for case in part) for part in partition(cases, 4, durations.guess)]
    mean = sum(loads) / 4
    assert all(abs(load - mean) <= 0.15 * mean for load in loads), loads
    assert max(loads) - min(loads) <= max(durations.guess(case) for case in cases)


def test_the_parts_do_not_depend_on_the_order_tests_were_found_in(tmp_path: Path) -> None:
    cases = many(tmp_path, 200)
    durations = recorded(tmp_path, cases)
    shuffled = list(cases)
    random.Random(1).shuffle(shuffled)
    for k in range(1, 4):
        one = {case.name for case in take_shard(cases, (k, 3), durations.guess)}
        other = {case.name for case in take_shard(shuffled, (k, 3), durations.guess)}
        assert one == other


def test_tests_never_timed_are_balanced_by_their_size(tmp_path: Path) -> None:
    cases = many(tmp_path, 70)
    guess = Durations.load(None).guess
    loads = [sum(guess(case) for case in part) for part in partition(cases, 2, guess)]
    assert abs(loads[0] - loads[1]) <= max(guess(case) for case in cases)


def test_more_parts_than_tests(tmp_path: Path) -> None:
    cases = many(tmp_path, 2)
    parts = partition(cases, 5, lambda case: 1.0)
    assert sorted(len(part) for part in parts) == [0, 0, 0, 1, 1]


@pytest.mark.parametrize(("text", "expected"), [("1/4", (1, 4)), ("4/4", (4, 4)), (" 2/3 ", (2, 3))])
def test_parse_shard(text: str, expected: tuple[int, int]) -> None:
    assert parse_shard(text) == expected


@pytest.mark.parametrize(("text", "why"), [("0/4", "K must be from 1 to N"), ("5/4", "K must be from 1 to N"),
                                           ("1/0", "K must be from 1 to N"), ("1-4", "expected K/N"),
                                           ("a/b", "expected K/N")])
def test_parse_shard_refuses(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        parse_shard(text)
