"""Overwrite the password in the process's own command line, as MySQL's clients do.

``ps`` and ``/proc/<pid>/cmdline`` read the arguments from the process's memory (the area between
``arg_start`` and ``arg_end`` of ``/proc/self/stat``); Python keeps its own copies of them, so that
area can be overwritten in place. Linux only; elsewhere nothing is done. The password is visible
for the moment between the start of the process and this call: prefer the prompt, TIDB_PASSWORD
or a config file.
"""

from __future__ import annotations

import ctypes
import sys
from pathlib import Path

_OPTION = b"--password"


def _argument_area() -> tuple[int, int] | None:
    try:
        data = Path("/proc/self/stat").read_bytes()
    except OSError:
        return None
    fields = data[data.rindex(b")") + 2 :].split()  # fields from the 3rd on; comm may hold blanks
    try:
        start, end = int(fields[48 - 3]), int(fields[49 - 3])
    except (IndexError, ValueError):
        return None
    return (start, end) if 0 < start < end else None


def password_spans(arguments: list[bytes]) -> list[tuple[int, int]]:
    """(offset, length) of every password value in NUL-joined ``arguments``."""
    spans = []
    offset = 0
    take_next = False
    for argument in arguments:
        if take_next:
            spans.append((offset, len(argument)))
            take_next = False
        elif argument == _OPTION:
            take_next = True
        elif argument.startswith(_OPTION + b"="):
            spans.append((offset + len(_OPTION) + 1, len(argument) - len(_OPTION) - 1))
        elif argument.startswith(b"-p") and not argument.startswith(b"--") and len(argument) > 2:
            spans.append((offset + 2, len(argument) - 2))
        if argument == b"--":
            break
        offset += len(argument) + 1
    return [(start, length) for start, length in spans if length > 0]


def hide_password() -> bool:
    """Overwrite password values in this process's visible command line; True when any was."""
    if not sys.platform.startswith("linux"):
        return False
    area = _argument_area()
    if area is None:
        return False
    start, end = area
    try:
        raw = ctypes.string_at(start, end - start)
    except (OSError, ValueError):
        return False
    spans = password_spans(raw.rstrip(b"\0").split(b"\0"))
    for offset, length in spans:
        ctypes.memmove(start + offset, b"x" * length, length)
    return bool(spans)
