"""The reader of the mysqltest language: text in, records out (no server).

Expected values come from mysqltest's reader as measured in notes/formats.md §0, §1, §8, §10.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.errors import TestFileError as FileError
from runner.language.parser import parse_file, parse_text, read_test_text, to_format_v1
from runner.language.records import Block, Command, Location, Query, Record


def parse(text: str) -> list[Record]:
    return parse_text(text, "t.test").records


def only(text: str) -> Record:
    records = parse(text)
    assert len(records) == 1, records
    return records[0]


def query(text: str) -> Query:
    record = only(text)
    assert isinstance(record, Query), record
    return record


def command(text: str) -> Command:
    record = only(text)
    assert isinstance(record, Command), record
    return record


def block(text: str) -> Block:
    record = only(text)
    assert isinstance(record, Block), record
    return record


def parse_error(text: str) -> str:
    with pytest.raises(FileError) as info:
        parse_text(text, "t.test")
    return str(info.value)


def shape(records: list[Record]) -> list[object]:
    """A compact view: queries as ("Q", sql, delimiter), commands as (name, argument), blocks nested.

    `delimiter` records are left out: the reader has already applied them."""
    out: list[object] = []
    for r in records:
        if isinstance(r, Command) and r.name == "delimiter":
            continue
        if isinstance(r, Query):
            out.append(("Q", r.sql, r.delimiter))
        elif isinstance(r, Command):
            out.append((r.name, r.argument))
        elif isinstance(r, Block):
            out.append((r.kind, r.condition, shape(r.body)))
    return out


# -- comments and `--` commands ----------------------------------------------------------------


def test_hash_line_is_a_comment_even_with_a_delimiter_in_it() -> None:
    assert shape(parse("# c; select 9\nselect 1;\n")) == [("Q", "select 1", ";")]


@pytest.mark.parametrize("line", ["--echo x", "-- echo x", "--   echo x", "  --echo x"])
def test_dash_command_forms(line: str) -> None:
    cmd = command(line + "\n")
    assert (cmd.name, cmd.argument, cmd.style) == ("echo", "x", "dash")


def test_dash_command_takes_the_rest_of_the_line_including_semicolons_and_hashes() -> None:
    assert shape(parse("--echo a;b\n--echo x # not a comment\n--let $y = abc;\n")) == [
        ("echo", "a;b"),
        ("echo", "x # not a comment"),
        ("let", "$y = abc;"),
    ]


def test_dash_command_keeps_trailing_blanks_of_its_argument() -> None:
    assert command("--let $v = q  \n").argument == "$v = q  "


def test_dash_command_at_end_of_file_without_newline() -> None:
    assert shape(parse("--echo last")) == [("echo", "last")]


def test_command_names_are_case_insensitive() -> None:
    assert shape(parse("--ECHO hi\nEcho ho;\n")) == [("echo", "hi"), ("echo", "ho")]


def test_dash_reap_with_the_delimiter_glued_to_the_name() -> None:
    cmd = command("--reap;\n")
    assert (cmd.name, cmd.argument) == ("reap", "")


def test_dash_error_keeps_a_trailing_semicolon_in_its_argument() -> None:
    # mysqltest then rejects '1146;' as an error code (formats.md §10).
    assert command("--error 1146;\n").argument == "1146;"


def test_unknown_dash_command_is_an_error() -> None:
    assert parse_error("select 1;\n--frobnicate x\n") == (
        "t.test:2: '--frobnicate' is not a mysqltest command (use '#' for a comment)"
    )


def test_sql_after_dashes_is_an_error() -> None:
    assert parse_error("-- select 1\n") == "t.test:1: '--select' is not a mysqltest command (use '#' for a comment)"


def test_bare_dashes_are_an_error() -> None:
    assert parse_error("\n--\n") == (
        "t.test:2: a line starting with '--' must name a mysqltest command (use '#' for a comment)"
    )


def test_command_after_a_statement_on_the_same_line() -> None:
    records = parse("select 1; -- echo x\nselect 6; # c\n")
    assert shape(records) == [("Q", "select 1", ";"), ("echo", "x"), ("Q", "select 6", ";")]
    assert [r.location.line for r in records] == [1, 1, 2]


# -- delimited commands and statements -------------------------------------------------------


def test_two_statements_on_one_line() -> None:
    records = parse("select 7; select 8;\n")
    assert shape(records) == [("Q", "select 7", ";"), ("Q", "select 8", ";")]
    assert [r.location.line for r in records] == [1, 1]


def test_statement_keeps_blanks_before_the_delimiter_and_drops_leading_ones() -> None:
    assert query("   select   2   as x   ;  \n").sql == "select   2   as x   "


def test_delimited_command_ends_at_the_delimiter() -> None:
    cmd = command("let $z = def ;\n")
    assert (cmd.name, cmd.argument, cmd.style, cmd.delimiter) == ("let", "$z = def ", "delimited", ";")


def test_first_word_stops_at_the_delimiter() -> None:
    assert shape(parse("echo;\nexit;\n")) == [("echo", ""), ("exit", "")]


def test_query_command_becomes_a_statement() -> None:
    q = query("query select 12;\n")
    assert (q.sql, q.delimiter) == ("select 12", ";")


def test_unknown_first_word_is_sql() -> None:
    assert shape(parse("SELECT 1;\nfrobnicate 2;\n")) == [("Q", "SELECT 1", ";"), ("Q", "frobnicate 2", ";")]


def test_connect_name_followed_by_parenthesis() -> None:
    records = parse("connect (con1,localhost,root,,);\n--connect(con5,localhost,root,,)\n")
    assert shape(records) == [("connect", "(con1,localhost,root,,)"), ("connect", "(con5,localhost,root,,)")]
    first = records[0]
    assert isinstance(first, Command) and first.text == "connect (con1,localhost,root,,)"


def test_unterminated_statement_is_an_error() -> None:
    assert parse_error("select 1;\nselect 5\n") == (
        "t.test:2: statement is not terminated by the delimiter ';' before the end of the file"
    )


def test_line_numbers_skip_blank_lines_and_comments() -> None:
    records = parse("\n\n# c\nselect 1;\n\n--echo x\nselect\n2;\n")
    assert [r.location.line for r in records] == [4, 6, 7]


# -- multi-line statements: result format v1 --------------------------------------------------


def test_continuation_lines_lose_leading_blanks_and_hash_lines_stay() -> None:
    text = "select 3,\n    4,\n# a hash comment inside\n\t5;\n"
    assert query(text).sql == "select 3,\n4,\n# a hash comment inside\n5"


def test_blank_lines_inside_a_statement_vanish() -> None:
    assert query("select 20\n\n  , 21;\n").sql == "select 20\n, 21"


def test_trailing_blanks_of_each_line_are_kept() -> None:
    assert query("select 1,   \n   2   ,\t\n\t3 as x;\n").sql == "select 1,   \n2   ,\t\n3 as x"


def test_line_after_a_closing_quote_keeps_its_indentation() -> None:
    assert query("select `x`\n   from t;\n").sql == "select `x`\n   from t"
    assert query("select 'x'\n  , 'y';\n").sql == "select 'x'\n  , 'y'"


def test_newlines_inside_a_string_are_kept_verbatim() -> None:
    assert query('select "a\n   b" as q,\n   2;\n').sql == 'select "a\n   b" as q,\n2'


def test_delimiter_on_its_own_line() -> None:
    assert query("select 5\n;\n").sql == "select 5\n"


def test_to_format_v1_directly() -> None:
    assert to_format_v1("one line  ") == "one line  "
    assert to_format_v1("a\n  b\n\n\t c") == "a\nb\nc"
    assert to_format_v1("a  \n  b") == "a  \nb"
    assert to_format_v1("'q'\n  x") == "'q'\n  x"


# -- quotes and backslashes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sql"),
    [
        ("select 'a;b';\n", "select 'a;b'"),
        ('select "a;b";\n', 'select "a;b"'),
        ("select `a;b`;\n", "select `a;b`"),
        ("select 'it\\'s;' ;\n", "select 'it\\'s;' "),
        ('select "a\\";b" ;\n', 'select "a\\";b" '),
        ("select 'a\\\\';\n", "select 'a\\\\'"),
    ],
)
def test_delimiter_inside_quotes_does_not_end_the_statement(text: str, sql: str) -> None:
    assert query(text).sql == sql


def test_backslash_does_not_escape_inside_backticks() -> None:
    # MDEV-13187: `a\` is a complete identifier, so the ';' after it ends the statement.
    assert query("select `a\\` as x;\n").sql == "select `a\\` as x"


def test_backslash_outside_quotes_keeps_a_quote_from_opening() -> None:
    assert query("select \\'x;\n").sql == "select \\'x"


def test_quote_opened_in_let_swallows_the_following_lines() -> None:
    # `let $s = it's;` in the ';' form: the quote runs on to the end of the file (formats.md §8).
    assert "not terminated by the delimiter" in parse_error("let $s = it's;\n--echo x\n")
    assert command("--let $s = it's\n").argument == "$s = it's"


def test_backtick_query_in_let_may_hold_the_delimiter() -> None:
    assert command("let $a = `select 1;`;\n").argument == "$a = `select 1;`"


# -- delimiter changes ----------------------------------------------------------------------------


def test_delimiter_command_changes_the_statement_end() -> None:
    result = parse_text("delimiter //;\nselect 1; select 2//\ndelimiter ;//\nselect 3;\n", "t.test")
    assert shape(result.records) == [("Q", "select 1; select 2", "//"), ("Q", "select 3", ";")]
    assert [r.location.line for r in result.records if isinstance(r, Query)] == [2, 4]
    assert result.delimiter == ";"


def test_dash_delimiter_and_delimiter_in_force_at_the_end() -> None:
    result = parse_text("--delimiter //\nselect 10 //\n--echo x\nselect 11//\n", "t.test")
    assert shape(result.records) == [("Q", "select 10 ", "//"), ("echo", "x"), ("Q", "select 11", "//")]
    assert result.delimiter == "//"


def test_commands_remember_the_delimiter_they_were_read_with() -> None:
    records = parse("delimiter |;\n--echo a\necho b|\ndelimiter ;|\n")
    assert [r.delimiter for r in records if isinstance(r, Command) and r.name == "echo"] == ["|", "|"]


def test_delimiter_is_kept_as_a_record_so_that_running_it_ends_a_pending_error() -> None:
    records = parse("--error 1\ndelimiter |;\nselect 1|\n")
    assert [(r.name, r.argument) for r in records if isinstance(r, Command)] == [("error", "1"), ("delimiter", "|")]


def test_procedure_body_with_semicolons_under_another_delimiter() -> None:
    text = "delimiter |;\ncreate procedure p1()\nbegin\n  select 1;\n  select 2;\nend|\ndelimiter ;|\n"
    assert shape(parse(text)) == [("Q", "create procedure p1()\nbegin\nselect 1;\nselect 2;\nend", "|")]


def test_parse_text_starts_with_a_given_delimiter() -> None:
    result = parse_text("select 1//\n", "inc.inc", delimiter="//")
    assert shape(result.records) == [("Q", "select 1", "//")]


@pytest.mark.parametrize("text", ["delimiter ;\n", "--delimiter\n", "delimiter\n;"])
def test_empty_delimiter_is_an_error(text: str) -> None:
    assert parse_error(text) == "t.test:1: delimiter needs a value: 'delimiter //;' or '--delimiter //'"


def test_too_long_delimiter_is_an_error() -> None:
    assert parse_error("--delimiter " + "x" * 17 + "\n") == "t.test:1: delimiter longer than 16 characters"


# -- if / while blocks ----------------------------------------------------------------------------


def test_if_with_brace_on_the_same_line() -> None:
    b = block("if ($a) {\n--echo x\n}\n")
    assert (b.kind, b.condition, shape(b.body)) == ("if", "$a", [("echo", "x")])
    assert b.location.line == 1
    assert b.end is not None and b.end.line == 3


def test_while_with_brace_on_the_next_line() -> None:
    b = block("while ($i < 3)\n{\n  inc $i;\n}\n")
    assert (b.kind, b.condition, shape(b.body)) == ("while", "$i < 3", [("inc", "$i")])


def test_dash_if_with_brace_on_the_same_line() -> None:
    b = block("--if ($a) {\n--echo y\n}\n")
    assert (b.kind, b.condition, shape(b.body)) == ("if", "$a", [("echo", "y")])


def test_nested_blocks() -> None:
    text = (
        "if ($a) {\n  while ($b < 3) {\n    inc $b;\n    if ($b == 2)\n    {\n      --echo two\n    }\n  }\n}\n"
        "--echo after\n"
    )
    assert shape(parse(text)) == [
        ("if", "$a", [("while", "$b < 3", [("inc", "$b"), ("if", "$b == 2", [("echo", "two")])])]),
        ("echo", "after"),
    ]


def test_closing_brace_is_found_at_line_start_after_blanks() -> None:
    assert shape(parse("if ($a) {\n   }   \n--echo after\n")) == [("if", "$a", []), ("echo", "after")]


def test_braces_inside_strings_do_not_close_blocks() -> None:
    assert shape(parse("if ($a) {\nselect '}';\n}\n")) == [("if", "$a", [("Q", "select '}'", ";")])]


def test_condition_keeps_inner_parentheses_and_backticks() -> None:
    assert block("if (`select (1) = 1`) {\n}\n").condition == "`select (1) = 1`"


def test_end_command_closes_a_block() -> None:
    b = block("if ($a) {\n--echo x\n--end\n")
    assert shape(b.body) == [("echo", "x")]


def test_a_dash_line_of_a_closing_brace_closes_a_block() -> None:
    # mariadb-test reads `-- }` and `--}` as `}` (include/innodb_trx_weight.inc).
    assert shape(parse("while ($a) {\n--echo x\n-- }\nif ($b) {\n--}\n--echo after\n")) == [
        ("while", "$a", [("echo", "x")]),
        ("if", "$b", []),
        ("echo", "after"),
    ]


def test_unterminated_block_is_an_error() -> None:
    assert parse_error("select 1;\nif ($a) {\n--echo x\n") == "t.test:2: 'if' block is never closed (missing '}')"


def test_one_line_block_is_never_closed() -> None:
    # The '}' must start its own line (formats.md §8).
    assert parse_error("if ($a) { --echo x }\n") == "t.test:1: 'if' block is never closed (missing '}')"


def test_unmatched_closing_brace_is_an_error() -> None:
    assert parse_error("select 1;\n  }\n") == "t.test:2: '}' closes a block that was never opened"


def test_dash_while_without_a_brace_is_an_error() -> None:
    assert parse_error("--while ($a)\n--echo nope\n}\n") == "t.test:1: 'while' needs a '{' to open its block"


def test_condition_without_parentheses_is_an_error() -> None:
    assert parse_error("if $a {\n}\n") == "t.test:1: 'if' needs a condition in parentheses: if (<expr>)"


def test_junk_after_the_condition_is_an_error() -> None:
    assert parse_error("while ($a) junk {\n}\n") == "t.test:1: unexpected text after the 'while' condition: 'junk'"


# -- heredocs: write_file, append_file, perl --------------------------------------------------


def test_write_file_body_is_verbatim_up_to_eof() -> None:
    records = parse("write_file $MYSQL_TMP_DIR/a.txt;\n  line1\n\tline2\n$X stays\nEOF\n--echo after\n")
    first, second = records
    assert isinstance(first, Command)
    assert (first.name, first.argument, first.body, first.terminator) == (
        "write_file",
        "$MYSQL_TMP_DIR/a.txt",
        "  line1\n\tline2\n$X stays\n",
        "EOF",
    )
    assert isinstance(second, Command) and second.location.line == 6


def test_write_file_with_a_custom_terminator() -> None:
    records = parse("--write_file a.txt END_MARK\nEOF inside\nEND_MARK\n--echo after\n")
    assert isinstance(records[0], Command)
    assert (records[0].body, records[0].terminator) == ("EOF inside\n", "END_MARK")
    assert shape(records[1:]) == [("echo", "after")]
    assert records[1].location.line == 4


def test_append_file_and_an_empty_body() -> None:
    cmd = command("append_file a.txt;\nEOF\n")
    assert (cmd.name, cmd.body) == ("append_file", "")


def test_heredoc_body_may_contain_delimiters_and_block_braces() -> None:
    cmd = command("--write_file a.txt\nselect 1;\n}\n--not a command\nEOF\n")
    assert cmd.body == "select 1;\n}\n--not a command\n"


@pytest.mark.parametrize(
    ("text", "terminator", "body"),
    [
        ('perl;\nprint "hi\\n";\nEOF\n', "EOF", 'print "hi\\n";\n'),
        ("--perl\nprint 1;\nEOF\n", "EOF", "print 1;\n"),
        ("--perl FOO\nprint 1;\nFOO\n", "FOO", "print 1;\n"),
        ("perl END;\nprint 2;\nEND\n", "END", "print 2;\n"),
    ],
)
def test_perl_heredoc(text: str, terminator: str, body: str) -> None:
    cmd = command(text)
    assert (cmd.name, cmd.terminator, cmd.body) == ("perl", terminator, body)


def test_heredoc_without_terminator_is_an_error() -> None:
    assert parse_error("write_file a.txt;\nno end") == "t.test:1: write_file: end of file before the terminator 'EOF'"


def test_heredoc_with_text_after_the_command_is_an_error() -> None:
    assert parse_error("write_file a.txt; junk\nEOF\n") == (
        "t.test:1: trailing characters after write_file on the same line"
    )


def test_write_file_needs_a_name() -> None:
    assert parse_error("write_file;\nEOF\n") == "t.test:1: write_file needs a file name"


def test_heredoc_source_round_trip() -> None:
    cmd = command("--write_file a.txt END\nbody\nEND\n")
    assert cmd.source() == "--write_file a.txt END\nbody\nEND"


# -- disable_parsing ----------------------------------------------------------------------------


def test_disable_parsing_drops_everything_up_to_enable_parsing() -> None:
    text = "--disable_parsing\nfoo bar;\ndelimiter //;\nif ($x) {\n}\n}\n--enable_parsing\nselect 2;\n"
    records = parse(text)
    assert shape(records) == [("Q", "select 2", ";")]
    assert records[0].location.line == 8


def test_disable_parsing_still_rejects_unknown_dash_commands() -> None:
    # mysqltest classifies a `--` line before it checks whether parsing is disabled.
    assert parse_error("--disable_parsing\n--blah\n--enable_parsing\n").startswith("t.test:2: '--blah'")


# -- locations and the include chain ----------------------------------------------------------------


def test_location_describe_with_include_chain() -> None:
    outer = Location("main.test", 3)
    middle = Location("a.inc", 5, outer)
    inner = Location("b.inc", 7, middle)
    assert str(inner) == "b.inc:7"
    assert inner.describe() == "b.inc:7 (sourced from a.inc:5) (sourced from main.test:3)"
    assert inner.root() == outer


def test_parse_text_with_parent_location() -> None:
    parent = Location("main.test", 2)
    records = parse_text("\nselect 1;\n", "x.inc", parent=parent).records
    assert records[0].location == Location("x.inc", 2, parent)


def test_parse_file_error_carries_the_include_chain(tmp_path: Path) -> None:
    inc = tmp_path / "bad.inc"
    inc.write_text("--echo ok\n--frobnicate\n")
    parent = Location("main.test", 4)
    with pytest.raises(FileError) as info:
        parse_file(inc, parent=parent)
    assert str(info.value) == (
        f"{inc}:2 (sourced from main.test:4): '--frobnicate' is not a mysqltest command (use '#' for a comment)"
    )


def test_parse_file_uses_display_name_and_reads_bytes_as_latin1(tmp_path: Path) -> None:
    test = tmp_path / "x.test"
    test.write_bytes(b"select '\xc3\xa9';\r\n--echo \xff\r\n")
    records = parse_file(test, display="x.test").records
    assert shape(records) == [("Q", "select '\xc3\xa9'", ";"), ("echo", "\xff")]
    assert records[0].location == Location("x.test", 1)
    assert read_test_text(test) == "select '\xc3\xa9';\n--echo \xff\n"


def test_parse_file_of_a_missing_file(tmp_path: Path) -> None:
    parent = Location("main.test", 9)
    with pytest.raises(FileError) as info:
        parse_file(tmp_path / "nosuch.inc", parent=parent)
    assert str(info.value).startswith("main.test:9: cannot read ")
    assert "nosuch.inc" in str(info.value)


def test_parse_file_starts_with_the_parents_delimiter(tmp_path: Path) -> None:
    inc = tmp_path / "d.inc"
    inc.write_text("select 1//\n--delimiter ;\n")
    result = parse_file(inc, delimiter="//")
    assert shape(result.records) == [("Q", "select 1", "//")]
    assert result.delimiter == ";"


def test_query_and_command_source_round_trip() -> None:
    records = parse("select 1 ;\n--echo x\nlet $a = 1;\n")
    assert [r.source() for r in records] == ["select 1 ;", "--echo x", "let $a = 1;"]
