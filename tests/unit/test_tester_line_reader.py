"""The older mysql-tester's line reader (TiDB's release branches up to 8.5 pin it), and how a file's
suite chooses between it and the delimiter reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner import errors
from runner.dialects.mysql_tester.reader import DELIMITER_READER_COMMITS, parse_tester_text, reader_syntax
from runner.language.records import Command, Query, Record


def parse(text: str) -> list[Record]:
    return parse_tester_text(text, "x.test", syntax="lines").records


def queries(text: str) -> list[tuple[int, str]]:
    return [(r.location.line, r.source()) for r in parse(text) if isinstance(r, Query)]


def test_a_statement_goes_on_until_a_line_ends_with_a_semicolon() -> None:
    assert queries("select\n1;\nselect 2;") == [(1, "select\n1;"), (3, "select 2;")]


def test_a_command_line_ends_an_unterminated_statement_which_is_sent_as_it_is() -> None:
    records = parse("set sql_mode=''\n-- enable_warnings\nselect 1;")
    assert [r.source() if isinstance(r, Query) else r.name for r in records if isinstance(r, Query | Command)] == [
        "set sql_mode=''",
        "enable_warnings",
        "select 1;",
    ]


def test_the_semicolon_is_sent_with_the_statement() -> None:
    (query,) = [r for r in parse("alter table t\n drop x;") if isinstance(r, Query)]
    assert (query.sql, query.delimiter) == ("alter table t\ndrop x;", "")


def test_a_comment_line_ends_an_unterminated_statement_too() -> None:
    assert queries("select 1\n# note\nselect 2;") == [(1, "select 1"), (3, "select 2;")]


def test_blank_lines_do_not_end_a_statement() -> None:
    assert queries("select\n\n1;") == [(1, "select\n1;")]


def test_text_after_the_semicolon_keeps_the_statement_open() -> None:
    # The line does not end with ';', so the next line belongs to the same statement.
    assert queries("select 1; # c\nselect 2;") == [(1, "select 1; # c\nselect 2;")]


def test_the_end_of_the_file_ends_an_unterminated_statement() -> None:
    assert queries("select 1") == [(1, "select 1")]


def test_the_delimiter_command_does_nothing_in_either_form() -> None:
    assert queries("delimiter //\n--delimiter //\nselect 1;") == [(3, "select 1;")]


def test_commands_in_both_forms() -> None:
    records = parse("connect (c1,localhost,root,,);\n--connection c1\nconnection default;")
    assert [(r.name, r.argument, r.style) for r in records if isinstance(r, Command)] == [
        ("connect", " (c1,localhost,root,,);", "delimited"),
        ("connection", " c1", "dash"),
        ("connection", " default;", "delimited"),
    ]


def test_an_unknown_dash_command_is_an_error_at_its_line() -> None:
    with pytest.raises(errors.TestFileError) as info:
        parse("select 1;\n--frobnicate x")
    assert info.value.location is not None and info.value.location.line == 2
    assert "--frobnicate" in str(info.value)


def suite(tmp_path: Path, script: str | None) -> Path:
    (tmp_path / "t" / "a").mkdir(parents=True)
    test = tmp_path / "t" / "a" / "b.test"
    test.write_text("select 1;\n")
    if script is not None:
        (tmp_path / "run-tests.sh").write_text(script)
    return test


def test_a_suite_pinning_an_older_mysql_tester_is_read_by_lines(tmp_path: Path) -> None:
    pin = "GOBIN=$PWD go install github.com/pingcap/mysql-tester/src@314107b26aa8fce86beb0dd48e75827fb269b365\n"
    assert reader_syntax(suite(tmp_path, pin)) == "lines"


def test_a_suite_pinning_a_delimiter_reading_commit_uses_delimiters(tmp_path: Path) -> None:
    pin = f"go install github.com/pingcap/mysql-tester/src@{DELIMITER_READER_COMMITS[-1]}\n"
    assert reader_syntax(suite(tmp_path, pin)) == "delimiter"


def test_without_a_pinned_commit_the_current_reader_is_used(tmp_path: Path) -> None:
    assert reader_syntax(suite(tmp_path, None)) == "delimiter"
