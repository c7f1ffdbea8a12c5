"""Splitting a command's argument text into words, as mysqltest's argument reader does."""

from __future__ import annotations

from runner.errors import TidbrunError


class ArgumentError(TidbrunError):
    pass


def split_quoted(text: str) -> list[str]:
    """Whitespace-separated words; a word may be quoted with " or ' to hold blanks."""
    words: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] in " \t\r\n":
            i += 1
            continue
        if text[i] in "\"'":
            quote = text[i]
            close = text.find(quote, i + 1)
            if close < 0:
                raise ArgumentError(f"unterminated quote in: {text}")
            words.append(text[i + 1 : close])
            i = close + 1
        else:
            j = i
            while j < n and text[j] not in " \t\r\n":
                j += 1
            words.append(text[i:j])
            i = j
    return words


def command_args(text: str, count: int, delimiter: str = " ") -> tuple[list[str], str]:
    """mysqltest's ``check_command_args`` for ``count`` string arguments of the raw (unexpanded)
    argument text: leading blanks skipped; an argument opened by a quote (single, double or
    backtick) runs to the same quote (no escapes), then to the next ``delimiter``; otherwise to
    the next ``delimiter``.
    Returns the arguments, still to be expanded one by one (so a ``$var`` value's quotes and blanks
    stay as they are), and the text after them (mysqltest refuses anything there but blanks or a
    ``#`` comment)."""
    words: list[str] = []
    i, n = 0, len(text)
    for _ in range(count):
        while i < n and text[i] == " ":
            i += 1
        stop = delimiter
        if i < n and text[i] in "'`\"":
            stop = text[i]
            i += 1
        start = i
        while i < n and text[i] != stop:
            i += 1
        words.append(text[start:i])
        while i < n and text[i] != delimiter:
            i += 1
        if i < n:
            i += 1
    return words, text[i:]


def extra_argument(rest: str) -> str | None:
    """What check_command_args refuses in the text after the arguments, as its message quotes it
    (from the first non-blank): anything before a ``#`` comment but blanks. None when all is well."""
    text = rest.lstrip(" ")
    return text if text.split("#", 1)[0].strip(" ") else None
