"""Output transforms a test asks for: replace_regex, replace_result, replace_column.

Each is parsed once from its command's argument; applying it is a plain function call on one piece
of output (a field, a column name, the echoed statement, an error message), as mysqltest does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from runner.errors import TidbrunError
from runner.language.arguments import split_quoted


class TransformError(TidbrunError):
    pass


_CLOSING = {"(": ")", "[": "]", "{": "}", "<": ">"}
# Python's re has no POSIX bracket classes; mysqltest's PCRE2 does.
_POSIX_CLASSES = {
    "[:alpha:]": "a-zA-Z",
    "[:digit:]": "0-9",
    "[:alnum:]": "a-zA-Z0-9",
    "[:upper:]": "A-Z",
    "[:lower:]": "a-z",
    "[:space:]": r" \t\n\r\f\v",
    "[:blank:]": r" \t",
    "[:xdigit:]": "0-9A-Fa-f",
    "[:punct:]": r"!-/:-@\[-`{-~",
    "[:word:]": r"\w",
}
_GROUP_REF = re.compile(r"\\(\d)")
# An escape pair of the pattern, read left to right so that `\\N` stays a backslash and an N.
# PCRE's `\N` (any character but a newline) is Python's `[^\n]`; Python reads `\N` as `\N{name}`.
_ESCAPE_PAIR = re.compile(r"\\(N(?!\{)|.)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class RegexReplace:
    pattern: re.Pattern[str]
    template: str

    def apply(self, value: str) -> str:
        return self.pattern.sub(self._expand, value)

    def _expand(self, match: re.Match[str]) -> str:
        if "\\" not in self.template:
            return self.template
        return _GROUP_REF.sub(lambda g: _group(match, int(g.group(1))), self.template)


def _group(match: re.Match[str], index: int) -> str:
    if index > (match.re.groups or 0):
        return f"\\{index}"  # the pattern has no such group: mysqltest keeps the text
    return match.group(index) or ""


def _posix_to_python(pattern: str) -> str:
    for posix, python in _POSIX_CLASSES.items():
        pattern = pattern.replace(posix, python)
    if "\\N" in pattern:
        pattern = _ESCAPE_PAIR.sub(lambda pair: r"[^\n]" if pair.group(1) == "N" else pair.group(0), pattern)
    return pattern


def _parse_error(text: str) -> TransformError:
    return TransformError(f'Error parsing replace_regex "{text}"')


def _delimited_part(argument: str, i: int, closer: str) -> tuple[str, int]:
    """The text from ``i`` up to ``closer`` (``\\<closer>`` is a literal one) and the index after it."""
    buf: list[str] = []
    n = len(argument)
    while i < n and argument[i] != closer:
        if argument[i] == "\\" and i + 1 < n and argument[i + 1] == closer:
            buf.append(closer)
            i += 2
            continue
        buf.append(argument[i])
        i += 1
    if i >= n:
        raise _parse_error(argument)
    return "".join(buf), i + 1


@dataclass(frozen=True, slots=True)
class _VariableRef:
    name: str


@dataclass(frozen=True, slots=True)
class _Level:
    """One replace_regex text parsed on its own (the argument, or a variable's value).

    mysqltest (append_replace_regex) reads it item by item: where a ``/from/to/`` could start, a
    ``$name`` stands for a list of its own, parsed from the variable's value in place. ``error`` is what
    stopped the parse after ``items``; ``ends_blank``: the text ends in blanks, which mysqltest takes
    as an error when no ``/from/to/`` is in the list by then (``$empty  ``).
    """

    items: tuple[RegexReplace | _VariableRef, ...]
    error: str | None
    ends_blank: bool


_BLANKS = " \t\n\v\f\r"
_VAR_NAME = re.compile(r"[A-Za-z0-9_]+")
_DIGITS = "0123456789"
# mysqltest recurses without a bound (a variable naming itself crashes it); tidbrun says so instead.
_MAX_NESTING = 16


@lru_cache(maxsize=512)
def _parse_level(text: str) -> _Level:
    items: list[RegexReplace | _VariableRef] = []
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i] in _BLANKS:
            i += 1
        if i >= n:
            return _Level(tuple(items), None, ends_blank=True)
        if text[i] == "$":
            # var_get: one digit is a register ($1); else the longest run of name characters.
            if i + 1 < n and text[i + 1] in _DIGITS:
                name, i = text[i + 1], i + 2
            else:
                m = _VAR_NAME.match(text, i + 1)
                if m is None:
                    return _Level(tuple(items), str(_parse_error(text)), ends_blank=False)
                name, i = m.group(), m.end()
            items.append(_VariableRef(name))
            continue
        opener = text[i]
        closer = _CLOSING.get(opener, opener)
        try:
            pattern, i = _delimited_part(text, i + 1, closer)
            if closer != opener:
                # Brackets: the replacement has a pair of its own, of any kind.
                if i >= n:
                    raise _parse_error(text)
                opener = text[i]
                closer = _CLOSING.get(opener, opener)
                i += 1
            template, i = _delimited_part(text, i, closer)
        except TransformError as exc:
            return _Level(tuple(items), str(exc), ends_blank=False)
        # One `i` right after the closer; any other character starts the next item.
        flags = re.DOTALL
        if i < n and text[i] == "i":
            flags |= re.IGNORECASE
            i += 1
        try:
            compiled = re.compile(_posix_to_python(pattern), flags)
        except re.error as exc:
            return _Level(tuple(items), f"bad regular expression {pattern!r} in replace_regex: {exc}", False)
        items.append(RegexReplace(compiled, template))
    return _Level(tuple(items), None, ends_blank=False)


def parse_replace_regex(
    argument: str, variables: Callable[[str], str] | None = None
) -> tuple[RegexReplace, ...]:
    """``/from/to/[i] …``: any delimiter character; ``(from)[to]`` brackets pair up; ``$name`` where an
    item could start is the variable's value, itself such a list (``variables`` gives values).

    A ``$`` inside a pattern is the pattern's (an anchor), never a variable.
    """
    found: list[RegexReplace] = []
    _resolve(argument, variables, found, 0)
    return tuple(found)


def _resolve(
    text: str, variables: Callable[[str], str] | None, found: list[RegexReplace], depth: int
) -> None:
    level = _parse_level(text)
    for item in level.items:
        if isinstance(item, RegexReplace):
            found.append(item)
            continue
        if variables is None:
            raise TransformError(f"replace_regex: ${item.name} needs the test's variables")
        if depth >= _MAX_NESTING:
            raise TransformError(f"replace_regex: variables nest more than {_MAX_NESTING} deep at ${item.name}")
        _resolve(variables(item.name), variables, found, depth + 1)
    if level.error is not None:
        raise TransformError(level.error)
    if level.ends_blank and not found:
        raise _parse_error(text)


@dataclass(frozen=True, slots=True)
class StringReplace:
    """replace_result: leftmost match wins; at one position the longest from-string."""

    pattern: re.Pattern[str]
    table: dict[str, str]

    def apply(self, value: str) -> str:
        table = self.table
        return self.pattern.sub(lambda m: table[m.group()], value)


@lru_cache(maxsize=512)
def parse_replace_result(argument: str) -> StringReplace:
    words = split_quoted(argument)
    if not words or len(words) % 2:
        raise TransformError(f"replace_result needs pairs of from and to strings: '{argument}'")
    table: dict[str, str] = {}
    for src, dst in zip(words[::2], words[1::2], strict=True):
        if not src:
            raise TransformError(f"replace_result: empty from-string in '{argument}'")
        table.setdefault(src, dst)
    alternatives = sorted(table, key=len, reverse=True)
    return StringReplace(re.compile("|".join(map(re.escape, alternatives))), table)


def parse_replace_column(argument: str) -> dict[int, str]:
    words = split_quoted(argument)
    if not words or len(words) % 2:
        raise TransformError(f"replace_column needs pairs of column number and value: '{argument}'")
    columns: dict[int, str] = {}
    for number, value in zip(words[::2], words[1::2], strict=True):
        if not number.isdigit() or int(number) < 1:
            raise TransformError(f"replace_column: '{number}' is not a column number (1, 2, …)")
        columns[int(number) - 1] = value
    return columns


@dataclass(slots=True)
class Replacer:
    """The replacements in force for one statement's output: regexes first, then strings."""

    regexes: tuple[RegexReplace, ...] = ()
    strings: StringReplace | None = None

    def __bool__(self) -> bool:
        return bool(self.regexes) or self.strings is not None

    def __call__(self, value: str) -> str:
        for rx in self.regexes:
            value = rx.apply(value)
        if self.strings is not None:
            value = self.strings.apply(value)
        return value
