"""Typed records: what a `.test` file says, each knowing where it was said.

The parser turns text into these; the interpreter walks them. Nothing here talks to a server.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True, slots=True)
class Location:
    """A line of a file, and the chain of `source` lines that led to it."""

    file: str
    line: int
    parent: Location | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"

    def describe(self) -> str:
        """``file:line``, followed by the include chain when there is one."""
        text = str(self)
        outer = self.parent
        while outer is not None:
            text += f" (sourced from {outer})"
            outer = outer.parent
        return text

    def root(self) -> Location:
        loc = self
        while loc.parent is not None:
            loc = loc.parent
        return loc


@dataclass(slots=True)
class Record:
    location: Location

    def source(self) -> str:
        """The record printed back as test-file text."""
        raise NotImplementedError


@dataclass(slots=True)
class Query(Record):
    """A statement sent to the server as it is written (no variable expansion)."""

    sql: str
    delimiter: str

    def source(self) -> str:
        return f"{self.sql}{self.delimiter}"


Style = Literal["dash", "delimited"]


@dataclass(slots=True)
class Command(Record):
    """A mysqltest command: ``--name argument`` or ``name argument<delimiter>``."""

    name: str  # lower case
    argument: str  # what follows the name, blanks after the name skipped
    style: Style
    delimiter: str
    text: str = ""  # the command as written, from its name to before the delimiter
    # The inline data of write_file / append_file / perl, and the marker that ends it.
    body: str | None = None
    terminator: str = ""

    def source(self) -> str:
        head = f"--{self.text}" if self.style == "dash" else f"{self.text}{self.delimiter}"
        if self.body is not None:
            head += "\n" + self.body + self.terminator
        return head


@dataclass(slots=True)
class Block(Record):
    """``if (condition) { … }`` or ``while (condition) { … }``."""

    kind: Literal["if", "while"]
    condition: str
    body: list[Record] = field(default_factory=list)
    end: Location | None = None

    def source(self) -> str:
        inner = "".join(r.source() + "\n" for r in self.body)
        return f"{self.kind} ({self.condition})\n{{\n{inner}}}"


@dataclass(slots=True)
class EmptyLine(Record):
    """Two newlines in a row where a command could start: mysqltest reads them as a command of their
    own, which (in result format 1) shows nothing but ends a pending ``--error``."""

    def source(self) -> str:
        return ""


@dataclass(slots=True)
class ParseError(Record):
    """Where the reader could not go on: running it fails the test as malformed. mysqltest reads a
    command only when it comes to it, so what precedes a syntax error still runs (and may skip)."""

    message: str

    def source(self) -> str:
        return ""


@dataclass(slots=True)
class Sql:
    """SQL written inside a permutation block (a setup, a teardown or a step), and where."""

    text: str
    location: Location


@dataclass(slots=True)
class Step:
    """A named piece of SQL that one session of a permutation block runs."""

    name: str
    session: str
    sql: Sql


@dataclass(slots=True)
class SessionSpec:
    """A session of a permutation block: its own connection, set-up, steps and teardown."""

    name: str
    location: Location
    setup: list[Sql] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    teardown: list[Sql] = field(default_factory=list)


@dataclass(slots=True)
class PermutationLine:
    """``permutation a b(c) …``: steps in order; a name in parentheses after a step is a step
    whose completion must be reported before this one's."""

    steps: tuple[str, ...]
    location: Location
    blockers: dict[int, tuple[str, ...]] = field(default_factory=dict)  # position → step names


@dataclass(slots=True)
class Permutations(Record):
    """``--permutations`` … ``--end_permutations``: an isolationtester-style specification."""

    setup: list[Sql] = field(default_factory=list)
    teardown: list[Sql] = field(default_factory=list)
    sessions: list[SessionSpec] = field(default_factory=list)
    permutations: list[PermutationLine] = field(default_factory=list)  # none: every interleaving
    text: str = ""  # the block as written, between its two command lines
    end: Location | None = None

    def source(self) -> str:
        return f"--permutations\n{self.text}--end_permutations"
