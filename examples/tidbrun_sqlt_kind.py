"""A tidbrun plugin that adds a kind of test file: ``x.sqlt``, one SQL statement a line.

    tidbrun --plugin examples/tidbrun_sqlt_kind.py suite/

Each statement is run on the test's database and echoed with its rows (tab-separated, NULL for
NULL); the output is compared with ``r/x.result`` like a ``.test``'s, and ``--record`` writes it.
Empty lines and lines starting with ``#`` are skipped; a statement the server refuses fails the test
at its line. ``--parse-only`` checks that every statement ends with ``;`` and prints them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from runner.engine.outcomes import TestFailure
from runner.errors import TestFileError
from runner.hooks import hookimpl
from runner.language.records import Location
from runner.run.kind import Checking, LoadedTest, Loading, TestKind, TestKindRegistering, TestRun
from runner.run.records import TestCase
from runner.sessions.session import Session

Statements = list[tuple[int, str]]  # (line, statement)


class SqltKind(TestKind):
    name = "sqlt"
    suffix = ".sqlt"

    def load(self, case: TestCase, loading: Loading) -> LoadedTest:
        statements = _statements(case.path)
        return LoadedTest(lambda run: _run(run, statements))

    def check(self, path: Path, checking: Checking) -> Iterator[str]:
        for _, sql in _statements(path):
            yield sql + "\n"


def _statements(path: Path) -> Statements:
    statements: Statements = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        sql = line.strip()
        if not sql or sql.startswith("#"):
            continue
        if not sql.endswith(";"):
            raise TestFileError(Location(str(path), number), "a statement ends with ';'")
        statements.append((number, sql))
    return statements


def _run(run: TestRun, statements: Statements) -> str:
    # A session of the run's own: its statements go through the watchdog like a .test's.
    session = Session("sqlt", run.params, run.connect, run.wrapper)
    session.connect()
    try:
        for line, sql in statements:
            run.output.append(sql + "\n")
            outcome = session.execute(sql.removesuffix(";"))
            if outcome.error is not None:
                raise TestFailure(Location(run.display, line),
                                  f"query '{sql}' failed: {outcome.error.errno}: {outcome.error.message}")
            for result in outcome.results:
                if result.columns is not None:
                    run.output.append("\t".join(column.name for column in result.columns) + "\n")
                run.output.extend("\t".join("NULL" if v is None else v for v in row) + "\n" for row in result.rows)
    finally:
        session.close()
    return "".join(run.output)


@hookimpl
def tidbrun_add_test_kinds(kinds: TestKindRegistering) -> None:
    kinds.add(SqltKind())
