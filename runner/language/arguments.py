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
