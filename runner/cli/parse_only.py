"""``--parse-only``: check test files without a server and print what a run would echo on its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from runner import plugins
from runner.dialects.profile import DialectProfile
from runner.engine.directives import chaos
from runner.errors import TestFileError
from runner.language.parser import parse_file
from runner.language.records import Block, Command, Location, Query, Record
from runner.render.base import Dialect, View
from runner.run.kind import Checking
from runner.tidb.failpoint_terms import argument_error

_STATEMENT_COMMANDS = ("query", "send", "query_vertical", "query_horizontal")


def echo_lines(path: Path, dialect: Dialect, basedir: Path | None = None) -> Iterator[str]:
    """The lines a run echoes by itself, in order. Raises TestFileError on bad input.

    Each kind checks its own files: a Python test is only compiled; a templated test is rendered
    for each combination of its front matter's matrix (with no ``--var``)."""
    profile = plugins.current().dialect(dialect.name)
    checking = Checking(
        read=lambda file, data: profile.read(file, display=str(file), commands=_added(profile), data=data).records,
        walk=lambda records: _walk(records, dialect, profile, basedir or path.parent, depth=0),
    )
    yield from plugins.current().kinds.of(path).check(path, checking)


def _walk(
    records: list[Record], dialect: Dialect, profile: DialectProfile, basedir: Path, depth: int
) -> Iterator[str]:
    view = View()
    for record in records:
        if isinstance(record, Query):
            yield dialect.statement(record.sql, record.delimiter, view)
        elif isinstance(record, Block):
            yield from _walk(record.body, dialect, profile, basedir, depth)
        elif isinstance(record, Command):
            if plugins.current().directives.lookup(record.name, profile.name) is None:
                raise TestFileError(record.location, f"command '{record.name}' is not implemented by tidbrun")
            if record.name in profile.ignored_commands:
                continue
            if record.name == "failpoint" and "$" not in record.argument:
                problem = argument_error(record.argument)
                if problem is not None:
                    raise TestFileError(record.location, problem)
            if record.name in chaos.SERVER_DIRECTIVES + chaos.CONNECTION_DIRECTIVES and "$" not in record.argument:
                problem = chaos.argument_error(record.name, record.argument.strip().removesuffix(record.delimiter))
                if problem is not None:
                    raise TestFileError(record.location, problem)
            if record.name in _STATEMENT_COMMANDS and record.argument.strip():
                yield dialect.statement(record.argument, record.delimiter, view)
            elif record.name == "echo" and "$" not in record.argument:
                yield profile.echo_text(record.argument) + "\n"
            elif record.name == "source" and "$" not in record.argument:
                yield from _source(record, dialect, profile, basedir, depth)


def _source(
    command: Command, dialect: Dialect, profile: DialectProfile, basedir: Path, depth: int
) -> Iterator[str]:
    if depth >= 16:
        raise TestFileError(command.location, "source directives are nesting too deep")
    path = _resolve(command.argument.strip(), command.location, basedir)
    records = parse_file(path, parent=command.location, delimiter=command.delimiter, commands=_added(profile)).records
    yield from _walk(records, dialect, profile, basedir, depth + 1)


def _resolve(name: str, location: Location, basedir: Path) -> Path:
    candidate = Path(name)
    options = [candidate] if candidate.is_absolute() else [Path(location.file).parent / name, basedir / name]
    for option in options:
        if option.is_file():
            return option
    raise TestFileError(location, f"source file '{name}' not found")


def _added(profile: DialectProfile) -> frozenset[str]:
    return plugins.current().directives.added_names(profile.name)
