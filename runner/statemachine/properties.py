"""Property-based tests: random rows drawn with hypothesis, two queries that must agree.

``same_rows`` loads the rows hypothesis draws into the tables, runs both queries and compares
their rows as multisets (deepdiff, order ignored, repetitions counted). When they differ,
hypothesis shrinks the example and the test fails with the SQL that reproduces the smallest one
and the seed that repeats the run (``--var seed=N``; without it each run draws a new seed)::

    from hypothesis import strategies as st
    from runner.statemachine.properties import Table, same_rows

    t1 = Table("t1", {"a": "INT", "b": "INT"}, {"a": st.integers(0, 3), "b": st.none() | st.integers(0, 9)})
    same_rows(ctx, [t1, t2], "SELECT … FROM t1 JOIN t2 …", "SELECT … FROM t2 JOIN t1 …")
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from deepdiff import DeepDiff
from hypothesis import HealthCheck, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.reporting import with_reporter

from runner.statemachine.context import Context, SqlError


@dataclass(frozen=True, slots=True)
class Table:
    """A table the property fills: column → SQL type, column → strategy of its values."""

    name: str
    columns: Mapping[str, str]
    values: Mapping[str, st.SearchStrategy[Any]]
    max_rows: int = 6

    def create(self) -> str:
        return f"CREATE TABLE {self.name} ({', '.join(f'{c} {t}' for c, t in self.columns.items())})"

    def rows(self) -> st.SearchStrategy[list[tuple[Any, ...]]]:
        row = st.tuples(*(self.values[c] for c in self.columns))
        return st.lists(row, max_size=self.max_rows)

    def inserts(self, rows: Sequence[tuple[Any, ...]]) -> list[str]:
        return [f"INSERT INTO {self.name} VALUES ({', '.join(literal(v) for v in row)})" for row in rows]


def literal(value: object) -> str:
    """``value`` as an SQL literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace("'", "''")
    return f"'{text}'"


class PropertyFailed(AssertionError):
    def __init__(self, script: str, why: str) -> None:
        super().__init__(why)
        self.script = script
        self.why = why


@dataclass(slots=True)
class Outcome:
    examples: int  # how many examples ran
    seed: int
    notes: list[str] = field(default_factory=list)


def same_rows(
    ctx: Context,
    tables: Sequence[Table],
    first: str,
    second: str,
    *,
    parameters: Mapping[str, st.SearchStrategy[Any]] | None = None,
    examples: int = 50,
) -> Outcome:
    """Asserts that ``first`` and ``second`` return the same rows, in any order, whatever rows
    hypothesis puts in ``tables``; ``{name}`` in the queries takes a drawn ``parameters`` value."""
    chosen = ctx.config.variables.get("seed")
    seed = int(chosen) if chosen not in (None, "") else random.randrange(2**32)
    for table in tables:
        ctx.sql(f"DROP TABLE IF EXISTS {table.name}")
        ctx.sql(table.create())
    draws = st.tuples(st.tuples(*(t.rows() for t in tables)), st.fixed_dictionaries(dict(parameters or {})))
    outcome = Outcome(0, seed)

    @hypothesis_seed(seed)
    @settings(max_examples=examples, database=None, deadline=None, suppress_health_check=list(HealthCheck),
              derandomize=False, print_blob=False)
    @given(draws)
    def check(drawn: tuple[tuple[list[tuple[Any, ...]], ...], dict[str, Any]]) -> None:
        contents, values = drawn
        outcome.examples += 1
        script = [t.create() + ";" for t in tables]
        try:
            for table, rows in zip(tables, contents, strict=True):
                ctx.sql(f"DELETE FROM {table.name}")
                for insert in table.inserts(rows):
                    ctx.sql(insert)
                    script.append(insert + ";")
            queries = [first.format(**values), second.format(**values)]
            script += [q + ";" for q in queries]
            got = [sorted_rows(ctx.sql(q)) for q in queries]
        except SqlError as exc:
            raise PropertyFailed("\n".join(script), f"the server refused a statement: {exc}") from None
        diff = DeepDiff(got[0], got[1], ignore_order=True, report_repetition=True)
        if diff:
            raise PropertyFailed("\n".join(script), f"the first query returned {got[0]}, the second {got[1]}")

    try:
        with with_reporter(lambda note: outcome.notes.append(str(note))):
            check()
    except PropertyFailed as failed:
        ctx.fail(f"the queries disagree (seed {seed}: --var seed={seed} repeats this run); the smallest "
                 f"example hypothesis found, as SQL:\n{failed.script}\n-- {failed.why}")
    finally:
        for table in tables:
            ctx.sql(f"DROP TABLE IF EXISTS {table.name}")
    return outcome


def sorted_rows(rows: Sequence[tuple[str | None, ...]]) -> list[tuple[str | None, ...]]:
    """Rows in an order of their own (NULL first), for a readable message."""
    return sorted(rows, key=lambda row: tuple((v is not None, v or "") for v in row))
