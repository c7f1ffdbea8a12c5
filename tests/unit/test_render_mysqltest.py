"""The mysqltest result dialect: how statements, result sets, warnings and errors are written.

Expected texts are mariadb-test 10.11's, as measured in notes/formats.md §1 to §5.
"""

from __future__ import annotations

from runner.dialects.mysqltest.renderer import METADATA_HEADER, MysqltestDialect
from runner.render.base import ErrorVerdict, View
from runner.render.transforms import Replacer, parse_replace_column, parse_replace_regex, parse_replace_result
from runner.sessions.driver import Column, Outcome, Result, Row, ServerError

D = MysqltestDialect()
NO_SUCH_TABLE = ServerError(1146, "42S02", "Table 'test.nosuch' doesn't exist")


def rs(names: list[str], rows: list[Row], **kw: object) -> Result:
    return Result([Column(n) for n in names], rows, **kw)  # type: ignore[arg-type]


def ok(affected: int = 0, info: str | None = None) -> Result:
    return Result(None, [], affected_rows=affected, info=info)


def out(*results: Result, view: View | None = None, warnings: list[tuple[str, str, str]] | None = None) -> str:
    return D.outcome(Outcome(list(results), warning_count=len(warnings or [])), warnings, view or View())


def replacing(regex: str | None = None, result: str | None = None) -> Replacer:
    return Replacer(
        parse_replace_regex(regex) if regex else (),
        parse_replace_result(result) if result else None,
    )


# -- statement echo -----------------------------------------------------------------------------


def test_statement_echo_appends_the_delimiter() -> None:
    assert D.statement("select 1 ", ";", View()) == "select 1 ;\n"
    assert D.statement("select 10 ", "//", View()) == "select 10 //\n"
    assert D.statement("select 3,\n4", ";", View()) == "select 3,\n4;\n"


def test_statement_echo_is_replaced() -> None:
    view = View(replace=replacing(result="t1 T_ONE"))
    assert D.statement("select b as t1_col from t1", ";", view) == "select b as T_ONE_col from T_ONE;\n"


# -- result sets -----------------------------------------------------------------------------------


def test_header_and_rows_tab_separated() -> None:
    assert out(rs(["a", "b"], [("1", "x"), ("2", "y")])) == "a\tb\n1\tx\n2\ty\n"


def test_null_empty_string_and_raw_values() -> None:
    text = out(rs(["a", "", "c", "d"], [(None, "", "a\tb\nc", "\xc0\xff\x00")]))
    assert text == "a\t\tc\td\nNULL\t\ta\tb\nc\t\xc0\xff\x00\n"


def test_empty_result_set_prints_its_header() -> None:
    assert out(rs(["a", "b"], [])) == "a\tb\n"


def test_ok_without_result_set_prints_nothing() -> None:
    assert out(ok(3)) == ""


def test_several_result_sets_in_order() -> None:
    text = out(rs(["one"], [("1",)]), rs(["two"], [("2",)]), rs(["a"], []), ok())
    assert text == "one\n1\ntwo\n2\na\n"


def test_result_log_off_prints_nothing() -> None:
    view = View(result_log=False)
    assert out(rs(["a"], [("1",)]), view=view, warnings=[("Note", "1051", "x")]) == ""
    assert D.results([rs(["a"], [("1",)])], view) == ""


def test_column_names_off_drops_the_header() -> None:
    assert out(rs(["a", "b"], [("1", "2")]), view=View(column_names=False)) == "1\t2\n"


def test_results_before_an_error() -> None:
    assert D.results([rs(["x"], [("1",)]), ok()], View()) == "x\n1\n"


# -- enable_info -------------------------------------------------------------------------------------


def test_info_lines_follow_each_result() -> None:
    view = View(info=True)
    assert out(ok(3, "Records: 3  Duplicates: 0  Warnings: 0"), view=view) == (
        "affected rows: 3\ninfo: Records: 3  Duplicates: 0  Warnings: 0\n"
    )
    assert out(ok(1), view=view) == "affected rows: 1\n"
    assert out(rs(["a"], [("1",), ("2",)], affected_rows=2), view=view) == "a\n1\n2\naffected rows: 2\n"


def test_info_and_warnings_order_for_a_call() -> None:
    view = View(info=True)
    text = out(
        rs(["one"], [("1",)], affected_rows=1),
        rs(["two"], [("2",)], affected_rows=1),
        ok(0),
        view=view,
        warnings=[("Note", "1051", "Unknown table 'test.nosuch2'")],
    )
    assert text == (
        "one\n1\naffected rows: 1\ntwo\n2\naffected rows: 1\naffected rows: 0\n"
        "Warnings:\nNote\t1051\tUnknown table 'test.nosuch2'\n"
    )


# -- warnings -------------------------------------------------------------------------------------------


def test_warnings_block_without_header() -> None:
    text = out(ok(), warnings=[("Note", "1051", "Unknown table 'test.nosuch'")])
    assert text == "Warnings:\nNote\t1051\tUnknown table 'test.nosuch'\n"


def test_warnings_come_after_the_rows() -> None:
    text = out(rs(["a"], [("1",)]), warnings=[("Warning", "1292", "w1"), ("Warning", "1292", "w2")])
    assert text == "a\n1\nWarnings:\nWarning\t1292\tw1\nWarning\t1292\tw2\n"


def test_warnings_off() -> None:
    assert out(ok(), view=View(warnings=False), warnings=[("Note", "1051", "x")]) == ""


def test_warnings_are_replaced() -> None:
    view = View(replace=replacing(regex="/nosuch/NS/"))
    assert out(ok(), view=view, warnings=[("Note", "1051", "Unknown table 'test.nosuch'")]) == (
        "Warnings:\nNote\t1051\tUnknown table 'test.NS'\n"
    )


# -- vertical ---------------------------------------------------------------------------------------------


def test_vertical_rows_are_name_tab_value_without_padding() -> None:
    view = View(vertical=True)
    assert out(rs(["x", "yy"], [("1", None)]), view=view) == "x\t1\nyy\tNULL\n"
    assert out(rs(["a", "b"], [("1", "2"), ("3", "4")]), view=view) == "a\t1\nb\t2\na\t3\nb\t4\n"


def test_vertical_empty_result_prints_nothing() -> None:
    assert out(rs(["a", "b"], []), view=View(vertical=True)) == ""


def test_vertical_with_replace_column_and_replace() -> None:
    view = View(vertical=True, replace_column=parse_replace_column("1 X"), replace=replacing(result="b B"))
    assert out(rs(["a", "b"], [("1", "b")]), view=view) == "a\tX\nb\tB\n"


# -- replacements in result sets ----------------------------------------------------------------------------


def test_replace_applies_to_names_and_each_value_separately() -> None:
    view = View(replace=replacing(regex="/^/X/"))
    assert out(rs(["a", "b"], [("b", "3")]), view=view) == "Xa\tXb\nXb\tX3\n"


def test_regex_anchors_per_field() -> None:
    view = View(replace=replacing(regex="/^a.*e$/X/"))
    assert out(rs(["v", "w"], [("apple pie", "pie")]), view=view) == "v\tw\nX\tpie\n"


def test_null_is_replaced_as_the_string_null() -> None:
    view = View(replace=replacing(result="NULL none"))
    assert out(rs(["a"], [(None,)]), view=view) == "a\nnone\n"


def test_replace_column_replaces_whole_values_including_null_but_not_the_header() -> None:
    view = View(replace_column=parse_replace_column("1 X 3 Y"))
    assert out(rs(["a", "b", "c"], [("1", "2", None), ("4", "5", "6")]), view=view) == "a\tb\tc\nX\t2\tY\nX\t5\tY\n"


def test_replace_column_beyond_the_row_is_ignored() -> None:
    view = View(replace_column=parse_replace_column("5 X"))
    assert out(rs(["a"], [("1",)]), view=view) == "a\n1\n"


def test_replace_column_comes_before_replace_result() -> None:
    view = View(replace_column=parse_replace_column("1 same"), replace=replacing(result="same SAME"))
    assert out(rs(["a"], [("1",)]), view=view) == "a\nSAME\n"


# -- sorted_result -----------------------------------------------------------------------------------------


def test_sorted_keeps_the_header_first_and_sorts_bytewise() -> None:
    rows: list[Row] = [("b",), ("B",), ("",), (None,), ("_",), ("a",), ("10",), ("2",)]
    assert out(rs(["a"], rows), view=View(sorted=True)) == "a\n\n10\n2\nB\nNULL\n_\na\nb\n"


def test_sorted_without_column_names_sorts_all_lines() -> None:
    assert out(rs(["z"], [("y",), ("a",)]), view=View(sorted=True, column_names=False)) == "a\ny\n"


def test_sorted_splits_values_holding_a_newline() -> None:
    assert out(rs(["v"], [("b\na",), ("c",)]), view=View(sorted=True)) == "v\na\nb\nc\n"


def test_sorted_per_result_set() -> None:
    text = out(rs(["z"], [("z",), ("y",)]), rs(["c"], [("c",), ("b",)]), view=View(sorted=True))
    assert text == "z\ny\nz\nc\nb\nc\n"


def test_sorted_leaves_info_after_the_rows_and_sorts_warnings_among_themselves() -> None:
    view = View(sorted=True, info=True)
    text = out(
        rs(["a"], [("zeta",), ("x1",)], affected_rows=2),
        view=view,
        warnings=[
            ("Warning", "1292", "Truncated incorrect DOUBLE value: 'zz'"),
            ("Warning", "1292", "Truncated incorrect DOUBLE value: 'aa'"),
        ],
    )
    assert text == (
        "a\nx1\nzeta\naffected rows: 2\nWarnings:\n"
        "Warning\t1292\tTruncated incorrect DOUBLE value: 'aa'\n"
        "Warning\t1292\tTruncated incorrect DOUBLE value: 'zz'\n"
    )


def test_sorted_vertical_sorts_all_lines_together() -> None:
    view = View(sorted=True, vertical=True)
    assert out(rs(["b", "a"], [("2", "9"), ("1", "8")]), view=view) == "a\t8\na\t9\nb\t1\nb\t2\n"


def test_sorting_happens_after_replacement() -> None:
    view = View(sorted=True, replace=replacing(result="apple zzz"))
    assert out(rs(["b"], [("apple",), ("banana",)]), view=view) == "b\nbanana\nzzz\n"


def test_sorted_keeps_the_metadata_block_first() -> None:
    meta = ("def", "", "", "", "a", "a", 8, 1, 253, 1, 0)
    result = Result([Column("a", meta)], [("b",), ("a",)])
    text = out(result, view=View(sorted=True, metadata=True))
    assert text.startswith(METADATA_HEADER)
    assert text.endswith("a\na\nb\n")


# -- metadata ------------------------------------------------------------------------------------------------


def test_metadata_lines() -> None:
    # Column.meta: (catalog, db, table, org_table, name, org_name, charsetnr, length, type, flags, decimals)
    columns = [
        Column("x", (b"def", b"test", b"tt", b"t1", b"x", b"a", 63, 11, 3, 32768, 0)),
        Column("b", ("def", "test", "tt", "t1", "b", "b", 8, 10, 253, 0, 0)),
        Column("lit", ("def", "", "", "", "lit", "", 63, 1, 3, 32897, 0)),
    ]
    result = Result(columns, [("1", "abc", "1"), ("22", None, "1")])
    text = out(result, view=View(metadata=True))
    assert text == (
        METADATA_HEADER
        + "def\ttest\tt1\ttt\ta\tx\t3\t11\t2\tY\t32768\t0\t63\n"
        + "def\ttest\tt1\ttt\tb\tb\t253\t10\t3\tY\t0\t0\t8\n"
        + "def\t\t\t\t\tlit\t3\t1\t1\tN\t32897\t0\t63\n"
        + "x\tb\tlit\n1\tabc\t1\n22\tNULL\t1\n"
    )


def test_metadata_header_text() -> None:
    assert METADATA_HEADER == (
        "Catalog\tDatabase\tTable\tTable_alias\tColumn\tColumn_alias\tType\tLength\tMax length\t"
        "Is_null\tFlags\tDecimals\tCharsetnr\n"
    )


def test_metadata_max_length_of_an_empty_result_is_zero() -> None:
    result = Result([Column("n", ("def", "", "", "", "n", "", 63, 0, 6, 32896, 0))], [])
    assert out(result, view=View(metadata=True)) == METADATA_HEADER + "def\t\t\t\t\tn\t6\t0\t0\tY\t32896\t0\t63\nn\n"


# -- errors --------------------------------------------------------------------------------------------------


def test_expected_error_with_one_code() -> None:
    assert D.error(NO_SUCH_TABLE, ErrorVerdict(True, 1, False), View()) == (
        "ERROR 42S02: Table 'test.nosuch' doesn't exist\n"
    )


def test_expected_error_from_a_list() -> None:
    assert D.error(NO_SUCH_TABLE, ErrorVerdict(True, 2, False), View()) == "Got one of the listed errors\n"


def test_expected_error_from_a_list_starting_with_zero_prints_nothing() -> None:
    assert D.error(NO_SUCH_TABLE, ErrorVerdict(True, 2, True), View()) == ""


def test_unexpected_error_with_abort_on_error_off() -> None:
    assert D.error(NO_SUCH_TABLE, ErrorVerdict(False, 0, False), View()) == (
        "ERROR 42S02: Table 'test.nosuch' doesn't exist\n"
    )


def test_error_with_result_log_off_prints_nothing() -> None:
    assert D.error(NO_SUCH_TABLE, ErrorVerdict(True, 1, False), View(result_log=False)) == ""


def test_error_state_and_message_are_replaced_separately() -> None:
    view = View(replace=replacing(regex="/Table/TABLE/ /nosuch/NS/ /^42/XX/"))
    assert D.error(NO_SUCH_TABLE, ErrorVerdict(True, 1, False), view) == "ERROR XXS02: TABLE 'test.NS' doesn't exist\n"


def test_error_is_not_sorted_nor_column_replaced() -> None:
    view = View(sorted=True, replace_column=parse_replace_column("1 X"))
    assert D.error(NO_SUCH_TABLE, ErrorVerdict(True, 1, False), view) == (
        "ERROR 42S02: Table 'test.nosuch' doesn't exist\n"
    )


def test_server_gone_away_shows_six_zeros() -> None:
    gone = ServerError(2006, "000000", "MariaDB server has gone away")
    assert D.error(gone, ErrorVerdict(True, 1, False), View()) == "ERROR 000000: MariaDB server has gone away\n"


def test_warnings_header_even_when_show_warnings_returns_no_rows() -> None:
    # max_error_count=0: the statement has warnings, SHOW WARNINGS lists none; mysqltest prints
    # the header anyway (measured on warnings.test).
    assert out(ok(), warnings=[]) == "Warnings:\n"
