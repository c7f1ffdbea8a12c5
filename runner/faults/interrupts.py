"""Ctrl-C (SIGINT) and SIGTERM: stop the test in flight, then let the run end in order.

Python runs signal handlers in the main thread, between bytecodes — not while the main thread
waits inside the database driver for a statement that sleeps or is blocked. So the signal is also
written to a wakeup pipe (``signal.set_wakeup_fd``) that a helper thread reads: it kills the
statements in flight (``on_signal``), the driver returns, and the handler raises ``Interrupted``
in the main thread. The run then reports what ran, stops its server and removes its temporary
files (``runner.run.execute``), and exits with 128 + the signal number (130, 143).

A second signal while the run cleans up is noted and ignored (cleaning up takes a moment); a third
one stops at once.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import FrameType

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    """The run was asked to stop by a signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


@dataclass(slots=True)
class Trap:
    received: int | None = None  # the first signal
    count: int = 0

    @property
    def exit_code(self) -> int:
        return 128 + (self.received or signal.SIGINT)

    @property
    def name(self) -> str:
        return signal.Signals(self.received or signal.SIGINT).name


@contextlib.contextmanager
def trap(on_signal: Callable[[int], None]) -> Iterator[Trap]:
    """Install the handlers for the duration of a run (no-op outside the main thread)."""
    state = Trap()
    if threading.current_thread() is not threading.main_thread():
        yield state
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        state.count += 1
        if state.received is None:
            state.received = signum
        if state.count == 2:
            os.write(2, b"\ntidbrun: stopping (cleaning up); signal again to stop at once\n")
            return
        raise Interrupted(signum)

    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    previous_fd = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    previous = {signum: signal.signal(signum, handler) for signum in SIGNALS}

    def reader() -> None:
        while True:
            try:
                data = os.read(read_fd, 64)
            except OSError:
                return
            if not data:
                return
            for signum in data:
                if signum in SIGNALS:
                    try:
                        on_signal(signum)
                    except Exception:  # the signal still reaches the main thread
                        pass

    thread = threading.Thread(target=reader, name="tidbrun-signals", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
        signal.set_wakeup_fd(previous_fd)
        os.close(write_fd)  # the reader sees end of file and stops
        thread.join(timeout=2)
        os.close(read_fd)
