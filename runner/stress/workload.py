"""A workload file: mysqltest syntax (read by ``runner.language``), cut into sections.

```
--setup                        # once, on one connection, before the load
CREATE TABLE t (id INT PRIMARY KEY, v INT);
--group write weight=3         # the loop picks a group by weight and runs its statements in order
--let $k = random(1, 100000)   # evaluated each time the group runs, per connection
INSERT INTO t VALUES ($k, 1) ON DUPLICATE KEY UPDATE v = v + 1;
--group read
SELECT v FROM t WHERE id = $k;
--cleanup                      # once, after the load (and the cool-down)
DROP TABLE t;
```

Statements before the first section form a group named ``main``, so a plain list of statements is
a workload too. Every statement has its ``$variables`` expanded (as ``eval`` does); ``$connection``
is the connection's number (1..N) and ``$iteration`` its count of group runs. A ``let`` value is
text with ``$variables``, or one of the functions in ``FUNCTIONS``.
"""

from __future__ import annotations

import itertools
import random
import re
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from runner.errors import TestFileError
from runner.language.parser import parse_file
from runner.language.records import Command, EmptyLine, Location, Query, Record

SECTION_COMMANDS = frozenset({"setup", "group", "cleanup"})
DEFAULT_GROUP = "main"
_LET = re.compile(r"\$?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)", re.DOTALL)
_CALL = re.compile(r"([a-z_]+)\((.*)\)", re.DOTALL)
_NAME = re.compile(r"[A-Za-z0-9_.-]+")
_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True, slots=True)
class Let:
    name: str
    value: str  # as written: text with $variables, or a function call
    location: Location


@dataclass(frozen=True, slots=True)
class Statement:
    sql: str  # as written; $variables are expanded when it runs
    location: Location


Step = Let | Statement


@dataclass(slots=True)
class Group:
    name: str
    weight: int
    location: Location
    steps: list[Step] = field(default_factory=list)

    @property
    def statements(self) -> int:
        return sum(1 for step in self.steps if isinstance(step, Statement))


@dataclass(slots=True)
class Workload:
    path: Path
    setup: list[Step] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    cleanup: list[Step] = field(default_factory=list)

    def group(self, name: str) -> Group:
        return next(group for group in self.groups if group.name == name)


def read_workload(path: Path) -> Workload:
    """The workload in ``path``; a malformed one raises TestFileError at its line."""
    parsed = parse_file(path, display=str(path), commands=SECTION_COMMANDS)
    workload = Workload(path)
    section: list[Step] | None = None  # None: no section yet
    for record in parsed.records:
        if isinstance(record, Command) and record.name in SECTION_COMMANDS:
            section = _open_section(workload, record)
        elif isinstance(record, Query | Command) and not isinstance(record, EmptyLine):
            if section is None:
                workload.groups.append(Group(DEFAULT_GROUP, 1, record.location))
                section = workload.groups[-1].steps
            section.append(_step(record))
        elif not isinstance(record, EmptyLine):
            raise TestFileError(record.location, "a workload holds statements, let, and --setup/--group/--cleanup only")
    if not workload.groups:
        raise TestFileError(Location(str(path), 1), "the workload has no statement to run in a loop (no --group)")
    for group in workload.groups:
        if group.statements == 0:
            raise TestFileError(group.location, f"group '{group.name}' has no statement")
    return workload


def _open_section(workload: Workload, command: Command) -> list[Step]:
    words = command.argument.strip().rstrip(";").split()
    if command.name == "setup" or command.name == "cleanup":
        if words:
            raise TestFileError(command.location, f"--{command.name} takes no argument")
        return workload.setup if command.name == "setup" else workload.cleanup
    if not words or _NAME.fullmatch(words[0]) is None:
        raise TestFileError(command.location, "--group needs a name (letters, digits, _ . -)")
    name, weight = words[0], 1
    for option in words[1:]:
        key, _, value = option.partition("=")
        if key != "weight" or not value.isdigit() or int(value) < 1:
            raise TestFileError(command.location, f"--group {name}: '{option}' is not weight=N (N a whole number >= 1)")
        weight = int(value)
    if any(group.name == name for group in workload.groups):
        raise TestFileError(command.location, f"group '{name}' is defined twice")
    workload.groups.append(Group(name, weight, command.location))
    return workload.groups[-1].steps


def _step(record: Record) -> Step:
    if isinstance(record, Query):
        return Statement(record.sql, record.location)
    assert isinstance(record, Command)
    text = record.argument.strip()
    if record.style == "delimited" and text.endswith(record.delimiter):
        text = text[: -len(record.delimiter)].rstrip()
    if record.name in ("query", "eval"):
        return Statement(text, record.location)
    if record.name != "let":
        raise TestFileError(record.location, f"'{record.name}' cannot be used in a workload (statements and let only)")
    m = _LET.fullmatch(text)
    if m is None:
        raise TestFileError(record.location, "let needs '$name = value'")
    value = m.group(2).strip()
    call = _CALL.fullmatch(value)
    if call is not None:
        check_call(call.group(1), call.group(2), record.location)
    return Let(m.group(1), value, record.location)


# -- the functions a let can call ------------------------------------------------------------------

Function = Callable[[random.Random, list[str]], str]
_SEQUENCE = itertools.count(1)  # shared by every connection: unique keys across them


def _random(rng: random.Random, args: list[str]) -> str:
    low, high = int(args[0]), int(args[1])
    return str(rng.randint(min(low, high), max(low, high)))


def _random_string(rng: random.Random, args: list[str]) -> str:
    return "".join(rng.choices(_ALPHABET, k=int(args[0])))


def _choice(rng: random.Random, args: list[str]) -> str:
    return rng.choice(args)


def _sequence(rng: random.Random, args: list[str]) -> str:
    return str(next(_SEQUENCE))


# name -> (function, how many arguments: a number, or None for one or more)
FUNCTIONS: dict[str, tuple[Function, int | None]] = {
    "random": (_random, 2),  # a whole number from A to B, both included
    "random_string": (_random_string, 1),  # N letters and digits
    "choice": (_choice, None),  # one of the arguments
    "sequence": (_sequence, 0),  # 1, 2, 3, ... across all connections of the run
}


def split_arguments(text: str) -> list[str]:
    return [part.strip() for part in text.split(",")] if text.strip() else []


def check_call(name: str, arguments: str, location: Location) -> None:
    """Parse-time check of a let's function call (the arguments may still hold $variables)."""
    if name not in FUNCTIONS:
        known = ", ".join(f"{key}()" for key in FUNCTIONS)
        raise TestFileError(location, f"unknown function '{name}()' (known: {known})")
    arity = FUNCTIONS[name][1]
    args = split_arguments(arguments)
    if (arity is None and not args) or (arity is not None and len(args) != arity):
        wanted = "one or more arguments" if arity is None else f"{arity} argument(s)"
        raise TestFileError(location, f"{name}() takes {wanted}, not {len(args)}")
    if name in ("random", "random_string"):
        for arg in args:
            if "$" not in arg and re.fullmatch(r"[+-]?\d+", arg) is None:
                raise TestFileError(location, f"{name}(): '{arg}' is not a whole number")


def evaluate(value: str, expand: Callable[[str], str], rng: random.Random) -> str:
    """A let's value: a function call's result, else the text with its variables expanded."""
    call = _CALL.fullmatch(value)
    if call is None:
        return expand(value)
    function = FUNCTIONS[call.group(1)][0]
    return function(rng, [expand(arg) for arg in split_arguments(call.group(2))])
