"""What a test (or a chaos schedule) may do to the embedded server: kill it, restart it, pause it.

- **kill**: SIGKILL, no shutdown: what a power cut leaves (committed transactions must survive).
- **restart** ``[options]``: a clean shutdown when it still runs, then a start on the same data
  directory, port and socket, with the options it was started with and ``options`` added.
- **pause** / **resume**: SIGSTOP / SIGCONT. A paused server keeps its connections open and answers
  nothing: a statement waits until it is resumed (a hung server, as a client meets one).

During a test the server is watched for crashes (``runner.server.expect``): a kill is announced to
that watcher first, as mysql-test-run.pl's ``kill_mysqld.inc`` does with its expect file, and a
restart goes through it too, so that the run knows the test's own options must be undone before
the next test. A server left killed at the end of the test is reported as a test that stopped the
server and did not ask for a restart. Without a watcher (a stress run), the server is restarted
here directly.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from runner.server.embedded import EmbeddedServer
    from runner.server.expect import ExpectWatcher

POLL_SECONDS = 0.02
KILL_WAIT_SECONDS = 10.0  # for a SIGKILLed process to be gone
STOP_WAIT_SECONDS = 30.0  # for a clean shutdown before SIGKILL
RESTART_WAIT_SECONDS = 90.0  # for the server to answer again
SIGNAL_WAIT_SECONDS = 5.0  # for SIGSTOP / SIGCONT to take effect


class ServerControlError(Exception):
    """The server could not be killed, restarted, paused or resumed as asked."""


class ServerControl:
    def __init__(self, server: EmbeddedServer, watcher: ExpectWatcher | None = None) -> None:
        self.server = server
        self.watcher = watcher
        self.paused = False
        self.kills = 0
        self.restart_seconds: list[float] = []

    # -- the actions -----------------------------------------------------------------------------

    def kill(self) -> None:
        """SIGKILL the server and wait until it is gone."""
        pid = self._running_pid("kill")
        self._announce("wait")
        os.kill(pid, signal.SIGKILL)
        self.paused = False
        self.kills += 1
        deadline = time.monotonic() + KILL_WAIT_SECONDS
        while not self.server.exited():
            if time.monotonic() >= deadline:
                raise ServerControlError(f"the server (pid {pid}) was sent SIGKILL but did not end within "
                                         f"{KILL_WAIT_SECONDS:g} s")
            time.sleep(POLL_SECONDS)

    def restart(self, options: tuple[str, ...] = ()) -> float:
        """Shut the server down if it runs (SIGKILL after a while), start it again on the same
        data with ``options`` added; the seconds until it answered."""
        began = time.monotonic()
        if self.server.is_alive():
            self._shut_down()
        if self.watcher is not None:
            self._restart_through_watcher(options)
        else:
            with self.server.lifecycle:
                self.server.restart(self.server.options + options if options else None)
        seconds = time.monotonic() - began
        self.restart_seconds.append(seconds)
        return seconds

    def pause(self) -> None:
        """SIGSTOP: the server stops answering, its connections stay open."""
        pid = self._running_pid("pause")
        if self.paused:
            raise ServerControlError("the server is paused already")
        os.kill(pid, signal.SIGSTOP)
        self.paused = True
        self._wait_for_state(pid, stopped=True)

    def resume(self) -> None:
        """SIGCONT: a paused server goes on; statements waiting on it get their answers."""
        if not self.paused:
            raise ServerControlError("the server is not paused")
        pid = self._running_pid("resume")
        os.kill(pid, signal.SIGCONT)
        self.paused = False
        self._wait_for_state(pid, stopped=False)

    def release(self) -> list[str]:
        """At the end of a test: a server left paused is resumed (notes saying so)."""
        if not self.paused:
            return []
        try:
            self.resume()
        except ServerControlError as exc:
            return [f"the test left the server paused; resuming it failed: {exc}\n"]
        return ["the test left the server paused: tidbrun resumed it\n"]

    # -- helpers ---------------------------------------------------------------------------------

    def _running_pid(self, action: str) -> int:
        pid = self.server.pid
        if pid is None or not self.server.is_alive():
            raise ServerControlError(f"cannot {action} the server: it is not running (restart it first)")
        return pid

    @property
    def _expect_file(self) -> Path | None:
        return self.watcher.expect_file if self.watcher is not None else None

    def _announce(self, line: str) -> None:
        """Tell the crash watcher that the server's end is wanted (and what to do about it)."""
        expect = self._expect_file
        if expect is not None:
            expect.write_text(line + "\n", encoding="utf-8")

    def _shut_down(self) -> None:
        pid = self._running_pid("restart")
        self._announce("wait")
        if self.paused:
            os.kill(pid, signal.SIGCONT)  # a stopped process does not act on SIGTERM
            self.paused = False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_WAIT_SECONDS
        while not self.server.exited():
            if time.monotonic() >= deadline:
                os.kill(pid, signal.SIGKILL)
                deadline = time.monotonic() + KILL_WAIT_SECONDS
            time.sleep(POLL_SECONDS)

    def _restart_through_watcher(self, options: tuple[str, ...]) -> None:
        watcher = self.watcher
        assert watcher is not None
        expect = watcher.expect_file
        self._announce("restart: " + " ".join(options) if options else "restart")
        lock = self.server.lifecycle
        deadline = time.monotonic() + RESTART_WAIT_SECONDS
        while True:
            # The watcher's thread may be at it: check() then leaves it to that thread.
            watcher.check()
            if watcher.death is not None:
                raise ServerControlError(watcher.death.describe())
            left = deadline - time.monotonic()
            if lock.acquire(timeout=max(left, 0.0)):
                try:
                    if self.server.is_alive() and not expect.exists():
                        return
                finally:
                    lock.release()
            if time.monotonic() >= deadline:
                raise ServerControlError(f"the server did not start again within {RESTART_WAIT_SECONDS:g} s")
            time.sleep(POLL_SECONDS)

    def _wait_for_state(self, pid: int, *, stopped: bool) -> None:
        """Until /proc shows the process stopped (``T``) or running again: signals are delivered
        asynchronously, and a test must not race them."""
        deadline = time.monotonic() + SIGNAL_WAIT_SECONDS
        while _is_stopped(pid) != stopped:
            if time.monotonic() >= deadline:
                word = "stop" if stopped else "continue"
                raise ServerControlError(f"the server (pid {pid}) did not {word} within {SIGNAL_WAIT_SECONDS:g} s")
            time.sleep(POLL_SECONDS)


def _is_stopped(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="latin-1")
    except OSError:
        return False
    return stat[stat.rfind(")") + 2 :][:1] in ("T", "t")
