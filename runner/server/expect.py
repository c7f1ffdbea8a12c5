"""mysql-test-run.pl's expect-file protocol, for one embedded server.

A test that stops the server on purpose first writes ``$MYSQLTEST_VARDIR/tmp/mysqld.1.expect``
(``include/shutdown_mysqld.inc``, ``kill_mysqld.inc``): ``wait``, ``restart`` or
``restart: <options>``. When the server process then ends, MTR reads the file's last line
(``check_expected_crash_and_restart``): ``wait`` (or anything not starting with ``restart``) means
keep polling until the test writes ``restart``; ``restart`` starts the server again with the
options it was started with for this test; ``restart: <options>`` adds those options (split on
blanks) to them. The file is removed before the start. A server that ends with no such file has
crashed. After a test restarted the server with options of its own, MTR restarts it before the
next test.

The test meanwhile carries on (``wait_until_disconnected.inc``, then ``--enable_reconnect`` and
``wait_until_connected_again.inc``), so the watching happens on a thread of its own: started
around each test, it looks at the process every ``poll`` seconds.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from runner.errors import ServerUnavailable

if TYPE_CHECKING:
    from runner.server.embedded import EmbeddedServer

log = logging.getLogger("tidbrun.expect")
POLL_SECONDS = 0.05
# runner.server.embedded's SERVER_NAME, not imported: that module loads the driver, which a run
# on someone else's server never needs.
SERVER_NAME = "mysqld.1"

_RESTART_BINDIR = re.compile(r"restart_bindir\s+(\S+)(:.+)?")
_RESTART_OPTIONS = re.compile(r"restart:(.+)")
# Perl's split(' ', ...) on MTR's bytes: runs of ASCII blanks only (str.split() would also cut at
# U+00A0, U+0085 and the \x1c-\x1f separators, which an option value may hold).
_PERL_BLANKS = re.compile(r"[ \t\n\r\f\v]+")


@dataclass(frozen=True, slots=True)
class Instruction:
    """What the expect file's last line asks for."""

    action: Literal["wait", "restart"]
    # Options added to the ones the server was started with for the test; None: none, and those
    # of an earlier in-test restart are dropped too.
    options: tuple[str, ...] | None = None
    bindir: str | None = None  # restart_bindir: another build's binaries (not supported)


def read_instruction(text: str) -> Instruction:
    """MTR's reading of an expect file: an empty file, ``wait…`` or a partial line all mean wait."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the last line is the last one that has text, its newline aside
    if not lines:
        return Instruction("wait")
    last = lines[-1].rstrip("\r")
    if last.startswith("wait") or not last.startswith("restart"):
        return Instruction("wait")
    bindir = _RESTART_BINDIR.search(last)
    if bindir is not None:
        extra = bindir.group(2)
        return Instruction("restart", _split_options(extra[1:]) if extra else None, bindir.group(1))
    options = _RESTART_OPTIONS.search(last)
    if options is not None:
        return Instruction("restart", _split_options(options.group(1)))
    return Instruction("restart")


def _split_options(text: str) -> tuple[str, ...]:
    """MTR's ``split(' ', $rest)``: words between blanks, each kept as written (quotes included:
    no shell reads them, the server gets ``--x='a b`` and ``c'`` as two arguments)."""
    return tuple(word for word in _PERL_BLANKS.split(text) if word)


@dataclass(frozen=True, slots=True)
class Death:
    """The server ended during the test and the protocol did not bring it back."""

    returncode: int | None
    why: Literal["crash", "left stopped", "restart failed"]
    detail: str = ""

    def describe(self) -> str:
        if self.why == "crash":
            return f"the server died during the test ({_exit_text(self.returncode)}) and no expect file announced it"
        if self.why == "left stopped":
            return f"the test stopped the server and did not ask for a restart ({self.detail})"
        first = self.detail.splitlines()[0] if self.detail else "no reason given"
        return f"the server could not be restarted as the test asked: {first}"


class ExpectWatcher:
    """Watches one embedded server during a test and restarts it when the test asked for it.

    ``begin_test``/``end_test`` bracket a test. Afterwards ``death`` says whether the server
    ended in a way the protocol does not cover (a crash, a test that left it stopped, a restart
    that failed), and ``options_changed`` whether it now runs with options a test gave.
    """

    def __init__(
        self,
        server: EmbeddedServer,
        *,
        poll: float = POLL_SECONDS,
        on_death: Callable[[Death], None] | None = None,
    ) -> None:
        self.server = server
        self._poll = poll
        # Told on the watching thread as soon as the server is gone for good (MTR stops the test
        # then, rather than let it wait for a server that will not come back).
        self._on_death = on_death
        self.restarts = 0
        self.restart_seconds: list[float] = []
        self.death: Death | None = None
        # The options the server is started with for a test (MTR's started_opts), and those an
        # in-test restart set on top, while the server still runs with them.
        self.base_options: tuple[str, ...] | None = None
        self._restarted_with: tuple[str, ...] | None = None
        # A restart that ended because the test stopped the new server again before tidbrun saw
        # it answer: the server is down, its process already forgotten.
        self._stopped_while_starting = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def expect_file(self) -> Path:
        return self.server.tmpdir / f"{SERVER_NAME}.expect"

    @property
    def options_changed(self) -> bool:
        """Whether the server runs with options a test's ``restart: <options>`` gave it (and
        nobody has restarted it since)."""
        return self._restarted_with is not None and self.server.options == self._restarted_with

    def forget_options(self) -> None:
        """The server was restarted with the options wanted next: nothing left to undo."""
        self._restarted_with = None

    # -- around a test -----------------------------------------------------------------------------

    def begin_test(self) -> None:
        self.end_test()
        self.death = None
        self.base_options = None
        self._stopped_while_starting = False
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="tidbrun-expect", daemon=True)
        self._thread.start()

    def end_test(self) -> None:
        """Stop watching; a restart under way is finished first. Idempotent."""
        thread = self._thread
        if thread is None:
            return
        self._stop.set()
        thread.join()
        self._thread = None

    # -- the watching thread -----------------------------------------------------------------------

    def _loop(self) -> None:
        while True:
            final = self._stop.wait(self._poll)
            try:
                going_on = self.check(final=final)
            except Exception as exc:  # the thread must say what went wrong, not vanish
                log.exception("watching the server failed")
                self.death = Death(self.server.returncode, "restart failed", f"{type(exc).__name__}: {exc}")
                return
            if not going_on and self.death is not None and self._on_death is not None:
                self._on_death(self.death)
            if final or not going_on:
                return

    def check(self, *, final: bool = False) -> bool:
        """One look at the server (the thread calls this; tests may too). False once there is
        nothing more to watch: the server died for good. ``final``: the test has ended, so a
        server still waiting for ``restart`` stays stopped."""
        server = self.server
        lock = server.lifecycle
        if not lock.acquire(blocking=False):
            return True  # someone else is starting or stopping it
        try:
            if not (self._stopped_while_starting or server.exited()):
                return True
            returncode = server.returncode
            try:
                text = self.expect_file.read_bytes().decode("utf-8", errors="replace")
            except FileNotFoundError:
                self.death = Death(returncode, "crash")
                return False
            instruction = read_instruction(text)
            if instruction.action == "wait":
                if final:
                    self.death = Death(returncode, "left stopped", f"the expect file says {text.strip()[-80:]!r}")
                    return False
                return True
            self._restart(instruction, returncode)
            return self.death is None
        finally:
            lock.release()

    def _restart(self, instruction: Instruction, returncode: int | None) -> None:
        server = self.server
        if self.base_options is None:
            self.base_options = server.options
        base = self.base_options
        options = base if instruction.options is None else base + instruction.options
        if instruction.bindir is not None:
            log.warning("restart_bindir %s is not supported: the same server binary is restarted", instruction.bindir)
        with contextlib.suppress(FileNotFoundError):
            self.expect_file.unlink()
        began = time.monotonic()
        log.info("the test stopped the server (%s); restarting it%s", _exit_text(returncode),
                 f" with {' '.join(instruction.options)}" if instruction.options else "")
        self._stopped_while_starting = False
        try:
            server.restart(options)
        except ServerUnavailable as exc:
            if self.expect_file.exists():
                # The test reconnected as soon as the server listened and stopped it again, with a
                # new expect file (MTR's sleep_until_file_created takes that as a good start).
                self._stopped_while_starting = True
                self._count_restart(began, instruction)
                return
            self.death = Death(server.returncode, "restart failed", str(exc))
            return
        self._count_restart(began, instruction)

    def _count_restart(self, began: float, instruction: Instruction) -> None:
        self.restarts += 1
        self.restart_seconds.append(time.monotonic() - began)
        base = self.base_options or ()
        self._restarted_with = base + instruction.options if instruction.options is not None else None


def _exit_text(returncode: int | None) -> str:
    if returncode is None:
        return "it is not running"
    if returncode < 0:
        return f"killed by signal {-returncode}"
    return f"exit code {returncode}"
