"""The text of a ``--permutations`` … ``--end_permutations`` block → a ``Permutations`` record.

The block holds an isolationtester-style specification, one item per line::

    # a comment
    setup { SQL }             before each permutation, on the test's current connection
    teardown { SQL }          after each permutation, likewise
    session NAME              a connection of its own; the items below belong to it
    setup { SQL }             on that connection, before each permutation
    step NAME { SQL }         a step the session runs
    teardown { SQL }          on that connection, after each permutation
    permutation NAME ...      steps in this order (none given: every interleaving)

A name is letters, digits and ``_``, or anything in double quotes. ``NAME(OTHER, …)`` in a
permutation line holds back the report of NAME's completion until OTHER has completed.
Nothing here talks to a server; variables in SQL are expanded when it runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from math import factorial

from runner.errors import TestFileError
from runner.language.records import Location, PermutationLine, Permutations, SessionSpec, Sql, Step

# Every interleaving of a block without permutation lines runs; past this many, list them instead.
MAX_INTERLEAVINGS = 10_000

_NAME = re.compile(r'"([^"\n]+)"|([A-Za-z0-9_]+)')
_PERMUTATION_ITEM = re.compile(r'[ \t]*(?:"([^"\n]+)"|([A-Za-z0-9_]+))(?:[ \t]*\(([^)\n]*)\))?')
_QUOTE_END = {"'": re.compile(r"['\\]"), '"': re.compile(r'["\\]'), "`": re.compile("`")}
_BLANK = " \t\r\n\f\v"


def find_block(
    text: str, pos: int, location: Location, delimiter: str, argument: str = ""
) -> tuple[Permutations, int]:
    """Read the block whose command (with ``argument`` after its name) ends at ``pos``; returns
    the record and where reading goes on."""
    nl = text.find("\n", pos)
    rest_end = len(text) if nl < 0 else nl
    if argument.strip(_BLANK) or text[pos:rest_end].strip(_BLANK):
        raise TestFileError(location, "trailing characters after permutations on the same line")
    terminator = re.compile(
        r"^[ \t]*(?:--[ \t]*end_permutations|end_permutations[ \t]*(?:" + re.escape(delimiter) + r")?)[ \t]*\r?$",
        re.MULTILINE | re.IGNORECASE,
    )
    body_start = min(rest_end + 1, len(text))
    found = terminator.search(text, body_start)
    if found is None:
        raise TestFileError(location, "permutations: end of file before '--end_permutations'")
    body = text[body_start : found.start()]
    first_line = location.line + 1
    record = parse_block(body, Location(location.file, first_line, location.parent), location)
    record.end = Location(location.file, first_line + body.count("\n"), location.parent)
    return record, found.end()


def parse_block(body: str, first: Location, location: Location) -> Permutations:
    """The record for ``body``, whose first line is ``first``; ``location`` is the command's."""
    reader = _Reader(body, first)
    record = Permutations(location, text=body)
    session: SessionSpec | None = None
    names: dict[str, Step] = {}
    while True:
        reader.skip_blank_and_comments()
        if reader.at_end():
            break
        here = reader.here()
        keyword = reader.word("setup, teardown, session, step or permutation")
        lowered = keyword.lower()
        if lowered == "setup":
            (session.setup if session else record.setup).append(reader.braced(here, "setup"))
        elif lowered == "teardown":
            (session.teardown if session else record.teardown).append(reader.braced(here, "teardown"))
        elif lowered == "session":
            if record.permutations:
                raise TestFileError(here, "sessions must come before the permutation lines")
            name = reader.name("session")
            if any(s.name == name for s in record.sessions):
                raise TestFileError(here, f"session '{name}' is declared twice")
            session = SessionSpec(name, here)
            record.sessions.append(session)
        elif lowered == "step":
            if session is None:
                raise TestFileError(here, "a step must follow the session that runs it")
            name = reader.name("step")
            if name in names:
                raise TestFileError(here, f"step '{name}' is declared twice (step names are unique in a block)")
            step = Step(name, session.name, reader.braced(here, f"step {name}"))
            names[name] = step
            session.steps.append(step)
        elif lowered == "permutation":
            record.permutations.append(_permutation_line(reader.rest_of_line(), here, names))
        else:
            raise TestFileError(here, f"'{keyword}' in a permutations block: expected setup, teardown, "
                                      "session, step or permutation")
    if not record.sessions:
        raise TestFileError(location, "a permutations block needs at least one session")
    empty = next((s for s in record.sessions if not s.steps), None)
    if empty is not None:
        raise TestFileError(empty.location, f"session '{empty.name}' has no steps")
    if not record.permutations:
        count = interleaving_count(record)
        if count > MAX_INTERLEAVINGS:
            raise TestFileError(
                location, f"{count} interleavings of the sessions' steps: list the permutations to run "
                          f"(at most {MAX_INTERLEAVINGS} run without permutation lines)"
            )
    return record


def _permutation_line(text: str, location: Location, steps: dict[str, Step]) -> PermutationLine:
    names: list[str] = []
    blockers: dict[int, tuple[str, ...]] = {}
    pos = 0
    text = text.rstrip(_BLANK)
    while pos < len(text):
        m = _PERMUTATION_ITEM.match(text, pos)
        if m is None:
            raise TestFileError(location, f"permutation: cannot read {text[pos:].strip()!r} (expected step names)")
        name = m.group(1) or m.group(2)
        if name not in steps:
            raise TestFileError(location, f"permutation: no step named '{name}'")
        if m.group(3) is not None:
            held_by = tuple(part.strip().strip('"') for part in m.group(3).split(",") if part.strip())
            for other in held_by:
                if other not in steps:
                    raise TestFileError(location, f"permutation: no step named '{other}' (in {name}'s blockers)")
                if steps[other].session == steps[name].session:
                    raise TestFileError(location, f"permutation: step '{name}' cannot wait for a step of its own "
                                                  "session")
            blockers[len(names)] = held_by
        names.append(name)
        pos = m.end()
        while pos < len(text) and text[pos] in " \t":
            pos += 1
    if not names:
        raise TestFileError(location, "permutation needs at least one step name")
    return PermutationLine(tuple(names), location, blockers)


def interleaving_count(record: Permutations) -> int:
    """How many orders of all steps keep each session's own order (a multinomial coefficient)."""
    sizes = [len(s.steps) for s in record.sessions]
    count = factorial(sum(sizes))
    for size in sizes:
        count //= factorial(size)
    return count


def interleavings(record: Permutations) -> Iterator[tuple[str, ...]]:
    """Every order of all steps that keeps each session's own order, sessions tried in the order
    they are declared (so the list is the same on every run)."""
    queues = [[step.name for step in s.steps] for s in record.sessions]
    total = sum(len(q) for q in queues)
    taken = [0] * len(queues)
    chosen: list[str] = []

    def extend() -> Iterator[tuple[str, ...]]:
        if len(chosen) == total:
            yield tuple(chosen)
            return
        for index, queue in enumerate(queues):
            if taken[index] < len(queue):
                chosen.append(queue[taken[index]])
                taken[index] += 1
                yield from extend()
                taken[index] -= 1
                chosen.pop()

    yield from extend()


def permutation_lines(record: Permutations) -> Iterator[PermutationLine]:
    """The permutations the block runs: its own lines, or every interleaving."""
    if record.permutations:
        yield from record.permutations
        return
    for names in interleavings(record):
        yield PermutationLine(names, record.location)


class _Reader:
    def __init__(self, text: str, first: Location) -> None:
        self.text = text
        self.pos = 0
        self.line = first.line
        self.file = first.file
        self.parent = first.parent

    def here(self) -> Location:
        return Location(self.file, self.line, self.parent)

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def _advance_to(self, pos: int) -> None:
        self.line += self.text.count("\n", self.pos, pos)
        self.pos = pos

    def skip_blank_and_comments(self) -> None:
        text = self.text
        pos = self.pos
        while pos < len(text):
            if text[pos] in _BLANK:
                pos += 1
            elif text[pos] == "#":
                nl = text.find("\n", pos)
                pos = len(text) if nl < 0 else nl
            else:
                break
        self._advance_to(pos)

    def _skip_spaces(self) -> None:
        pos = self.pos
        while pos < len(self.text) and self.text[pos] in " \t":
            pos += 1
        self._advance_to(pos)

    def word(self, expected: str) -> str:
        m = re.compile(r"[A-Za-z_]+").match(self.text, self.pos)
        if m is None:
            raise TestFileError(self.here(), f"expected {expected}, found {self.text[self.pos:].split()[0]!r}")
        self._advance_to(m.end())
        return m.group()

    def name(self, what: str) -> str:
        self._skip_spaces()
        m = _NAME.match(self.text, self.pos)
        if m is None:
            raise TestFileError(self.here(), f"{what} needs a name")
        self._advance_to(m.end())
        return m.group(1) or m.group(2)

    def rest_of_line(self) -> str:
        nl = self.text.find("\n", self.pos)
        end = len(self.text) if nl < 0 else nl
        rest = self.text[self.pos : end]
        self._advance_to(end)
        return rest

    def braced(self, location: Location, what: str) -> Sql:
        """``{ SQL }``: to the matching brace; braces inside quotes do not count."""
        self.skip_blank_and_comments()
        if not self.text.startswith("{", self.pos):
            raise TestFileError(location, f"{what} needs its SQL in braces: {{ ... }}")
        text = self.text
        pos = self.pos + 1
        depth = 1
        while pos < len(text):
            c = text[pos]
            if c in _QUOTE_END:
                pos = self._after_quote(pos + 1, c, location, what)
                continue
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    break
            pos += 1
        else:
            raise TestFileError(location, f"{what}: '{{' is never closed")
        inner = text[self.pos + 1 : pos]
        start = self.line + text.count("\n", self.pos, self.pos + 1 + _leading_blank(inner))
        self._advance_to(pos + 1)
        sql = inner.strip(_BLANK)
        if sql.endswith(";"):
            sql = sql[:-1].rstrip(_BLANK)
        if not sql:
            raise TestFileError(location, f"{what} has no SQL")
        return Sql(sql, Location(self.file, start, self.parent))

    def _after_quote(self, pos: int, quote: str, location: Location, what: str) -> int:
        rx = _QUOTE_END[quote]
        while True:
            m = rx.search(self.text, pos)
            if m is None:
                raise TestFileError(location, f"{what}: unterminated {quote} quote")
            if m.group() == "\\":
                pos = m.end() + 1
                continue
            return m.end()


def _leading_blank(text: str) -> int:
    return len(text) - len(text.lstrip(_BLANK))
