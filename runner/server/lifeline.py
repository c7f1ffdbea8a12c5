"""An embedded server that outlives a SIGKILLed tidbrun would run on for ever (it is in a session
of its own, so that a Ctrl-C reaches only tidbrun). On Linux the kernel can send it SIGTERM — a
clean shutdown — when tidbrun dies: ``prctl(PR_SET_PDEATHSIG)``, set in the child before exec.

The signal comes when the *thread* that started the child ends, so this is only used for servers
started from the main thread (tools that start servers from worker threads stop them themselves).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1

try:
    _LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
except OSError:  # pragma: no cover - no C library to load
    _LIBC = None


def preexec() -> Callable[[], None] | None:
    """A ``preexec_fn`` for ``subprocess.Popen``, or None where it cannot be used."""
    if _LIBC is None or threading.current_thread() is not threading.main_thread():
        return None
    parent = os.getpid()
    prctl = _LIBC.prctl

    def die_with_parent() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the prctl took effect
            os.kill(os.getpid(), signal.SIGTERM)

    return die_with_parent
