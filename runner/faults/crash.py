"""The embedded server died: say how, show the end of its error log, start it again.

The test in flight when it died fails with that report; the server is restarted on the same data
(and port, when still free) and cleaned, and the run goes on with the next test. A death the test
announced in an expect file (mysql-test-run.pl's protocol, ``runner.server.expect``) is no crash:
the watcher restarts the server as the test asked, and the test goes on.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from runner.server.expect import Death, ExpectWatcher

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
    why: str = ""  # what the expect-file protocol made of it, when it was involved

    def report(self) -> str:
        text = f"the server {self.how} during this test"
        if self.why:
            text += f": {self.why}"
        if self.tail:
            text += "\n--- last lines of the server's error log ---\n" + self.tail
        return text


class CrashWatch:
    """Watches one embedded server across the tests of a run."""

    def __init__(
        self,
        server: EmbeddedServer,
        expect: ExpectWatcher | None = None,
        *,
        on_death: Callable[[Death], None] | None = None,
    ) -> None:
        self.server = server
        self.expect = expect if expect is not None else ExpectWatcher(server, on_death=on_death)
        self._offset = 0
        self.restarts = 0
        self.restart_seconds: list[float] = []

    def mark(self, name: str) -> None:
        """Mark a test's start in the error log as MTR does, before any restart for the test:
        tests that search the log (``search_pattern_in_file.inc``) start at the last
        ``CURRENT_TEST:`` line, and must see the messages of a server started for them."""
        if self.server.kind.kind == "tidb":
            return
        self.server.mark_test_start(name)

    def begin_test(self) -> None:
        """Remember where the error log ends, so a crash report shows what this test caused, and
        watch for restarts the test asks for."""
        try:
            self._offset = self.server.error_log.stat().st_size
        except OSError:
            self._offset = 0
        self.expect.begin_test()

    def end_test(self) -> None:
        """The test is over: stop watching (a restart it asked for is finished first)."""
        self.expect.end_test()

    def died(self) -> bool:
        return not self.server.is_alive()

    @property
    def options_changed(self) -> bool:
        """The last test restarted the server with options of its own: MTR restarts it with the
        next test's options before that test."""
        return self.expect.options_changed

    @property
    def requested_restarts(self) -> int:
        return self.expect.restarts

    def crash(self) -> Crash:
        death = self.expect.death
        how = describe_exit(self.server.returncode if death is None else death.returncode)
        why = "" if death is None or death.why == "crash" else death.describe()
        return Crash(how, log_tail(self.server.error_log, self._offset), why)

    def restore_options(self) -> ServerAddress:
        """Restart the server with the options it had before a test's ``restart: <options>``."""
        base = self.expect.base_options
        began = time.monotonic()
        log.info("restarting the server without the options the last test restarted it with")
        address = self.server.restart(base)
        self.expect.forget_options()
        self.restarts += 1
        self.restart_seconds.append(time.monotonic() - began)
        return address

    def restart(self) -> ServerAddress:
        began = time.monotonic()
        log.warning("restarting the server (it %s)", describe_exit(self.server.returncode))
        # A test that left the server stopped left its expect file too: the next death is a crash.
        self.expect.expect_file.unlink(missing_ok=True)
        # Back to the options of before a test's own restart, if it made one.
        address = self.server.restart(self.expect.base_options if self.expect.options_changed else None)
        self.expect.forget_options()
        seconds = time.monotonic() - began
        self.restarts += 1
        self.restart_seconds.append(seconds)
        log.warning("server restarted in %.2f s on %s", seconds, address)
        return address

