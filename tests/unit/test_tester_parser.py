"""mysql-tester's reader: lines, delimiters, commands, and where each record comes from."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner import errors
from runner.dialects.mysql_tester.reader import TESTER_COMMANDS, go_trim_space, parse_tester_text
from runner.dialects.profile import profile_named
from runner.language.records import Command, Query, Record


def parse(text: str) -> list[Record]:
    return parse_tester_text(text, "x.test").records


def echoes(text: str) -> list[str]:
    """What a run would echo for each statement: ``sql + delimiter``."""
    return [r.source() for r in parse(text) if isinstance(r, Query)]


def only(text: str) -> Record:
    records = parse(text)
    assert len(records) == 1, records
    return records[0]


def load_error(text: str) -> errors.TestFileError:
    with pytest.raises(errors.TestFileError) as info:
        parse(text)
    return info.value


# -- lines and statements ----------------------------------------------------------------------------


def test_comments_and_blank_lines_are_dropped() -> None:
    assert echoes("# c\n\n   \nselect 1;\n  # indented comment\n") == ["select 1;"]


def test_statement_keeps_its_delimiter_in_the_echo_not_in_the_sql() -> None:
    record = only("select 1;\n")
    assert isinstance(record, Query)
    assert (record.sql, record.delimiter) == ("select 1", ";")


def test_everything_up_to_the_last_delimiter_of_a_line_is_one_statement() -> None:
    record = only("select 1; select 2;\n")
    assert isinstance(record, Query)
    assert record.sql == "select 1; select 2"


def test_text_after_the_last_delimiter_waits_for_the_next_line() -> None:
    assert echoes("select 1; select\n2;\n") == ["select 1;", "select\n2;"]


def test_lines_are_trimmed_and_joined_with_newlines() -> None:
    text = "   select a,\n\t\tb   from t\n\n   where  a = 1 ;  \n"
    assert echoes(text) == ["select a,\nb   from t\nwhere  a = 1 ;"]


def test_indentation_inside_a_string_literal_is_lost_too() -> None:
    assert echoes("select 'a\n    b';\n") == ["select 'a\nb';"]


def test_delimiter_inside_quotes_still_ends_the_statement() -> None:
    # mysql-tester does not know quotes: the last ';' on the line ends the statement.
    assert echoes("select ';' ;\n") == ["select ';' ;"]


def test_trailing_hash_comment_is_dropped() -> None:
    assert echoes("select 1; # about it\nselect 2;\n") == ["select 1;", "select 2;"]


def test_trailing_dash_comment_breaks_the_next_statement() -> None:
    error = load_error("select 1; -- about it\nselect 2;\n")
    assert error.location is not None and error.location.line == 1
    assert "'--about'" in error.message


def test_trailing_dash_comment_at_the_end_is_remained_text() -> None:
    error = load_error("select 1;\nselect 2; -- note\n")
    assert error.location is not None and error.location.line == 2
    assert "end of the file" in error.message


def test_statement_location_is_its_first_line() -> None:
    records = parse("\n# c\nselect 1,\n2;\nselect 3;\n")
    assert [r.location.line for r in records] == [3, 5]
    assert str(records[0].location) == "x.test:3"


def test_short_statements_are_dropped() -> None:
    assert echoes("a;\nselect 1;\n") == ["select 1;"]


def test_crlf_line_ends_are_trimmed() -> None:
    assert echoes("select 1;\r\nselect\r\n2;\r\n") == ["select 1;", "select\n2;"]


def test_unicode_blanks_are_trimmed_like_go() -> None:
    # U+00A0 (C2 A0 in UTF-8) and U+3000 are spaces to Go's TrimSpace; latin-1 text holds the bytes.
    nbsp = "\u00a0".encode().decode("latin-1")
    ideographic = "\u3000".encode().decode("latin-1")
    assert echoes(f"select 1;{nbsp}\n{ideographic}select 2;\n") == ["select 1;", "select 2;"]
    assert go_trim_space("\x85x") == "\x85x"  # a lone 0x85 byte is not UTF-8 NEL


def test_unterminated_statement_before_a_comment_is_an_error() -> None:
    error = load_error("select 1\n# comment\nselect 2;\n")
    assert error.location is not None and error.location.line == 1
    assert "comment at line 2" in error.message


def test_unterminated_statement_before_a_command_is_an_error() -> None:
    error = load_error("select 1\n--echo x\n")
    assert "command at line 2" in error.message


def test_unterminated_statement_at_the_end_is_an_error() -> None:
    error = load_error("select 1;\nselect\n2\n")
    assert error.location is not None and error.location.line == 2


# -- delimiters --------------------------------------------------------------------------------------


def test_delimiter_line_changes_the_delimiter_and_is_not_echoed() -> None:
    text = "delimiter //\ncreate procedure p()\nbegin\n  select 1;\nend//\nDELIMITER ;\nselect 2;\n"
    assert echoes(text) == ["create procedure p()\nbegin\nselect 1;\nend//", "select 2;"]


def test_dash_delimiter_command() -> None:
    assert echoes("--delimiter ;;\nselect 1;;\n-- delimiter ;\nselect 2;\n") == ["select 1;;", "select 2;"]


def test_doubled_delimiter_is_sent_with_one_less() -> None:
    record = only("use `test`;;\n")
    assert isinstance(record, Query)
    assert (record.sql, record.delimiter) == ("use `test`;", ";")


def test_delimiter_with_two_blanks_is_empty_and_sql_after_it_is_an_error() -> None:
    error = load_error("delimiter  ;;\nselect 1;\n")
    assert error.location is not None and error.location.line == 2
    assert "empty" in error.message


def test_delimiter_change_inside_a_statement_is_an_error() -> None:
    assert "delimiter change at line 2" in load_error("select 1\ndelimiter //\n").message


def test_delimiter_word_needs_a_blank() -> None:
    # `delimiter;` is not a delimiter line: it is a statement whose first word is a command.
    record = only("delimiter;\n")
    assert isinstance(record, Command) and record.name == "delimiter"


# -- commands ----------------------------------------------------------------------------------------


def test_dash_command_argument_is_kept_untrimmed() -> None:
    record = only("--error 1054\n")
    assert isinstance(record, Command)
    assert (record.name, record.argument, record.style) == ("error", " 1054", "dash")


def test_one_blank_after_the_dashes_is_allowed() -> None:
    record = only("-- error 1054,1062\n")
    assert isinstance(record, Command) and record.name == "error" and record.argument == " 1054,1062"


def test_two_blanks_after_the_dashes_is_not_a_command() -> None:
    error = load_error("select 1;\n--  error 1054\n")
    assert error.location is not None and str(error.location) == "x.test:2"


def test_sql_style_comment_line_is_an_error() -> None:
    error = load_error("-- drop the table\n")
    assert "'--drop'" in error.message and "use '#'" in error.message


def test_command_names_are_case_insensitive() -> None:
    record = only("--Enable_Warnings\n")
    assert isinstance(record, Command) and record.name == "enable_warnings"


def test_lines_of_two_characters_are_ignored() -> None:
    assert parse("--\n") == []


def test_echo_and_sorted_result_arguments_are_trimmed() -> None:
    records = parse("--echo    hello world   \n--sorted_result  \n")
    assert [(r.name, r.argument) for r in records if isinstance(r, Command)] == [
        ("echo", "hello world"), ("sorted_result", "")
    ]


def test_statement_starting_with_a_command_word_is_that_command() -> None:
    records = parse("connect (c1, localhost, root,, db);\nconnection c1;\necho x;\n")
    assert [(r.name, r.argument, r.style) for r in records if isinstance(r, Command)] == [
        ("connect", " (c1, localhost, root,, db);", "delimited"),
        ("connection", " c1;", "delimited"),
        ("echo", "x;", "delimited"),
    ]


def test_command_word_ends_at_a_parenthesis_or_the_delimiter() -> None:
    record = only("connect(c1,localhost,root,,);\n")
    assert isinstance(record, Command) and record.argument == "(c1,localhost,root,,);"


def test_sql_starting_with_a_command_word_is_swallowed() -> None:
    # `end if;` outside a delimiter block reads as the `end` command (mysql-tester skips it).
    record = only("end if;\n")
    assert isinstance(record, Command) and record.name == "end"


def test_query_command_keeps_the_blank_after_its_name() -> None:
    records = parse("query select 1;\n--query select 2\n--query\n")
    assert [(r.sql, r.delimiter) for r in records if isinstance(r, Query)] == [(" select 1", ";"), (" select 2", "")]


def test_every_command_name_is_known() -> None:
    for name in TESTER_COMMANDS:
        if name in ("delimiter", "query"):
            continue
        record = only(f"--{name} x\n")
        assert isinstance(record, Command) and record.name == name


def test_commands_carry_the_delimiter_in_force() -> None:
    records = parse("delimiter //\n--echo x\nconnection c1//\n")
    assert [r.delimiter for r in records if isinstance(r, Command)] == ["//", "//"]


# -- files ---------------------------------------------------------------------------------------------


def test_parse_file_picks_the_reader_by_dialect(tmp_path: Path) -> None:
    test = tmp_path / "a.test"
    test.write_bytes(b"select 1; select 2;\n")
    tester = profile_named("mysql-tester").read(test, display="a.test").records
    mysqltest = profile_named("mysqltest").read(test, display="a.test").records
    assert [r.source() for r in tester] == ["select 1; select 2;"]
    assert [r.source() for r in mysqltest] == ["select 1;", "select 2;"]
    assert str(tester[0].location) == "a.test:1"


def test_file_without_final_newline(tmp_path: Path) -> None:
    test = tmp_path / "a.test"
    test.write_bytes(b"select 1;\nselect 2;")
    assert [r.source() for r in profile_named("mysql-tester").read(test).records] == ["select 1;", "select 2;"]


def test_bytes_survive_reading(tmp_path: Path) -> None:
    test = tmp_path / "a.test"
    test.write_bytes("select 'é\u4e2d';\n".encode())
    record = profile_named("mysql-tester").read(test).records[0]
    assert isinstance(record, Query)
    assert record.sql.encode("latin-1") == "select 'é\u4e2d'".encode()
