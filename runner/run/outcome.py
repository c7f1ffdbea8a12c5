"""Where one server's tests come from, and what its share of the run came to."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from runner.faults.breaker import Transition
from runner.run.suite import TestCase


@dataclass(slots=True)
class ServerRun:
    """What one server's share of the run came to."""

    ran: int = 0
    failed: bool = False
    input_error: bool = False
    unavailable_at_start: bool = False
    interrupted: bool = False
    signal_exit: int | None = None  # 130 after SIGINT, 143 after SIGTERM
    notes: list[str] = field(default_factory=list)
    transitions: list[Transition] = field(default_factory=list)  # the circuit breaker's
    flavour: str | None = None  # the server's (for the reports), once it answered
    version: str | None = None


@dataclass(frozen=True, slots=True)
class ServerBanner:
    """What a run talks to, for the line at its start (no password: the address's is left out)."""

    flavour: str
    version: str
    endpoint: str  # user@host:port, or user@localhost:socket
    embedded: bool
    vardir: Path


class CaseFeed(Protocol):
    """Where a server's tests come from: a list (one server), or the scheduler (``-j``)."""

    def next_case(self, current: Hashable) -> TestCase | None: ...
    def rest(self) -> list[TestCase]: ...


@dataclass(slots=True)
class ListFeed:
    """The tests in order, each group of one server setup together (fewest restarts)."""

    cases: list[TestCase]
    position: int = 0

    def next_case(self, current: Hashable) -> TestCase | None:
        if self.position >= len(self.cases):
            return None
        self.position += 1
        return self.cases[self.position - 1]

    def rest(self) -> list[TestCase]:
        rest = self.cases[self.position :]
        self.position = len(self.cases)
        return rest


def merge(total: ServerRun, part: ServerRun) -> None:
    """Fold one worker's outcome into the run's."""
    total.failed = total.failed or part.failed
    total.input_error = total.input_error or part.input_error
    total.unavailable_at_start = total.unavailable_at_start or part.unavailable_at_start
    total.interrupted = total.interrupted or part.interrupted
    if total.signal_exit is None:
        total.signal_exit = part.signal_exit
    total.notes.extend(part.notes)
    total.flavour = total.flavour or part.flavour
    total.version = total.version or part.version
    total.transitions.extend(part.transitions)
