"""``--shard K/N``: the K-th of N parts of a run, for N CI jobs that run one part each.

Deterministic: every job that sees the same tests and the same recorded durations
(``~/.cache/tidbrun/durations.json``, kept by CI's cache; a test never timed is guessed from its
size) puts every test in the same part, so each test runs in exactly one. Balanced by those
durations: the longest test first, each to the part with the least work so far (LPT), ties
broken by name, never by the order the tests were found in.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from runner.run.names import display_name
from runner.run.records import TestCase

_SHARD = re.compile(r"(\d+)/(\d+)")


def parse_shard(text: str) -> tuple[int, int]:
    """``K/N`` with 1 <= K <= N; ValueError with a one-line message otherwise."""
    match = _SHARD.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"--shard {text!r}: expected K/N, e.g. 1/4")
    index, count = int(match.group(1)), int(match.group(2))
    if count < 1 or not 1 <= index <= count:
        raise ValueError(f"--shard {text!r}: K must be from 1 to N")
    return index, count


def partition(cases: list[TestCase], count: int, cost: Callable[[TestCase], float]) -> list[list[TestCase]]:
    """The cases in ``count`` parts of about equal cost, each part in the cases' own order."""
    keyed = [(round(max(cost(case), 0.0), 6), display_name(case), str(case.path), position)
             for position, case in enumerate(cases)]
    keyed.sort(key=lambda item: (-item[0], item[1], item[2]))
    loads = [0.0] * count
    parts: list[list[int]] = [[] for _ in range(count)]
    for seconds, _, _, position in keyed:
        lightest = min(range(count), key=lambda part: (loads[part], part))
        loads[lightest] += seconds
        parts[lightest].append(position)
    return [[cases[position] for position in sorted(part)] for part in parts]


def take_shard(cases: list[TestCase], shard: tuple[int, int], cost: Callable[[TestCase], float]) -> list[TestCase]:
    index, count = shard
    return partition(cases, count, cost)[index - 1]
