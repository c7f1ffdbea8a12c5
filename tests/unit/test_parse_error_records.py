"""A syntax error read as a record at its place: mysqltest reads one command at a time, so what
precedes the error runs (and may skip or fail) before the error stops the test.

Checked with MariaDB 10.11's mariadb-test: `select 1 as x;\\n--frobnicate\\n` runs the select and
then stops at line 2; `--skip` before a broken line skips; an unterminated statement inside
`if (0) { … }` still stops the test (the skipped block is read), and --record writes no result.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.dialects.profile import profile_named
from runner.errors import TestFileError as FileError
from runner.language.parser import parse_file, parse_text
from runner.language.records import Block, Command, Location, ParseError, Query, Record


def partial(text: str) -> list[Record]:
    result = parse_text(text, "t.test", partial=True)
    assert result.error is not None
    return result.records


def test_records_before_the_error_then_the_error() -> None:
    records = partial("select 1;\n--echo a\n--frobnicate\nselect 2;\n")
    first, echo, stop = records
    assert isinstance(first, Query) and first.sql == "select 1"
    assert isinstance(echo, Command) and echo.argument == "a"
    assert stop == ParseError(
        Location("t.test", 3), "'--frobnicate' is not a mysqltest command (use '#' for a comment)"
    )


def test_the_record_says_what_the_strict_reader_raises() -> None:
    text = "select 1;\nselect 2\n"
    with pytest.raises(FileError) as raised:
        parse_text(text, "t.test")
    result = parse_text(text, "t.test", partial=True)
    stop = result.records[-1]
    assert isinstance(stop, ParseError)
    assert str(raised.value) == f"{stop.location}: {stop.message}" == str(result.error)
    assert str(raised.value) == "t.test:2: statement is not terminated by the delimiter ';' before the end of the file"


def test_a_file_without_errors_has_no_error_record() -> None:
    result = parse_text("select 1;\nif (1)\n{\n  select 2;\n}\n", "t.test", partial=True)
    assert result.error is None
    assert not any(isinstance(r, ParseError) for r in result.records)


def test_an_error_inside_a_block_ends_the_block_and_follows_it() -> None:
    # A block that runs stops at the error; a skipped one is still read, so the error comes after it.
    records = partial("select 1;\nif ($x)\n{\n  select 2;\n  select 3\n")
    first, block, after = records
    assert isinstance(first, Query) and isinstance(block, Block)
    assert isinstance(block.body[0], Query) and block.body[0].sql == "select 2"
    inner = block.body[-1]
    assert isinstance(inner, ParseError) and inner.location.line == 5
    assert after is inner


def test_nested_blocks_each_end_with_the_error() -> None:
    records = partial("while ($a)\n{\n  if ($b)\n  {\n    --frobnicate\n")
    outer, after = records
    assert isinstance(outer, Block) and isinstance(after, ParseError)
    inner, between = outer.body
    assert isinstance(inner, Block) and inner.body == [after] and between is after


def test_a_block_never_closed_keeps_its_body_and_stops_at_the_end() -> None:
    records = partial("select 1;\nif (1)\n{\n  --echo in\n")
    _, block, after = records
    assert isinstance(block, Block)
    echo, inner = block.body
    assert isinstance(echo, Command) and echo.name == "echo"
    assert inner is after
    assert isinstance(after, ParseError)
    assert (after.location.line, after.message) == (2, "'if' block is never closed (missing '}')")


def test_a_stray_closing_brace_stops_there() -> None:
    records = partial("select 1;\n}\nselect 2;\n")
    assert [type(r) for r in records] == [Query, ParseError]
    assert records[-1].location.line == 2


def test_an_included_file_keeps_its_include_chain(tmp_path: Path) -> None:
    inc = tmp_path / "bad.inc"
    inc.write_bytes(b"--echo fine\n--frobnicate\n")
    parent = Location("x.test", 2)
    result = parse_file(inc, parent=parent, partial=True)
    stop = result.records[-1]
    assert isinstance(stop, ParseError) and stop.location == Location(str(inc), 2, parent)
    with pytest.raises(FileError):
        parse_file(inc, parent=parent)


def test_mysql_testers_reader_still_reads_the_whole_file_first(tmp_path: Path) -> None:
    # PingCAP's mysql-tester loads every query before it runs one (loadQueries).
    test = tmp_path / "x.test"
    test.write_bytes(b"select 1;\n--frobnicate\n")
    assert isinstance(profile_named("mysqltest").read(test, partial=True).records[-1], ParseError)
    with pytest.raises(FileError):
        profile_named("mysql-tester").read(test, partial=True)
