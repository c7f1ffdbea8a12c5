"""Output transforms a test asks for: replace_regex, replace_result, replace_column.

Each is parsed once from its command's argument; applying it is a plain function call on one piece
of output (a field, a column name, the echoed statement, an error message), as mysqltest does.
"""

from __future__ import annotations

import re
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
    return pattern


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
        raise TransformError(f'error parsing replace_regex "{argument}"')
    return "".join(buf), i + 1


@lru_cache(maxsize=512)
def parse_replace_regex(argument: str) -> tuple[RegexReplace, ...]:
    """``/from/to/[i] …``: any delimiter character; ``(from)[to]`` brackets pair up."""
    items: list[RegexReplace] = []
    i, n = 0, len(argument)
    while i < n:
        if argument[i] in " \t\r\n":
            i += 1
            continue
        opener = argument[i]
        closer = _CLOSING.get(opener, opener)
        pattern, i = _delimited_part(argument, i + 1, closer)
        if closer != opener:
            # Brackets: the replacement has a pair of its own, of any kind.
            if i >= n:
                raise TransformError(f'error parsing replace_regex "{argument}"')
            opener = argument[i]
            closer = _CLOSING.get(opener, opener)
            i += 1
        template, i = _delimited_part(argument, i, closer)
        flags = 0
        while i < n and argument[i] not in " \t\r\n":
            if argument[i] != "i":
                raise TransformError(f'error parsing replace_regex "{argument}": unknown flag {argument[i]!r}')
            flags |= re.IGNORECASE
            i += 1
        try:
            compiled = re.compile(_posix_to_python(pattern), flags | re.DOTALL)
        except re.error as exc:
            raise TransformError(f"bad regular expression {pattern!r} in replace_regex: {exc}") from None
        items.append(RegexReplace(compiled, template))
    if not items:
        raise TransformError("replace_regex needs at least one /from/to/")
    return tuple(items)


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
