"""The embedded server died: say how, show the end of its error log, start it again.

The test in flight when it died fails with that report; the server is restarted on the same data
(and port, when still free) and cleaned, and the run goes on with the next test.
"""

from __future__ import annotations

import logging
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from runner.server.address import ServerAddress
    from runner.server.embedded import EmbeddedServer

log = logging.getLogger("tidbrun.crash")
TAIL_LINES = 20


def describe_exit(returncode: int | None) -> str:
    if returncode is None:
        return "is not running"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"was killed by signal {-returncode} ({name})"
    return f"exited with code {returncode}"


def log_tail(path: Path, offset: int = 0, lines: int = TAIL_LINES) -> str:
    """The last ``lines`` lines written to ``path`` after ``offset`` — or of the whole file when
    nothing was written since (a SIGKILL leaves no last words)."""
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            recent = handle.read().decode("utf-8", errors="replace")
            if not recent.strip():
                handle.seek(0)
                recent = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(recent.splitlines()[-lines:])


@dataclass(slots=True)
class Crash:
    how: str  # "was killed by signal 9 (SIGKILL)"
    tail: str  # the error log's last lines

    def report(self) -> str:
        text = f"the server {self.how} during this test"
        if self.tail:
            text += "\n--- last lines of the server's error log ---\n" + self.tail
        return text


class CrashWatch:
    """Watches one embedded server across the tests of a run."""

    def __init__(self, server: EmbeddedServer) -> None:
        self.server = server
        self._offset = 0
        self.restarts = 0
        self.restart_seconds: list[float] = []

    def begin_test(self) -> None:
        """Remember where the error log ends, so a crash report shows what this test caused."""
        try:
            self._offset = self.server.error_log.stat().st_size
        except OSError:
            self._offset = 0

    def died(self) -> bool:
        return not self.server.is_alive()

    def crash(self) -> Crash:
        return Crash(describe_exit(self.server.returncode), log_tail(self.server.error_log, self._offset))

    def restart(self) -> ServerAddress:
        began = time.monotonic()
        log.warning("restarting the server (it %s)", describe_exit(self.server.returncode))
        address = self.server.restart()
        seconds = time.monotonic() - began
        self.restarts += 1
        self.restart_seconds.append(seconds)
        log.warning("server restarted in %.2f s on %s", seconds, address)
        return address
