"""Timeouts as a user writes them: a bare number is seconds; ``90s``, ``15m``, ``1h`` (and their
mixes) name the unit, so mysql-test-run.pl's minutes can be written as such."""

from __future__ import annotations

import pytest

from runner.config.durations import parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90.0), ("1.5", 1.5), ("90s", 90.0), ("15m", 900.0), ("1h", 3600.0), ("1h30m", 5400.0),
     ("0.5s", 0.5), (" 2m ", 120.0), ("2 min", 120.0)],
)
def test_a_duration_in_seconds(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "abc", "15x", "-5", "0", "0s", "m", "nan", "inf"])
def test_a_bad_duration_is_refused_with_the_units_named(text: str) -> None:
    with pytest.raises(ValueError, match=r"a duration above 0: a number of seconds, or with a unit \(90s, 15m, 1h\)"):
        parse_duration(text)
