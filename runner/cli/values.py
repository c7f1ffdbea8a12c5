"""Command-line values with units, as typer parsers: a value that does not read is a usage error
naming the expected form (``90s``, ``1h30m``; ``500MB``, ``5GB``), never a traceback."""

from __future__ import annotations

import typer


def duration(text: str) -> float:
    """Seconds in ``text`` (a bare number is seconds)."""
    from runner.config.durations import parse_duration  # imported when an option is given

    try:
        return parse_duration(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def size(text: str) -> int:
    """Bytes in ``text`` (a bare number is bytes)."""
    from runner.language.quantities import parse_size

    try:
        return parse_size(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
