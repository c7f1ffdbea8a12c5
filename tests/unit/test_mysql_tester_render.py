"""The mysql-tester result format, its --replace_regex (Go flavour) and its --error lists.

Expected texts come from mysql-tester's rules and from its own example (t/example.test and
r/example.result of pingcap/mysql-tester), not from running tidbrun.
"""

from __future__ import annotations

import re

import pytest

from runner import plugins
from runner.dialects.mysql_tester import commands as tester_directives
from runner.dialects.mysql_tester import errors as tester_errors
from runner.dialects.mysql_tester.go_regex import compile_go, expand_template, parse_go_replace_regex, replace_all
from runner.dialects.mysql_tester.reader import TESTER_COMMANDS
from runner.dialects.mysql_tester.renderer import MysqlTesterDialect
from runner.dialects.profile import MYSQL_TESTER, MYSQLTEST, profile_named
from runner.render.base import ErrorVerdict, View
from runner.render.transforms import Replacer, TransformError
from runner.sessions.driver import Column, Outcome, Result, Row, ServerError

DIALECT = MysqlTesterDialect()


def result_set(names: list[str], rows: list[Row]) -> Result:
    return Result([Column(name) for name in names], rows, len(rows))


def ok(affected: int = 0, info: str | None = None) -> Result:
    return Result(None, [], affected, info)


def view(**kwargs: object) -> View:
    regex = kwargs.pop("regex", None)
    kwargs.setdefault("warnings", False)
    v = View(**kwargs)  # type: ignore[arg-type]
    if regex is not None:
        v.replace = Replacer(parse_go_replace_regex(str(regex)))
    return v


def render(results: list[Result], v: View | None = None, warnings: list[tuple[str, str, str]] | None = None) -> str:
    return DIALECT.outcome(Outcome(results), warnings or [], v or view())


# -- statements and result sets -------------------------------------------------------------------------


def test_registered_under_its_name() -> None:
    assert isinstance(profile_named("mysql-tester").renderer(), MysqlTesterDialect)


def test_echo_is_the_statement_with_its_delimiter_never_replaced() -> None:
    v = view(regex="/select/SELECT/")
    assert DIALECT.statement("select 1", ";", v) == "select 1;\n"
    assert DIALECT.statement("end", "//", v) == "end//\n"


def test_result_set_is_header_and_tab_separated_rows() -> None:
    rows: list[Row] = [("1", "x"), ("2", None), ("3", "")]
    assert render([result_set(["a", "b"], rows)]) == "a\tb\n1\tx\n2\tNULL\n3\t\n"


def test_empty_result_set_is_its_header() -> None:
    assert render([result_set(["a", "b"], [])]) == "a\tb\n"


def test_ok_packets_print_nothing() -> None:
    assert render([ok(3)]) == ""


def test_every_result_set_has_its_header() -> None:
    # mysql-tester's multi_query test: CALL of a procedure with two SELECTs.
    results = [result_set(["1"], [("1",)]), result_set(["2", "3"], [("2", "3")]), ok()]
    assert render(results) == "1\n1\n2\t3\n2\t3\n"


def test_values_are_raw_bytes() -> None:
    assert render([result_set(["v"], [("a\tb\nc\r",)])]) == "v\na\tb\nc\r\n"


def test_result_log_off_hides_result_sets_only() -> None:
    v = view(result_log=False, info=True)
    assert render([result_set(["a"], [("1",)])], v) == "affected rows: 0\ninfo: \n"


def test_failed_statement_shows_no_partial_result() -> None:
    assert DIALECT.results([result_set(["a"], [("1",)])], view()) == ""


# -- sorted_result, replace_column, replace_regex ----------------------------------------------------------


def test_sorted_rows_are_in_byte_order_with_null_before_empty() -> None:
    rows: list[Row] = [("b",), ("",), ("\xe9",), (None,), ("B",), ("a",)]
    assert render([result_set(["c"], rows)], view(sorted=True)) == "c\nNULL\n\nB\na\nb\n\xe9\n"


def test_sorting_compares_cell_by_cell() -> None:
    rows: list[Row] = [("1", "b"), ("10", "a"), ("1", None), ("2", "a")]
    assert render([result_set(["x", "y"], rows)], view(sorted=True)) == "x\ty\n1\tNULL\n1\tb\n10\ta\n2\ta\n"


def test_replace_column_applies_after_sorting_and_skips_missing_columns() -> None:
    rows: list[Row] = [("2", "z"), ("1", "y")]
    v = view(sorted=True, replace_column={1: "<b>", 7: "never"})
    assert render([result_set(["a", "b"], rows)], v) == "a\tb\n1\t<b>\n2\t<b>\n"


def test_replace_regex_applies_to_cells_not_the_header() -> None:
    v = view(regex="/_[0-9]+/_<id>/")
    rows: list[Row] = [("IndexLookUp_7", "x_1")]
    assert render([result_set(["id_1", "b"], rows)], v) == "id_1\tb\nIndexLookUp_<id>\tx_<id>\n"


def test_replace_regex_turns_empty_cells_into_null() -> None:
    # Go's ReplaceAll returns nil for an empty result: TiDB's explain results recorded with a
    # replace_regex show NULL where the plain ones show an empty "access object".
    v = view(regex="/_[0-9]+/_<id>/")
    rows: list[Row] = [("TableReader_5", "", None)]
    assert render([result_set(["id", "access object", "x"], rows)], v) == (
        "id\taccess object\tx\nTableReader_<id>\tNULL\tNULL\n"
    )


def test_replace_regex_that_empties_a_cell_gives_null() -> None:
    assert render([result_set(["a"], [("abc",)])], view(regex="/abc//")) == "a\nNULL\n"


def test_replace_regex_matching_empty_replaces_null() -> None:
    assert render([result_set(["a"], [(None,)])], view(regex="/^$/none/")) == "a\nnone\n"


def test_replace_regex_does_not_see_the_text_null() -> None:
    assert render([result_set(["a"], [(None,)])], view(regex="/NULL/null/")) == "a\nNULL\n"


def test_replace_column_comes_before_replace_regex() -> None:
    v = view(regex="/x/y/", replace_column={0: "x"})
    assert render([result_set(["a"], [("1",)])], v) == "a\ny\n"


# -- info and warnings -----------------------------------------------------------------------------------


def test_info_lines_always_come_in_pairs() -> None:
    v = view(info=True)
    assert render([ok(1)], v) == "affected rows: 1\ninfo: \n"
    assert render([ok(3, "Records: 2  Duplicates: 1  Warnings: 0")], v) == (
        "affected rows: 3\ninfo: Records: 2  Duplicates: 1  Warnings: 0\n"
    )


def test_info_after_a_select_is_zero() -> None:
    assert render([result_set(["a"], [("1",), ("2",)])], view(info=True)) == "a\n1\n2\naffected rows: 0\ninfo: \n"


def test_info_message_is_only_read_from_the_final_ok_packet() -> None:
    results = [ok(2, "Records: 2  Duplicates: 0  Warnings: 0"), result_set(["a"], [("1",)])]
    assert render(results, view(info=True)) == "a\n1\naffected rows: 2\ninfo: \n"


WARNINGS = [("Warning", "8", "eight"), ("Warning", "1292", "b"), ("Note", "1105", "n"), ("Warning", "1292", "a")]


def test_warnings_are_a_sorted_table_with_header() -> None:
    assert render([ok()], view(warnings=True), WARNINGS) == (
        "Level\tCode\tMessage\nNote\t1105\tn\nWarning\t1292\ta\nWarning\t1292\tb\nWarning\t8\teight\n"
    )


def test_warnings_are_shown_without_the_result_log_but_not_when_disabled() -> None:
    assert render([ok()], view(warnings=True, result_log=False), WARNINGS[:1]) == (
        "Level\tCode\tMessage\nWarning\t8\teight\n"
    )
    assert render([ok()], view(), WARNINGS) == ""


def test_no_warnings_no_table() -> None:
    assert render([ok()], view(warnings=True), []) == ""


def test_warnings_go_through_replace_regex() -> None:
    v = view(warnings=True, regex="/evaluation failed: //")
    warnings = [("Warning", "1690", "evaluation failed: x")]
    assert render([ok()], v, warnings) == "Level\tCode\tMessage\nWarning\t1690\tx\n"


# -- errors ------------------------------------------------------------------------------------------------


NO_TABLE = ServerError(1146, "42S02", "Table 'example.NON_EXISTING_TABLE' doesn't exist")


def verdict(error_list: str, errno: int = 1146) -> ErrorVerdict:
    expected = tester_errors.TesterExpectedErrors.parse(error_list)
    assert expected.matches(errno, "")
    return ErrorVerdict(True, len(expected.codes), expected.first_is_success)


def test_error_line() -> None:
    assert DIALECT.error(NO_TABLE, verdict("1146"), view()) == (
        "Error 1146 (42S02): Table 'example.NON_EXISTING_TABLE' doesn't exist\n"
    )


def test_error_line_without_sqlstate_and_with_carriage_returns() -> None:
    error = ServerError(1105, "", "line\r\nnext")
    assert DIALECT.error(error, verdict("1105", 1105), view()) == "Error 1105: line\nnext\n"


def test_error_line_goes_through_replace_regex_prefix_included() -> None:
    v = view(regex="/Error [0-9]+/E/ /'[^']*'/<t>/")
    assert DIALECT.error(NO_TABLE, verdict("1146"), v) == "E (42S02): Table <t> doesn't exist\n"


@pytest.mark.parametrize(
    ("error_list", "shown"),
    [
        # mysql-tester's t/example.test and r/example.result
        ("ER_NO_SUCH_TABLE", "Error 1146 (42S02): Table 'example.NON_EXISTING_TABLE' doesn't exist\n"),
        ("0,ER_NO_SUCH_TABLE", ""),
        ("ER_NO_SUCH_TABLE,0", "Got one of the listed errors\n"),
        # t/extensions.test: an unknown name still counts as an item
        ("NON_EXISTING_ERROR,ER_NO_SUCH_TABLE", "Got one of the listed errors\n"),
        # TiDB's executor/delete: the same number twice is two items
        (" 1146, 1146", "Got one of the listed errors\n"),
        ("ErrNoSuchTable", "Error 1146 (42S02): Table 'example.NON_EXISTING_TABLE' doesn't exist\n"),
    ],
)
def test_listed_errors(error_list: str, shown: str) -> None:
    assert DIALECT.error(NO_TABLE, verdict(error_list), view()) == shown


def test_error_list_parsing() -> None:
    expected = tester_errors.TesterExpectedErrors.parse(" ER_PARSE_ERROR , 0")
    assert expected.codes == (1064, 0)
    assert expected.accepts_success and not expected.first_is_success
    assert tester_errors.TesterExpectedErrors.parse("0,1146").first_is_success
    assert not tester_errors.TesterExpectedErrors.parse("1146").accepts_success
    assert not tester_errors.TesterExpectedErrors.parse("00").accepts_success  # compared as text


def test_unknown_names_and_client_errors_never_match() -> None:
    assert not tester_errors.TesterExpectedErrors.parse("NO_SUCH_NAME").matches(1146, "42S02")
    assert tester_errors.TesterExpectedErrors.parse("NO_SUCH_NAME").unknown_names() == ["NO_SUCH_NAME"]
    assert not tester_errors.TesterExpectedErrors.parse("2013").matches(2013, "HY000")
    assert not tester_errors.TesterExpectedErrors.parse("S42S02").matches(1146, "42S02")  # no SQLSTATE items


def test_names_use_mysql_numbering() -> None:
    # MariaDB numbers this name 1971; MySQL (and TiDB, and mysql-tester's table) 3140.
    assert tester_errors.TesterExpectedErrors.parse("ER_INVALID_JSON_TEXT").codes == (3140,)


# -- the Go flavour of replace_regex ------------------------------------------------------------------------


def apply(argument: str, value: str) -> str:
    for rx in parse_go_replace_regex(argument):
        value = rx.apply(value)
    return value


def test_groups_are_split_on_unescaped_slashes_three_at_a_time() -> None:
    assert len(parse_go_replace_regex("/a/b/ /c/d/")) == 2
    assert len(parse_go_replace_regex("/a/b//c/d/")) == 2
    assert apply(r"/a\/b/c/", "xa/by") == "xcy"
    assert parse_go_replace_regex("") == ()
    with pytest.raises(TransformError):
        parse_go_replace_regex("/a/b")


def test_trailing_letters_are_not_flags() -> None:
    assert apply("/a/b/i", "aA") == "bA"


def test_template_references() -> None:
    assert apply("/(a)(b)/$2$1/", "ab") == "ba"
    assert apply("/(a)/${1}x/", "a") == "ax"
    assert apply("/(a)/$1x/", "a") == ""  # `$1x` names the group "1x"
    assert apply("/(?P<w>a)/<${w}>/", "a") == "<a>"
    assert apply("/a/$$/", "a") == "$"
    assert apply("/a/$/", "a") == "$"
    assert apply("/(a)/$9/", "a") == ""


def test_replacement_escapes() -> None:
    assert apply(r"/a/\t\n\//", "a") == "\t\n/"
    assert apply(r"/a/\\x/", "a") == "\\x"
    # A backslash right before a slash escapes it: a replacement cannot end with one.
    with pytest.raises(TransformError):
        parse_go_replace_regex(r"/a/\\/")


def test_empty_match_after_a_match_is_not_replaced() -> None:
    # Go: "-a-b-d-"; Python's re.sub would give "-a-b--d-".
    pattern = compile_go("x*")
    assert replace_all(pattern, "-", "abxd") == "-a-b-d-"
    assert re.sub("x*", "-", "abxd") == "-a-b--d-"


def test_dollar_is_the_end_of_the_text() -> None:
    assert apply("/a$/b/", "a\n") == "a\n"
    assert apply("/(?m)a$/b/", "a\n") == "b\n"


def test_dot_is_one_utf8_character() -> None:
    chinese = "\u4e2d".encode().decode("latin-1")  # three bytes
    assert apply("/^.$/one/", chinese) == "one"
    assert apply("/^.$/one/", "\xff") == "one"  # a stray byte is one character too


def test_perl_classes_are_ascii() -> None:
    e_acute = "é".encode().decode("latin-1")
    assert apply(r"/\w+/W/", f"a{e_acute}b") == f"W{e_acute}W"
    assert apply(r"/[[:digit:]]+/D/", "a12") == "aD"


def test_inline_flags_anywhere() -> None:
    assert apply("/a(?i)b/X/", "aB AB") == "X AB"
    assert apply("/(?i)a|b/X/", "AB") == "XX"


def test_octal_escape_is_a_character() -> None:
    assert apply(r"/\101/B/", "A") == "B"


@pytest.mark.parametrize("pattern", [r"(a)\1", "(?=a)", "(?<=a)b", "a*+", "a**", "(?>a)", r"\pL", "(", "a{1001}"])
def test_what_re2_rejects_is_rejected(pattern: str) -> None:
    with pytest.raises(TransformError):
        compile_go(pattern)


def test_literal_brace_that_starts_no_repeat() -> None:
    assert apply("/a{,2}/x/", "a{,2}") == "x"


def test_expand_unknown_named_group_is_empty() -> None:
    m = re.match("(a)", "a")
    assert m is not None
    assert expand_template("[$nope]", m) == "[]"


# -- the profile and the command table -----------------------------------------------------------------------


def test_profiles_by_name() -> None:
    assert profile_named("mysql-tester") is MYSQL_TESTER
    assert profile_named("mysqltest") is MYSQLTEST
    assert MYSQL_TESTER.database_for("planner/core/binary_plan") == "planner__core__binary_plan"
    assert MYSQLTEST.database_for("main/x") is None
    assert MYSQL_TESTER.toggle_defaults == {"warnings": False}


def test_every_command_mysql_tester_knows_has_an_entry() -> None:
    for name in TESTER_COMMANDS - {"query"}:
        assert tester_directives.lookup(name) is not None, name
    assert tester_directives.lookup("break") is None  # a mysqltest command mysql-tester lacks


def test_commands_mysql_tester_ignores_run_with_the_mysqltest_handlers() -> None:
    # mysql-tester skips these silently; tidbrun never does: it runs them (or fails).
    assert not MYSQL_TESTER.ignored_commands
    directives = plugins.current().directives
    for name in ("source", "sleep", "send", "replace_result", "exit"):
        entry = directives.lookup(name, MYSQL_TESTER.name)
        assert entry is not None and entry is directives.lookup(name, MYSQLTEST.name), name
    # and those it implements, with its own
    for name in ("echo", "connect", "sorted_result"):
        entry = directives.lookup(name, MYSQL_TESTER.name)
        assert entry is not None and entry is not directives.lookup(name, MYSQLTEST.name), name


def test_connection_setup_on_tidb_and_elsewhere() -> None:
    class FakeConnection:
        """Answers as a server without time zone tables, TiDB or not."""

        thread_id = 1

        def __init__(self, tidb: bool) -> None:
            self.tidb = tidb
            self.sent: list[str] = []

        def execute(self, sql: str) -> Outcome:
            self.sent.append(sql)
            if sql.startswith("SET NAMES") and ";" in sql:  # the one-round-trip attempt
                return Outcome([ok()], error=ServerError(1298, "HY000", "Unknown or incorrect time zone"))
            if "Asia/Shanghai" in sql:
                return Outcome(error=ServerError(1298, "HY000", "Unknown or incorrect time zone"))
            if sql == "SELECT tidb_version()" and not self.tidb:
                return Outcome(error=ServerError(1305, "42000", "FUNCTION tidb_version does not exist"))
            return Outcome([ok()])

        def close(self) -> None: ...

    for tidb in (False, True):
        conn = FakeConnection(tidb)
        MYSQL_TESTER.connection_setup.apply(conn)  # type: ignore[arg-type]
        # All in one round trip first; SET NAMES went through, the time zone did not.
        assert conn.sent[0].startswith("SET NAMES utf8mb4 COLLATE utf8mb4_general_ci;SET time_zone")
        assert conn.sent[1:4] == [
            "SET time_zone = 'Asia/Shanghai'",
            "SET time_zone = '+08:00'",
            "SELECT tidb_version()",
        ]
        assert ("SET @@tidb_max_chunk_size=32" in conn.sent) is tidb
