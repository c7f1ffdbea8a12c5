"""Durations, sizes and percentages as written, and budget arguments checked when a file is read."""

from __future__ import annotations

import pytest

from runner.errors import TestFileError as FileError
from runner.language.budgets import DurationBudget, MemoryBudget, parse_duration_budget, parse_memory_budget
from runner.language.parser import parse_text
from runner.language.quantities import (
    format_bytes,
    format_seconds,
    parse_duration,
    parse_percent,
    parse_size,
    size_text,
)


def test_quantities() -> None:
    assert parse_duration("500ms") == pytest.approx(0.5)
    assert parse_duration("2s") == 2.0 and parse_duration("1.5m") == 90.0 and parse_duration("250us") == 0.00025
    assert parse_duration("7") == 7.0 and parse_duration("7", default_unit="ms") == pytest.approx(0.007)
    assert parse_size("50MB") == 50 << 20 and parse_size("512k") == 512 << 10 and parse_size("1GB") == 1 << 30
    assert parse_percent("10%") == 10.0 and parse_percent("2.5") == 2.5
    for bad, parse in (("fast", parse_duration), ("5 parsecs", parse_duration), ("lots", parse_size),
                       ("ten%", parse_percent)):
        with pytest.raises(ValueError):
            parse(bad)
    assert format_seconds(0.0004) == "400us" and format_seconds(0.0123) == "12.3ms" and format_seconds(2.5) == "2.5s"
    assert format_bytes(3 << 20) == "3.0MB" and format_bytes(-(1 << 10)) == "-1.0KB"


def test_budget_arguments() -> None:
    assert parse_duration_budget("100ms") == DurationBudget(0.1, 1)
    assert parse_duration_budget("2s repeat 5") == DurationBudget(2.0, 5)
    assert parse_memory_budget("50MB") == MemoryBudget(50 << 20, None)
    assert parse_memory_budget("10%") == MemoryBudget(None, 10.0)
    for bad in ("", "100", "100ms repeat", "100ms repeat 0", "100ms twice", "0ms"):
        with pytest.raises(ValueError):
            parse_duration_budget(bad)
    for bad in ("", "50", "50MB 10%", "much"):
        with pytest.raises(ValueError):
            parse_memory_budget(bad)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("--max_duration 100\nSELECT 1;\n", 1, "needs a unit"),
        ("SELECT 1;\n--max_duration 1s repeat many\nSELECT 1;\n", 2, "only 'repeat N'"),
        ("--max_server_memory_growth 50MB\nSELECT 1;\n", 1, "is never ended"),
        ("--end_max_server_memory_growth\n", 1, "without a 'max_server_memory_growth'"),
        ("--max_server_memory_growth lots\n--end_max_server_memory_growth\n", 1, "needs a unit"),
        ("--max_server_memory_growth 1MB 2MB\n--end_max_server_memory_growth\n", 1, "one size or percentage"),
        ("max_duration 5 apples;\nSELECT 1;\n", 1, "needs a unit"),
    ],
)
def test_a_bad_budget_is_a_parse_error(text: str, line: int, message: str) -> None:
    with pytest.raises(FileError) as caught:
        parse_text(text, "b.test")
    assert caught.value.location is not None and caught.value.location.line == line
    assert message in caught.value.message


def test_good_budgets_parse_and_nest() -> None:
    text = """--max_server_memory_growth 10%
--max_server_memory_growth 1GB
--max_duration $limit repeat 3
SELECT 1;
--end_max_server_memory_growth
--end_max_server_memory_growth
"""
    names = [getattr(r, "name", None) for r in parse_text(text, "b.test").records]
    assert names == ["max_server_memory_growth", "max_server_memory_growth", "max_duration", None,
                     "end_max_server_memory_growth", "end_max_server_memory_growth"]


@pytest.mark.parametrize(("size", "text"), [(5 << 30, "5GB"), (512 << 20, "512MB"), (3 << 10, "3KB"), (1000, "1000"),
                                            (0, "0")])
def test_size_text_reads_back(size: int, text: str) -> None:
    assert size_text(size) == text
    assert parse_size(text) == size
