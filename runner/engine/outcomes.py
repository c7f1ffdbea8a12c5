"""How a test stops early: failure, a wrong test file, a skip, ``exit``, ``break``.

These are raised by the interpreter, its directives, the dialects' commands and the faults layer,
and caught by the run; this module imports nothing of tidbrun's at run time, so any of them may
import it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from runner.language.records import Location


class TestFailure(Exception):
    """The test stops and fails: what mysqltest reports as ``At line N: …``."""

    def __init__(self, location: Location | None, message: str) -> None:
        super().__init__(message)
        self.location = location
        self.message = message

    def __str__(self) -> str:
        return f"{self.location.describe()}: {self.message}" if self.location else self.message


class TestInputError(TestFailure):
    """The test file itself is wrong (a bad --error token, regex, unknown connection, missing file):
    reported like a malformed test, exit code 2."""


# A file name longer than this is shown by its start and length: a fuzzed test may name a file
# with thousands of characters, which would bury the message.
SHOWN_NAME_CHARACTERS = 120


def os_error_message(command: str, exc: OSError) -> str:
    """``command: <why> (errno N): '<file>'`` for an operating-system error on a file a test named."""
    names = [str(name) for name in (exc.filename, exc.filename2) if name is not None]
    shown = []
    for name in names:
        if len(name) > SHOWN_NAME_CHARACTERS:
            name = f"{name[:SHOWN_NAME_CHARACTERS]}... ({len(name):,} characters)"
        shown.append(f"'{name}'")
    why = exc.strerror or type(exc).__name__
    return f"{command}: {why} (errno {exc.errno}): {' -> '.join(shown)}"


class TestSkipped(Exception):
    def __init__(self, reason: str, location: Location | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.location = location


class TestExit(Exception):
    """``exit``: stop here; the output so far is the result."""


class BreakLoop(Exception):
    pass
