"""The result format of PingCAP's mysql-tester (as TiDB's integration tests are recorded).

- The echo is the statement as read, delimiter included; no replacement touches it.
- A result set is a header of column names and one line per row, values joined by tabs: raw
  bytes, ``NULL`` for SQL NULL. Every result set of the statement is written, even an empty one.
- ``--sorted_result`` sorts rows by their bytes, NULL before the empty string; ``--replace_column``
  applies after sorting; ``--replace_regex`` applies to each cell last, and a cell it leaves empty
  (or an empty cell it does not match) reads NULL, because Go's ``ReplaceAll`` returns nil then.
- ``--enable_info`` adds ``affected rows: N`` and ``info: <message>`` (both, always).
- Warnings (``--enable_warnings``) are the ``SHOW WARNINGS`` table, header included, always sorted.
- An error is ``Error <errno> (<SQLSTATE>): <message>``, with ``--replace_regex`` applied to the line.
"""

from __future__ import annotations

from collections.abc import Sequence

from runner.render.base import ErrorVerdict, View, Warning_
from runner.sessions.driver import Outcome, Result, ServerError

WARNING_COLUMNS = ("Level", "Code", "Message")
GOT_ONE_OF_THE_LISTED = "Got one of the listed errors\n"

Cells = Sequence[str | None]


class MysqlTesterDialect:
    name = "mysql-tester"

    def statement(self, sql: str, delimiter: str, view: View) -> str:
        return f"{sql}{delimiter}\n"

    def outcome(self, outcome: Outcome, warnings: list[Warning_] | None, view: View) -> str:
        parts: list[str] = []
        if view.result_log:
            for result in outcome.results:
                if result.columns is not None and (result.columns or result.rows):
                    parts.append(table([c.name for c in result.columns], result.rows, view, view.sorted))
        if view.info:
            affected, message = info(outcome.results)
            parts.append(f"affected rows: {affected}\ninfo: {message}\n")
        if view.warnings and warnings:
            parts.append(table(WARNING_COLUMNS, warnings, view, True))
        return "".join(parts)

    def results(self, results: list[Result], view: View) -> str:
        # A statement that fails shows none of its result sets (mysql-tester reads them all first).
        return ""

    def error(self, error: ServerError, verdict: ErrorVerdict, view: View) -> str:
        if verdict.expected and verdict.listed > 1:
            return "" if verdict.first_is_success else GOT_ONE_OF_THE_LISTED
        return error_line(error, view)


def error_line(error: ServerError, view: View) -> str:
    """The Go driver's ``MySQLError.Error()``, regex-replaced, carriage returns dropped."""
    if error.sqlstate:
        line = f"Error {error.errno} ({error.sqlstate}): {error.message}"
    else:
        line = f"Error {error.errno}: {error.message}"
    for rx in view.replace.regexes:
        line = rx.apply(line)
    return line.replace("\r", "") + "\n"


def info(results: list[Result]) -> tuple[int, str]:
    """What the driver keeps from the statement's OK packets: the last one's affected rows, and its
    message only when it ended the statement (one that announces more results is not read)."""
    affected = 0
    for result in results:
        if result.columns is None:
            affected = result.affected_rows
    last = results[-1] if results else None
    message = (last.info or "") if last is not None and last.columns is None else ""
    return affected, message


def sort_key(row: Cells) -> tuple[tuple[int, str], ...]:
    # Byte order (latin-1 characters compare as their bytes); NULL sorts before "".
    return tuple((0, "") if value is None else (1, value) for value in row)


def table(columns: Sequence[str], rows: Sequence[Cells], view: View, sort: bool) -> str:
    ordered = sorted(rows, key=sort_key) if sort else rows
    replace_column = view.replace_column
    regexes = view.replace.regexes
    lines = ["\t".join(columns) + "\n"]
    for row in ordered:
        values = list(row)
        if replace_column:
            for index, text in replace_column.items():
                if index < len(values):
                    values[index] = text
        if regexes:
            cells = []
            for value in values:
                text = "" if value is None else value
                for rx in regexes:
                    text = rx.apply(text)
                cells.append(text or "NULL")
            lines.append("\t".join(cells) + "\n")
        else:
            lines.append("\t".join("NULL" if v is None else v for v in values) + "\n")
    return "".join(lines)
