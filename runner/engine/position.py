"""Where a test is, kept by its interpreter for those who watch it from another thread.

The deadline timer reports the line a test was at when its time ran out, and its SIGALRM handler
must know whether the test body still runs; both read this instead of walking the interpreter's
stack frames (which would tie them to its file and local variable names).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from runner.language.records import Location, Record


@dataclass(slots=True)
class Position:
    record: Record | None = None  # the innermost record being run (a sourced file's too)
    in_body: bool = False  # the test body runs (not the clean-up after it)

    @property
    def location(self) -> Location | None:
        return self.record.location if self.record is not None else None
