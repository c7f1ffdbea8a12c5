"""Timeouts as the user writes them: a bare number is seconds; a unit may be given (``90s``,
``15m``, ``1h``, ``1h30m``), which is how mysql-test-run.pl's minutes are written here."""

from __future__ import annotations

import math

from runner.language import quantities

UNITS_HINT = "a duration above 0: a number of seconds, or with a unit (90s, 15m, 1h)"


def parse_duration(text: str) -> float:
    """Seconds in ``text``, above 0; ValueError naming the accepted forms for anything else."""
    try:
        seconds = quantities.parse_duration(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise ValueError(f"{text!r} is not {UNITS_HINT}")
    return seconds
