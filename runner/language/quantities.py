"""The quantities a user writes in options and budgets: ``500ms``, ``50MB``, ``10%``."""

from __future__ import annotations

import re

from pytimeparse import parse as parse_timespan

_NUMBER = r"(\d+(?:\.\d*)?|\.\d+)"
_DURATION = re.compile(_NUMBER + r"\s*(us|µs|ms|s|m|min|h)?", re.IGNORECASE)
_SIZE = re.compile(_NUMBER + r"\s*(b|kb|kib|k|mb|mib|m|gb|gib|g)?", re.IGNORECASE)
_PERCENT = re.compile(_NUMBER + r"\s*%?")

_SECONDS = {"us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0}
# Memory sizes are powers of two, as the kernel's RSS figures are.
_BYTES = {"b": 1, "k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mb": 1 << 20, "mib": 1 << 20,
          "g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30}


def parse_duration(text: str, *, default_unit: str = "s") -> float:
    """Seconds in ``text``: ``250ms``, ``2s``, ``1.5m``, ``1h30m``; a bare number is in ``default_unit``."""
    m = _DURATION.fullmatch(text.strip())
    if m is not None:
        return float(m.group(1)) * _SECONDS[(m.group(2) or default_unit).lower()]
    compound = parse_timespan(text.strip()) if text.strip() else None  # 1h30m, 2 minutes 10 seconds
    if compound is None:
        raise ValueError(f"'{text}' is not a duration (e.g. 500ms, 2s, 15m, 1h30m)")
    return float(compound)


def parse_size(text: str) -> int:
    """Bytes in ``text``: ``512KB``, ``50MB``, ``1G``; a bare number is bytes."""
    m = _SIZE.fullmatch(text.strip())
    if m is None:
        raise ValueError(f"'{text}' is not a size (e.g. 512KB, 50MB, 1GB)")
    return int(float(m.group(1)) * _BYTES[(m.group(2) or "b").lower()])


def size_text(size: int) -> str:
    """A size as ``parse_size`` reads it back, in the largest unit that holds it whole (``5GB``)."""
    for unit, factor in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size and size % factor == 0:
            return f"{size // factor}{unit}"
    return str(size)


def parse_percent(text: str) -> float:
    """The number in ``10%`` (the sign optional)."""
    m = _PERCENT.fullmatch(text.strip())
    if m is None:
        raise ValueError(f"'{text}' is not a percentage (e.g. 10%)")
    return float(m.group(1))


def format_seconds(seconds: float) -> str:
    """A latency as people read it: ``850us``, ``12.3ms``, ``1.25s``."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f}us"
    if seconds < 1.0:
        return f"{seconds * 1e3:.3g}ms"
    return f"{seconds:.3g}s"


def format_bytes(size: float) -> str:
    sign = "-" if size < 0 else ""
    size = abs(size)
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{sign}{size:.0f}{unit}" if unit == "B" else f"{sign}{size:.1f}{unit}"
        size /= 1024
    return f"{sign}{size:.2f}GB"
