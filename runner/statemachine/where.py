"""Lines of the test's own ``.py`` file: where an exception was raised, where a thread is now."""

from __future__ import annotations

import os
import sys
import traceback
from types import FrameType, TracebackType


class ScriptFile:
    def __init__(self, path: str, display: str | None = None) -> None:
        self.path = os.path.realpath(path)
        self.display = display or path  # as the run names it in its reports

    def owns(self, filename: str) -> bool:
        return os.path.realpath(filename) == self.path

    def raised_at(self, tb: TracebackType | None) -> int | None:
        """The line of the test file nearest to where the exception was raised."""
        line = None
        for frame, lineno in traceback.walk_tb(tb):
            if self.owns(frame.f_code.co_filename):
                line = lineno
        return line

    def thread_at(self, ident: int | None) -> int | None:
        """The line of the test file a running thread is at (innermost), None when it is not in it."""
        frame: FrameType | None = sys._current_frames().get(ident) if ident is not None else None
        while frame is not None:
            if self.owns(frame.f_code.co_filename):
                return frame.f_lineno
            frame = frame.f_back
        return None
