"""Test output as a report file shows it: readable text, nothing a reader would refuse."""

from __future__ import annotations

import re

# Output is kept as the server's bytes decoded as latin-1 (byte for byte, as the result files);
# readers of a report expect UTF-8 text.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def readable(text: str) -> str:
    """``text`` decoded as UTF-8 where it is that; bytes that are not shown as ``\\xNN``; control
    characters XML 1.0 cannot carry written out too."""
    try:
        text = text.encode("latin-1").decode("utf-8", errors="backslashreplace")
    except UnicodeEncodeError:
        pass  # already text beyond latin-1: not bytes in disguise
    return _XML_ILLEGAL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


SERVER_LOG_MARKS = ("\n--- last lines of the server's error log ---\n", "\n--- last lines of the error log ---\n")


def split_server_log(message: str) -> tuple[str, str]:
    """A failure message and the server's error-log tail it ends with (a crash, a failed start)."""
    for mark in SERVER_LOG_MARKS:
        head, found, tail = message.partition(mark)
        if found:
            return head, tail
    return message, ""
