"""The result format of MySQL/MariaDB's mysqltest (as mariadb-test 10.11 writes it)."""

from __future__ import annotations

import re

from runner.render.base import ErrorVerdict, View, Warning_
from runner.sessions.driver import Column, Outcome, Result, ServerError
from runner.sessions.wire import SessionTrack

METADATA_HEADER = (
    "Catalog\tDatabase\tTable\tTable_alias\tColumn\tColumn_alias\tType\tLength\tMax length\t"
    "Is_null\tFlags\tDecimals\tCharsetnr\n"
)
_NOT_NULL_FLAG = 1
_LINE_END = re.compile("[\n\0]")
# enum_session_state_type, as mariadb-test names the trackers.
_TRACKERS = (
    "SESSION_TRACK_SYSTEM_VARIABLES",
    "SESSION_TRACK_SCHEMA",
    "SESSION_TRACK_STATE_CHANGE",
    "SESSION_TRACK_GTIDS",
    "SESSION_TRACK_TRANSACTION_CHARACTERISTICS",
    "SESSION_TRACK_TRANSACTION_TYPE",
)
_SYSTEM_VARIABLES = 0
_WARNING_COLUMNS = [Column("Level"), Column("Code"), Column("Message")]


class MysqltestDialect:
    name = "mysqltest"

    def statement(self, sql: str, delimiter: str, view: View) -> str:
        text = sql if view.plain or not view.replace else view.replace(sql)
        return f"{text}{delimiter}\n"

    def outcome(self, outcome: Outcome, warnings: list[Warning_] | None, view: View) -> str:
        if not view.result_log:
            return ""
        results = outcome.results
        if view.plain and warnings is None and len(results) == 1:
            # The statement after statement of a test: what _result writes for a plain view.
            columns = results[0].columns
            if columns is None:
                return ""
            lines = ["\t".join([_c_string(column.name) for column in columns])]
            lines += ["\t".join(["NULL" if v is None else v for v in row]) for row in results[0].rows]
            lines.append("")
            return "\n".join(lines)
        parts = [self._result(result, view) for result in results]
        if warnings is not None and view.warnings:
            parts.append(self._warnings(warnings, view))
        return "".join(parts)

    def results(self, results: list[Result], view: View) -> str:
        if not view.result_log:
            return ""
        return "".join(self._result(result, view) for result in results)

    def error(self, error: ServerError, verdict: ErrorVerdict, view: View) -> str:
        if not view.result_log:
            return ""
        if verdict.expected and verdict.listed > 1:
            return "" if verdict.first_is_success else "Got one of the listed errors\n"
        replace = view.replace
        if replace:
            return f"ERROR {replace(error.sqlstate)}: {replace(error.message)}\n"
        return f"ERROR {error.sqlstate}: {error.message}\n"

    # -- pieces ---------------------------------------------------------------------------------

    def _result(self, result: Result, view: View) -> str:
        head: list[str] = []
        body: list[str] = []
        columns = result.columns
        if columns is not None:
            if view.metadata:
                head.append(_metadata(columns, result, view))
            if view.vertical:
                body.extend(_vertical_rows(columns, result, view))
            else:
                if view.column_names:
                    head.append(_join_line([_c_string(c.name) for c in columns], view))
                body.extend(_rows(result, view))
            if view.sorted:
                body = _sorted_lines(body)
        tail = ""
        if view.info:
            tail = f"affected rows: {result.affected_rows}\n"
            if result.info:
                tail += f"info: {result.info}\n"
        if view.session_track and result.session_track:
            tail += _session_track(result.session_track)
        return "".join(head) + "".join(body) + tail

    def _warnings(self, warnings: list[Warning_], view: View) -> str:
        # The warnings are one more result set to mysqltest: replace_column, vertical and
        # sorting apply to them as to any other.
        result = Result(_WARNING_COLUMNS, [tuple(w) for w in warnings])
        lines = _vertical_rows(_WARNING_COLUMNS, result, view) if view.vertical else _rows(result, view)
        if view.sorted:
            lines = _sorted_lines(lines)
        return "Warnings:\n" + "".join(lines)


def _join_line(values: list[str], view: View) -> str:
    replace = view.replace
    if replace:
        return "\t".join(replace(v) for v in values) + "\n"
    return "\t".join(values) + "\n"


def _rows(result: Result, view: View) -> list[str]:
    replace = view.replace
    columns = view.replace_column
    if not replace and not columns:
        return ["\t".join("NULL" if v is None else v for v in row) + "\n" for row in result.rows]
    lines = []
    for row in result.rows:
        values = ["NULL" if v is None else v for v in row]
        if columns:
            for index, text in columns.items():
                if index < len(values):
                    values[index] = text
        if replace:
            values = [replace(_c_string(v)) for v in values]
        lines.append("\t".join(values) + "\n")
    return lines


def _vertical_rows(columns: list[Column], result: Result, view: View) -> list[str]:
    replace = view.replace
    replace_columns = view.replace_column or {}
    lines = []
    for row in result.rows:
        for index, (column, value) in enumerate(zip(columns, row, strict=False)):
            text = replace_columns.get(index, "NULL" if value is None else value)
            if replace:
                text = replace(_c_string(text))
            lines.append(f"{_c_string(column.name)}\t{text}\n")
    return lines


def _c_string(value: str) -> str:
    """A value as mysqltest's replace_result/replace_regex see it, or a column name as mysqltest
    prints it: a C string, cut at a NUL byte."""
    nul = value.find("\0")
    return value if nul < 0 else value[:nul]


def _sorted_lines(lines: list[str]) -> list[str]:
    # mysqltest sorts output lines, so a value holding a newline is sorted as several lines. It
    # splits them as C strings: a NUL byte ends a line too, and one at the start of a line ends
    # the result.
    text = "".join(lines)
    flat = text.split("\n")[:-1] if "\0" not in text else _c_lines(text)
    return [line + "\n" for line in sorted(flat)]


def _c_lines(text: str) -> list[str]:
    """``text`` cut into lines at each newline or NUL, as far as C reads it."""
    lines: list[str] = []
    start = 0
    for m in _LINE_END.finditer(text):
        if m.start() == start and text[start] == "\0":
            break  # a NUL at the start of a line: C sees the end of the text
        lines.append(text[start : m.start()])
        start = m.end()
    return lines


def _metadata(columns: list[Column], result: Result, view: View) -> str:
    lines = [METADATA_HEADER]
    for index, column in enumerate(columns):
        meta = column.meta
        catalog, db, table, org_table, name, org_name, charsetnr, length, ftype, flags, decimals = (
            _meta_text(v) for v in meta[:11]
        )
        max_length = max((len(value) for row in result.rows if (value := row[index]) is not None), default=0)
        is_null = "N" if int(flags) & _NOT_NULL_FLAG else "Y"
        type_info = " ".join(
            f"{key}={value}" for key, value in (("type", column.type_name), ("format", column.format_name)) if value
        )
        if type_info:
            ftype = f"{ftype} ({type_info})"
        fields = [catalog, db, org_table, table, org_name, name, ftype, length, str(max_length), is_null, flags,
                  decimals, charsetnr]
        lines.append(_join_line(fields, view))
    return "".join(lines)


def _session_track(changes: SessionTrack) -> str:
    """mariadb-test's append_session_track_info: per tracker a header line, then its items as
    `-- ` lines and an empty line; system variables as `-- name: value`, sorted."""
    parts = []
    for kind, items in changes:
        parts.append(f"-- Tracker : {_TRACKERS[kind]}\n")
        if kind == _SYSTEM_VARIABLES:
            text = "".join(f"-- {items[i]}: {items[i + 1]}\n" for i in range(0, len(items) - 1, 2))
            # mysqltest sorts lines, so a value holding a newline is sorted as several lines.
            parts.extend(line + "\n" for line in sorted(text.split("\n")[:-1]))
            parts.append("\n")
        else:
            parts.append("".join(f"-- {item}\n" for item in items) + "\n")
    return "".join(parts)


def _meta_text(value: object) -> str:
    if isinstance(value, bytes | bytearray):
        return value.decode("latin-1")
    return str(value)
