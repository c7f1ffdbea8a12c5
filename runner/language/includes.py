"""Sourced files read once per run, not once per test that sources them.

A file is parsed on its own (its records' locations have no parent) and kept under its path,
modification time, size, delimiter and character set; each ``source`` then gets a copy whose
locations carry the include chain that led there. Re-parenting a file's records costs a small
fraction of reading them again; the stat() on each use notices a file a test rewrote.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from runner.errors import TestFileError
from runner.language.parser import ParseResult, parse_file
from runner.language.records import Location

Key = tuple[Path, int, int, str, str, frozenset[str]]


class IncludeCache:
    def __init__(self) -> None:
        self._parsed: dict[Key, ParseResult] = {}
        self.hits = 0

    def read(
        self, path: Path, parent: Location, *, delimiter: str, charset: str, commands: frozenset[str] = frozenset()
    ) -> ParseResult:
        try:
            stat = path.stat()
        except OSError as exc:
            raise TestFileError(parent, f"cannot read {path}: {exc.strerror}") from None
        key = (path, stat.st_mtime_ns, stat.st_size, delimiter, charset, commands)
        parsed = self._parsed.get(key)
        if parsed is None:
            try:
                parsed = parse_file(path, delimiter=delimiter, charset=charset, partial=True, commands=commands)
            except TestFileError as exc:
                raise TestFileError(parent, exc.message) from None
            self._parsed[key] = parsed
        else:
            self.hits += 1
        return reparented(parsed, parent)


def reparented(parsed: ParseResult, parent: Location) -> ParseResult:
    """``parsed`` (a file read on its own) as sourced from ``parent``."""
    error = parsed.error
    if error is not None:
        moved = _move(error.location, parent) if error.location is not None else parent
        error = TestFileError(moved, error.message)
    return ParseResult([_move(record, parent) for record in parsed.records], parsed.delimiter, error)


def _move(value: Any, parent: Location) -> Any:
    kind = type(value)
    if kind is Location:
        # Within one file every location is top-level: the chain starts at the source line.
        return Location(value.file, value.line, parent if value.parent is None else _move(value.parent, parent))
    if kind is list:
        return [_move(item, parent) for item in value]
    if kind is tuple:
        return tuple(_move(item, parent) for item in value)
    if is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for spec in fields(value):
            item = getattr(value, spec.name)
            if item is not None and not isinstance(item, str | int | bool):
                changes[spec.name] = _move(item, parent)
        return replace(value, **changes) if changes else value
    return value

