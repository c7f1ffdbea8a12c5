"""Whether the console paints, and the paint: ``--color auto|always|never`` as ls and grep take
it, ``NO_COLOR`` as https://no-color.org asks (any non-empty value turns colour off in ``auto``), and
colour only on a terminal otherwise. The escape codes come from rich."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import TextIO


def wants_color(choice: str, stream: TextIO, environ: Mapping[str, str]) -> bool:
    if choice == "always":
        return True
    if choice == "never" or environ.get("NO_COLOR"):
        return False
    return is_terminal(stream)


def is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or a stand-in stream
        return False


def paint(text: str, color: str) -> str:
    """``text`` in one of the terminal's eight colours (``green``, ``red``, ``yellow``...)."""
    start, end = _codes(color)
    return f"{start}{text}{end}"


@lru_cache(maxsize=16)
def _codes(color: str) -> tuple[str, str]:
    # rich is imported only when there is colour to paint: it takes ~50 ms, a run in CI has none.
    from rich.color import ColorSystem
    from rich.style import Style

    painted = Style(color=color).render("\0", color_system=ColorSystem.STANDARD)
    start, _, end = painted.partition("\0")
    return start, end
