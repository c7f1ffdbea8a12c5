"""Performance budgets in a test: their arguments, checked when the file is read.

``--max_duration TIME [repeat N]`` before a statement: the statement runs N times (default 1) and
the test fails when the median is above TIME. ``--max_server_memory_growth SIZE|PERCENT`` …
``--end_max_server_memory_growth`` around a block: the test fails when the server's RSS grew
more than that across it. The engine runs them (``runner.engine.directives.budgets``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from runner.language.quantities import parse_duration, parse_percent, parse_size

MAX_DURATION = "max_duration"
MEMORY_GROWTH = "max_server_memory_growth"
END_MEMORY_GROWTH = "end_max_server_memory_growth"
BUDGET_COMMANDS = (MAX_DURATION, MEMORY_GROWTH, END_MEMORY_GROWTH)
MAX_REPEAT = 10_000
_HAS_UNIT = re.compile(r".*\d\s*[A-Za-zµ%]+")


@dataclass(frozen=True, slots=True)
class DurationBudget:
    seconds: float
    repeat: int


@dataclass(frozen=True, slots=True)
class MemoryBudget:
    bytes: int | None  # an amount, or
    percent: float | None  # a share of the RSS at the block's start


def parse_duration_budget(text: str) -> DurationBudget:
    """``100ms``, ``2s repeat 5``; ValueError for anything else."""
    words = text.split()
    if not words:
        raise ValueError("max_duration needs a time: '--max_duration 100ms [repeat N]'")
    if _HAS_UNIT.fullmatch(words[0]) is None:
        raise ValueError(f"max_duration: '{words[0]}' needs a unit (100ms, 2s)")
    seconds = parse_duration(words[0])
    if seconds <= 0:
        raise ValueError("max_duration: the time must be above 0")
    repeat = 1
    if len(words) > 1:
        if len(words) != 3 or words[1].lower() != "repeat" or not words[2].isdigit():
            raise ValueError(f"max_duration: after the time only 'repeat N' may follow, not '{' '.join(words[1:])}'")
        repeat = int(words[2])
        if not 1 <= repeat <= MAX_REPEAT:
            raise ValueError(f"max_duration: repeat must be from 1 to {MAX_REPEAT}")
    return DurationBudget(seconds, repeat)


def parse_memory_budget(text: str) -> MemoryBudget:
    """``50MB`` or ``10%``; ValueError for anything else."""
    word = text.strip()
    if not word or len(word.split()) != 1:
        raise ValueError("max_server_memory_growth needs one size or percentage: 50MB, 10%")
    if word.endswith("%"):
        return MemoryBudget(None, parse_percent(word))
    if _HAS_UNIT.fullmatch(word) is None:
        raise ValueError(f"max_server_memory_growth: '{word}' needs a unit (512KB, 50MB, 1GB) or a %")
    return MemoryBudget(parse_size(word), None)


def check_argument(name: str, argument: str) -> None:
    """Raise ValueError for an argument that can never work; one with $variables waits for the run."""
    if "$" in argument:
        return
    if name == MAX_DURATION:
        parse_duration_budget(argument)
    elif name == MEMORY_GROWTH:
        parse_memory_budget(argument)
    elif argument.strip():
        raise ValueError(f"{name} takes no argument")
