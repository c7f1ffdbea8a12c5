import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest


def _load_lib() -> ModuleType:
    # tools/ is a folder of scripts, not a package (see test_error_names.py).
    path = Path(__file__).resolve().parents[2] / "tools" / "conformance_lib.py"
    spec = importlib.util.spec_from_file_location("conformance_lib", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


lib = _load_lib()


# ------------------------------------------------------------------ reference verdicts


@pytest.mark.parametrize(
    ("code", "verdict"),
    [(0, "pass"), (1, "fail"), (62, "skip"), (-11, "error"), (2, "error")],
)
def test_reference_exit_codes(code, verdict):
    assert lib.reference_verdict(code, "", "", timed_out=False)[0] == verdict


def test_reference_timeout_wins_over_exit_code():
    assert lib.reference_verdict(None, "", "", timed_out=True) == ("timeout", "")


def test_reference_failure_message_is_the_at_line_line():
    stderr = (
        "mariadb-test: Error on delete of '/v/tmp/data.txt' (Errcode: 2)\n"
        "mysqltest: At line 12: query 'select * from t9' failed: 1146: Table 'test.t9' doesn't exist\n"
        "\nThe result from queries just before the failure was:\nselect 1;\n"
    )
    verdict, message = lib.reference_verdict(1, "", stderr, timed_out=False)
    assert verdict == "fail"
    assert message == "At line 12: query 'select * from t9' failed: 1146: Table 'test.t9' doesn't exist"


def test_reference_multi_line_query_message_stops_before_the_output_tail():
    stderr = (
        "mysqltest: At line 3: query 'with recursive\nx as (select 1)' failed: 1064: syntax\n"
        "\nThe result from queries just before the failure was:\nselect 1;\n"
    )
    message = lib.reference_verdict(1, "", stderr, timed_out=False)[1]
    assert message == "At line 3: query 'with recursive\nx as (select 1)' failed: 1064: syntax"


def test_reference_result_mismatch_message():
    stderr = "--- a.result\n+++ a.reject\n@@ -1,2 +1,2 @@\n-x\n+y\n\nResult length mismatch\n"
    assert lib.reference_verdict(1, "", stderr, timed_out=False) == ("fail", "Result length mismatch")


def test_reference_skip_reason():
    verdict, message = lib.reference_verdict(62, "", "reason: Test requires: 'have_ssl'\n", timed_out=False)
    assert (verdict, message) == ("skip", "reason: Test requires: 'have_ssl'")


def test_reference_crash_names_the_exit_code():
    verdict, message = lib.reference_verdict(-11, "", "", timed_out=False)
    assert verdict == "error"
    assert "-11" in message


# ------------------------------------------------------------------ tidbrun verdicts


def test_tidbrun_pass_line_and_own_timing():
    stdout = f"{'1st':<50} [ pass ]       8 ms\n\n1 passed, 0 failed, 0 skipped in 0.11s\n"
    assert lib.tidbrun_verdict(0, stdout, "", timed_out=False) == ("pass", "", 0.008)


def test_tidbrun_skip_is_told_apart_from_pass_by_the_line():
    stdout = "blackhole                                          [ skip ]      12 ms  (Test requires: 'blackhole')\n"
    assert lib.tidbrun_verdict(0, stdout, "", timed_out=False) == ("skip", "Test requires: 'blackhole'", 0.012)


def test_tidbrun_fail_message_is_the_indented_line():
    stdout = (
        "change_user                                        [ fail ]    1420 ms\n"
        "    /m/main/change_user.test:36: query 'change_user x' failed: CR_X (2059): no\n"
        "--- a\n+++ b\n"
    )
    verdict, message, seconds = lib.tidbrun_verdict(1, stdout, "", timed_out=False)
    assert verdict == "fail"
    assert message == "/m/main/change_user.test:36: query 'change_user x' failed: CR_X (2059): no"
    assert seconds == pytest.approx(1.42)


def test_tidbrun_multi_line_query_stays_one_message():
    stdout = (
        "cte  [ fail ]  10 ms\n"
        "    /m/cte.test:3: query 'with recursive\nx as (select 1)\nselect * from x' failed: ER_X (1): m\n"
        "\n0 passed, 1 failed, 0 skipped in 1s\n"
    )
    message = lib.tidbrun_verdict(1, stdout, "", timed_out=False)[1]
    assert message == "/m/cte.test:3: query 'with recursive\nx as (select 1)\nselect * from x' failed: ER_X (1): m"
    assert lib.normalize_message(message) == "query failed: ER_X (1)"


def test_tidbrun_message_stops_at_the_diff():
    stdout = "t  [ fail ]  1 ms\n    result content mismatch (first at line 2)\n--- a\n+++ b\n@@ -1 +1 @@\n"
    assert lib.tidbrun_verdict(1, stdout, "", timed_out=False)[1] == "result content mismatch (first at line 2)"


def test_tidbrun_without_verdict_line_uses_exit_code_and_stderr():
    verdict, message, seconds = lib.tidbrun_verdict(
        2, "", "Traceback...\nValueError: boom\ntidbrun: cannot start\n", timed_out=False
    )
    assert (verdict, message, seconds) == ("error", "tidbrun: cannot start", None)


def test_tidbrun_exit_zero_without_verdict_line_is_an_error():
    assert lib.tidbrun_verdict(0, "", "", timed_out=False)[0] == "error"


def test_tidbrun_timeout():
    assert lib.tidbrun_verdict(None, "x  [ pass ]  1 ms\n", "", timed_out=True) == ("timeout", "", None)


# ------------------------------------------------------------------ first difference


def test_first_difference_identical_is_none():
    assert lib.first_difference("a\nb\n", "a\nb\n") is None


def test_first_difference_changed_line():
    assert lib.first_difference("a\nb\nc\n", "a\nB\nc\n") == (2, "b", "B")


def test_first_difference_actual_stops_early():
    assert lib.first_difference("a\nb\n", "a\n") == (2, "b", None)


def test_first_difference_actual_goes_on():
    assert lib.first_difference("a\n", "a\nextra\n") == (2, None, "extra")


def test_first_difference_final_newline_only():
    assert lib.first_difference("a\nb\n", "a\nb") == (2, "b", "b")


def test_first_difference_without_expected_file():
    assert lib.first_difference(None, "select 1;\n") == (1, None, "select 1;")


def test_first_difference_without_output_is_unknown():
    assert lib.first_difference("a\n", None) is None


# ------------------------------------------------------------------ categories


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        (None, "<end of output>"),
        ("Warnings:", "'Warnings:'"),
        ("Warning\t1265\tData truncated for column 'a' at row 1", "a warning row"),
        ("Note\t1051\tUnknown table 'test.t1'", "a warning row"),
        ("ERROR 42S02: Table 'test.t1' doesn't exist", "an ERROR line"),
        ("def\t\t\t\tid\t8\t3\t1\tY\t32928\t0\t63", "result metadata"),
        ("connection con1;", "a connection line"),
        ("1\t2", "a result row"),
        ("select * from t1;", "a statement echo"),
        ("INSERT INTO t1 VALUES (1),", "a statement echo"),
        ("", "an empty line"),
        ("  KEY `b` (`b`),", "a text line"),
    ],
)
def test_line_kind(line, kind):
    assert lib.line_kind(line) == kind


def test_mismatch_category_names_both_line_kinds():
    outcome = lib.Outcome(
        "fail", 1.0, "result content mismatch (first at line 4; output in x)", (4, "Warnings:", "drop table t1;")
    )
    assert lib.categorize(outcome) == "result mismatch: expected 'Warnings:', got a statement echo"


def test_mismatch_of_like_lines_says_so_once():
    outcome = lib.Outcome("fail", 1.0, "result content mismatch", (9, "1\t2", "1\t3"))
    assert lib.categorize(outcome) == "result mismatch in a result row"


def test_not_implemented_category_keeps_the_command_and_drops_the_location():
    message = (
        "/m/include/kill_mysqld.inc:6 (sourced from /m/main/bootstrap.test:22): "
        "command 'shutdown_server' is not implemented by tidbrun"
    )
    assert lib.categorize(lib.Outcome("fail", message=message)) == "command 'shutdown_server' is not implemented"


def test_query_failures_of_both_runners_group_by_error_code():
    tidbrun = lib.normalize_message(
        "/m/t.test:3: query 'select a from t' failed: ER_BAD_FIELD_ERROR (1054): Unknown column 'a'"
    )
    other = lib.normalize_message(
        "/m/u.test:9: query 'update t set b=1' failed: ER_BAD_FIELD_ERROR (1054): Unknown column 'b'"
    )
    mysqltest = lib.normalize_message("At line 3: query 'select a from t' failed: 1054: Unknown column 'a'")
    assert tidbrun == other == "query failed: ER_BAD_FIELD_ERROR (1054)"
    assert mysqltest == "query failed: (1054)"


def test_unknown_error_names_still_group_by_code():
    message = "/m/c.test:36: query 'change_user a' failed: <Unknown> (2059): Authentication plugin 'x' cannot be loaded"
    assert lib.normalize_message(message) == "query failed: (2059)"


def test_wrong_errno_names_both_codes():
    tidbrun = (
        "/m/i.test:5: query 'connect c' failed with wrong errno <Unknown> (2003): 'no', instead of <Unknown> (2002)..."
    )
    mysqltest = "At line 5: query 'select 1' failed with wrong errno 1064: 'syntax', instead of 1146..."
    assert lib.normalize_message(tidbrun) == "query failed with wrong errno 2003 instead of 2002"
    assert lib.normalize_message(mysqltest) == "query failed with wrong errno 1064 instead of 1146"


def test_wrong_errno_of_a_clipped_message_still_names_the_code():
    message = "/m/f.test:29: query 'change_user u' failed with wrong errno <Unknown> (2059): 'Authentication plugin…"
    assert lib.normalize_message(message) == "query failed with wrong errno 2059"


def test_should_have_failed_keeps_the_expected_code():
    message = (
        "At line 830: query 'SELECT 1' succeeded - should have failed with error ER_TABLEACCESS_DENIED_ERROR (1142)..."
    )
    assert lib.normalize_message(message) == "query succeeded, should have failed (1142)"


def test_exec_failure_is_grouped_by_its_first_line():
    message = (
        "/m/s.test:3: exec of 'mysql --ssl' failed, error: 1, status: 1, errno: 0\n"
        "Output from before failure:\nERROR 2026"
    )
    assert lib.normalize_message(message) == "exec of '…' failed, error: N, status: N, errno: N"


def test_generic_messages_lose_paths_numbers_and_quoted_names():
    first = lib.normalize_message("/m/a.test:1: could not open '/tmp/x1' for reading (source)")
    second = lib.normalize_message("/m/b.test:7: could not open '/var/y22' for reading (source)")
    assert first == second == "could not open '…' for reading (source)"


def test_server_addresses_are_left_out():
    message = (
        "tidbrun: cleaning the server at ServerAddress(host='127.0.0.1', port=54429, socket='/v/s.sock', "
        "user='root') failed: 1010 (HY000): Error dropping database (can't rmdir './test', errno: 39)"
    )
    assert lib.normalize_message(message) == (
        "tidbrun: cleaning the server at the server failed: 1010 (HY000): "
        "Error dropping database (can't rmdir '…', errno: N)"
    )


def test_skip_and_timeout_categories():
    assert lib.categorize(lib.Outcome("timeout")) == "timeout"
    assert lib.categorize(lib.Outcome("skip", message="Test requires 'x'")) == "skipped: Test requires '…'"


# ------------------------------------------------------------------ the table


def _row(test, ref="pass", tid="pass", **tidbrun):
    return lib.Row(test, lib.Outcome(ref, 0.5), lib.Outcome(tid, 1.25, **tidbrun))


def test_agreeing_rows_have_no_detail_or_category():
    row = _row("a")
    assert row.detail == ""
    assert row.category == ""


def test_detail_names_the_side_that_did_not_pass():
    row = _row("a", tid="fail", message="result content mismatch", first_diff=(3, "x\ty", None))
    assert row.detail == "tidbrun fail: result content mismatch; line 3: -x\ty +<end>"


def test_table_round_trip_keeps_awkward_characters():
    rows = [
        _row(
            "b",
            tid="fail",
            message="msg with\ttab\nand newline \\ backslash",
            first_diff=(7, "", None),
            reported_seconds=0.2,
        ),
        lib.Row("a", lib.Outcome("skip", 0.1, "reason: no"), lib.Outcome("skip", 0.4)),
    ]
    lines = lib.table_lines(row.record() for row in rows)
    assert lines[0].split("\t") == list(lib.TABLE_COLUMNS)
    assert [line.split("\t")[0] for line in lines[1:]] == ["a", "b"]
    assert all(line.count("\t") == len(lib.TABLE_COLUMNS) - 1 for line in lines)
    back = lib.parse_records(lines)
    assert back["b"] == rows[0].record()
    assert back["a"] == rows[1].record()
    assert back["b"].tidbrun_outcome().first_diff == (7, "", None)
    assert back["a"].reference_reason == "reason: no"


def test_recategorized_uses_the_stored_message_and_diff():
    record = _row("t", tid="fail", message="result content mismatch", first_diff=(2, "Warnings:", "x;")).record()
    stale = lib.parse_records(lib.table_lines([record]))["t"]
    import dataclasses

    stale = dataclasses.replace(stale, category="old grouping")
    assert stale.recategorized().category == "result mismatch: expected 'Warnings:', got a statement echo"


def test_previous_table_reads_the_shared_plain_verdicts():
    lines = ["test\tstatus\tseconds\treason", "1st\tpass\t0.046\t", "x\tskip\t0.01\treason: y"]
    table = lib.parse_previous_table(lines)
    assert table["1st"] == lib.PreviousVerdict("pass", 0.046, "", None)
    assert table["x"].reference == "skip"


def test_previous_table_mtr_combinations_pass_only_when_all_do():
    lines = [
        "test\tcombination\tverdict\tms\treason",
        "a\tinnodb\tpass\t10\t",
        "a\tmyisam\tpass\t30\t",
        "b\tx\tpass\t5\t",
        "b\ty\tfail\t5\tboom",
        "c\t\tskipped\t0\tno",
    ]
    table = lib.parse_previous_table(lines)
    assert table["a"].reference == "pass"
    assert table["a"].reference_seconds == pytest.approx(0.04)
    assert table["b"].reference == "fail"
    assert table["c"].reference == "skip"


def test_previous_table_reads_our_own_table_with_tidbrun_column():
    lines = lib.table_lines([_row("a", tid="fail", message="m").record()])
    assert lib.parse_previous_table(lines)["a"] == lib.PreviousVerdict("pass", 0.5, "", "fail")


def test_previous_table_without_verdict_column_is_refused():
    with pytest.raises(ValueError):
        lib.parse_previous_table(["test\tfoo", "a\tb"])


def test_test_list_accepts_names_tables_and_comments():
    lines = [
        "# picked by hand",
        "alias",
        "main.1st",
        "ps.test  # trailing comment",
        "",
        "alias",
        "test\treference\ttidbrun",
        "bigint\tpass\tfail",
    ]
    assert lib.parse_test_list(lines) == ["alias", "1st", "ps", "bigint"]


# ------------------------------------------------------------------ summary


def _record(test, ref, tid, category="", ref_s=1.0, tid_s=2.0, own=0.5):
    return lib.Record(test, ref, tid, ref_s, tid_s, "", category, "", own)


def test_summary_key_figure_counts_tidbrun_passes_among_reference_passes():
    records = [
        _record("a", "pass", "pass"),
        _record("b", "pass", "fail", "cat1"),
        _record("c", "pass", "fail", "cat1"),
        _record("d", "pass", "timeout", "timeout"),
        _record("e", "fail", "pass"),
        _record("f", "skip", "skip"),
        _record("g", "fail", "fail", "cat2"),
    ]
    s = lib.summarize(records)
    assert s.total == 7
    assert s.reference_pass == 4
    assert s.both_pass == 1
    assert s.key_percent == pytest.approx(25.0)
    assert s.tidbrun_only_pass == 1
    assert s.reference == {"pass": 4, "fail": 2, "skip": 1}
    assert s.tidbrun["fail"] == 3
    # Only failures among reference-passing tests are categorized.
    assert s.categories == {"cat1": 2, "timeout": 1}
    assert s.examples["cat1"] == ["b", "c"]
    assert s.matrix[("pass", "fail")] == 2
    assert s.reference_seconds == pytest.approx(7.0)
    assert s.both_pass_tidbrun_seconds == pytest.approx(2.0)
    assert s.median_process_overhead == pytest.approx(1.5)


def test_summary_examples_are_limited_and_sorted():
    records = [_record(f"t{i}", "pass", "fail", "same") for i in (5, 1, 4, 2, 3)]
    s = lib.summarize(records, examples_per_category=2)
    assert s.examples["same"] == ["t1", "t2"]
    assert s.categories["same"] == 5


def test_summary_ignores_missing_timings():
    records = [lib.Record("a", "not-run", "pass", None, 1.0, "", "", "", None)]
    s = lib.summarize(records)
    assert s.reference_seconds == 0.0
    assert s.median_process_overhead is None
    assert s.key_percent == 0.0


def test_format_summary_states_the_key_figure():
    text = lib.format_summary(lib.summarize([_record("a", "pass", "pass"), _record("b", "pass", "fail", "c")]))
    assert "KEY: of 2 tests the reference passes, tidbrun passes 1 (50.0%)" in text
    assert "pass->fail 1" in text
    assert "      1  c  [b]" in text


# ------------------------------------------------------------------ agreement and the MTR column


def test_agreement_is_blank_when_a_side_has_no_verdict():
    assert lib.agreement("pass", "pass") == "yes"
    assert lib.agreement("skip", "fail") == "no"
    assert lib.agreement("not-run", "pass") == ""
    assert lib.agreement("", "pass") == ""


def test_table_has_agree_and_mtr_columns_and_reads_them_back():
    row = _row("a", tid="fail", message="m")
    row.mtr = lib.Outcome("skip", 0.25, "Requires debug build")
    record = row.record()
    line = lib.table_lines([record])[1].split("\t")
    cells = dict(zip(lib.TABLE_COLUMNS, line, strict=True))
    assert cells["agree"] == "no"
    assert (cells["mtr"], cells["mtr_seconds"], cells["mtr_reason"], cells["agree_mtr"]) == (
        "skip",
        "0.250",
        "Requires debug build",
        "no",
    )
    assert lib.parse_records(lib.table_lines([record]))["a"] == record


def test_older_table_without_the_new_columns_still_reads():
    lines = ["test\treference\ttidbrun\treference_seconds", "a\tpass\tfail\t1.5"]
    record = lib.parse_records(lines)["a"]
    assert (record.mtr, record.agree, record.agree_mtr) == ("", "no", "")


def test_summary_counts_agreement_and_mtr_key_figure():
    def rec(test, ref, tid, mtr):
        return lib.Record(test, ref, tid, mtr=mtr)

    records = [
        rec("a", "pass", "pass", "pass"),
        rec("b", "fail", "fail", "pass"),
        rec("c", "pass", "fail", "pass"),
        rec("d", "skip", "skip", "skip"),
        rec("e", "not-run", "pass", "not-run"),
    ]
    s = lib.summarize(records)
    assert (s.agreed, s.compared) == (3, 4)
    assert s.agreement_percent == pytest.approx(75.0)
    assert (s.mtr_pass, s.mtr_pass_tidbrun_pass) == (3, 1)
    assert (s.mtr_agreed, s.mtr_compared) == (2, 4)
    assert s.mtr_matrix[("pass", "fail")] == 2
    text = lib.format_summary(s)
    assert "agreement: the same verdict for 3 of 4 tests (75.0%)" in text
    assert "MTR KEY: of 3 tests mysql-test-run.pl passes, tidbrun passes 1 (33.3%)" in text
    assert "pass->fail 2" in text


def test_summary_without_mtr_verdicts_says_nothing_of_mtr():
    text = lib.format_summary(lib.summarize([_record("a", "pass", "pass")]))
    assert "MTR" not in text
    assert "mysql-test-run.pl" not in text


# ------------------------------------------------------------------ mysql-test-run.pl output

MTR_OUTPUT = """\
Logging: /usr/share/mysql/mysql-test/mariadb-test-run.pl  --parallel=2 --force main.1st
vardir: /tmp/v
worker[01] Using MTR_BUILD_THREAD 300, with reserved ports 19000..19029
main.bar                                     [ disabled ]  MDEV-1234 sporadic
main.1st                                 w1 [ pass ]      1
main.foo 'innodb,row'                    w2 [ pass ]     25
main.foo 'mix,myisam'                    w2 [ skipped ]  Requires binlog_format=mixed
main.have_x                              w1 [ skipped ]  Test needs 'have_x'
main.broken                              w1 [ fail ]
        Test ended at 2026-11-22 19:00:00

CURRENT_TEST: main.broken
mysqltest: At line 12: query 'select * from nope' failed: 1146: Table 'test.nope' doesn't exist

The result from queries just before the failure was:
select 1;
 - saving '/tmp/v/log/main.broken/' to '/tmp/v/log/main.broken/'
main.warned                              w2 [ fail ]  Found warnings/errors in server log file!
        Test ended at 2026-11-22 19:00:01
main.flaky                               w1 [ retry-fail ]
        Test ended at 2026-11-22 19:00:02
main.flaky                               w1 [ retry-pass ]     40
main.rep                                 w2 [ 2 pass ]      7
--------------------------------------------------------------------------
The servers were restarted 1 times
Completed: Failed 2/8 tests, 75.00% were successful.
"""


def test_mtr_output_lines_become_verdicts():
    verdicts = {(v.test, v.combination): v for v in lib.parse_mtr_output(MTR_OUTPUT)}
    assert verdicts[("main.1st", "")] == lib.MtrVerdict("main.1st", "", "pass", 1, "", 1)
    assert verdicts[("main.foo", "innodb,row")].verdict == "pass"
    assert verdicts[("main.foo", "innodb,row")].worker == 2
    skipped = verdicts[("main.foo", "mix,myisam")]
    assert (skipped.verdict, skipped.ms, skipped.reason) == ("skipped", None, "Requires binlog_format=mixed")
    disabled = verdicts[("main.bar", "")]
    assert (disabled.verdict, disabled.reason, disabled.worker) == ("disabled", "MDEV-1234 sporadic", None)
    assert verdicts[("main.rep", "")].verdict == "pass"
    assert len(verdicts) == 9


def test_mtr_failure_reason_comes_from_the_report_after_the_line():
    verdicts = {v.test: v for v in lib.parse_mtr_output(MTR_OUTPUT)}
    assert verdicts["main.broken"].verdict == "fail"
    assert verdicts["main.broken"].reason == (
        "At line 12: query 'select * from nope' failed: 1146: Table 'test.nope' doesn't exist"
    )
    assert verdicts["main.warned"].reason == "Found warnings/errors in server log file!"


def test_mtr_retry_keeps_the_last_attempt():
    verdicts = [v for v in lib.parse_mtr_output(MTR_OUTPUT) if v.test == "main.flaky"]
    assert [(v.verdict, v.ms) for v in verdicts] == [("pass", 40)]


def test_mtr_failure_reason_does_not_reach_into_the_next_test():
    text = "main.a  w1 [ fail ]\n        Test ended at x\nmain.b  w1 [ fail ]\nmysqltest: At line 1: boom\n"
    verdicts = {v.test: v.reason for v in lib.parse_mtr_output(text)}
    assert verdicts == {"main.a": "", "main.b": "At line 1: boom"}


def test_mtr_output_ignores_lines_that_only_look_alike():
    text = "worker[01] mysql-test-run: WARNING: running this script as _root_\nmain.x  w1 [ weird ]  1\n"
    assert lib.parse_mtr_output(text) == []


def test_mtr_table_has_the_shared_layout_and_reads_back_as_verdicts():
    lines = lib.mtr_table_lines(lib.parse_mtr_output(MTR_OUTPUT), "main")
    assert lines[0] == "test\tcombination\tverdict\tms\treason"
    assert "1st\t\tpass\t1\t" in lines
    assert "foo\tmix,myisam\tskipped\t\tRequires binlog_format=mixed" in lines
    table = lib.parse_previous_table(lines)
    assert table["1st"] == lib.PreviousVerdict("pass", 0.001, "", None)
    # One combination skipped: the test as a whole is not a pass.
    assert table["foo"].reference == "skip"
    assert table["bar"].reference == "skip"
    assert table["broken"].reference == "fail"
    assert table["flaky"].reference == "pass"


def test_mtr_table_keeps_the_prefix_of_other_suites():
    verdicts = [lib.MtrVerdict("funcs_1.is_engines", "", "pass", 3, ""), lib.MtrVerdict("main.x", "", "pass", 1, "")]
    assert [line.split("\t")[0] for line in lib.mtr_table_lines(verdicts, "funcs_1")[1:]] == ["is_engines", "main.x"]


def test_shared_mtr_verdicts_file_reads_when_present():
    path = Path("/work/shared/reference/main_mtr_verdicts.tsv")
    if not path.is_file():
        pytest.skip("the shared reference verdicts are not on this machine")
    table = lib.read_previous_table(path)
    assert table["1st"].reference == "pass"
    assert {v.reference for v in table.values()} <= {"pass", "fail", "skip"}


def test_mtr_command_names_the_tests_or_the_suite():
    argv = lib.mtr_command("mtr.pl", suite="funcs_1", tests=["a", "b"], vardir=Path("/v"), jobs=2)
    assert argv[:2] == ["perl", "mtr.pl"]
    assert {"--parallel=2", "--force", "--retry=0", "--max-test-fail=0", "--vardir=/v"} <= set(argv)
    assert argv[-2:] == ["funcs_1.a", "funcs_1.b"]
    whole = lib.mtr_command("mtr.pl", suite="main", tests=None, vardir=Path("/v"), jobs=1, extra=["--big-test"])
    assert whole[-1] == "--suite=main"
    assert "--big-test" in whole


# ------------------------------------------------------------------ tidbrun's report and per-test lines

REPORT = {
    "summary": {"passed": 1, "failed": 2, "skipped": 1, "not_run": 1, "seconds": 3.5, "exit_code": 1},
    "tests": [
        {"name": "1st", "file": "/m/main/1st.test", "status": "pass", "seconds": 0.012},
        {"name": "blackhole", "file": "/m/main/blackhole.test", "status": "skip", "seconds": 0.001,
         "message": "Test requires: 'blackhole'"},
        {"name": "alias", "file": "/m/main/alias.test", "status": "fail", "seconds": 0.2,
         "message": "result content mismatch (first at line 7; output in /r/alias.reject)"},
        {"name": "cte", "file": "/m/main/cte.test", "status": "error", "seconds": 0.01,
         "message": "/m/main/cte.test:3: parse error", "details": "stderr text",
         "context": {"test": "cte", "location": "/m/main/cte.test:3"}},
        {"name": "late", "file": "/m/main/late.test", "status": "not run", "seconds": 0},
        {"name": "rec", "file": "/m/main/rec.test", "status": "recorded", "seconds": 0.5},
    ],
    "not_run": ["late"],
    "circuit_breaker": [],
    "notes": [],
}


def test_tidbrun_report_entries_and_summary():
    report = lib.parse_tidbrun_report(json.dumps(REPORT))
    assert (report.seconds, report.exit_code) == (3.5, 1)
    entries = {e.name: e for e in report.entries}
    assert [e.name for e in report.entries] == ["1st", "blackhole", "alias", "cte", "late", "rec"]
    assert entries["1st"] == lib.ReportEntry("1st", "/m/main/1st.test", "pass", 0.012, "", None, "")
    assert (entries["blackhole"].verdict, entries["blackhole"].message) == ("skip", "Test requires: 'blackhole'")
    assert entries["alias"].verdict == "fail"
    assert entries["alias"].reject == "/r/alias.reject"
    assert entries["cte"].verdict == "error"
    assert entries["late"].verdict == "not-run"
    assert entries["rec"].verdict == "pass"


def test_tidbrun_report_unknown_status_is_an_error_that_says_so():
    document = {"tests": [{"name": "x", "file": "x.test", "status": "exploded", "seconds": 1}]}
    entry = lib.parse_tidbrun_report(json.dumps(document)).entries[0]
    assert (entry.verdict, entry.message) == ("error", "unknown status 'exploded'")


def test_tidbrun_report_without_tests_is_refused():
    with pytest.raises(ValueError):
        lib.parse_tidbrun_report('{"summary": {}}')


def test_tidbrun_report_diff_is_kept_when_present():
    item = {"name": "x", "status": "fail", "seconds": 1, "message": "m", "diff": "@@ -1 +1 @@\n-a\n+b\n"}
    document = {"tests": [item]}
    entry = lib.parse_tidbrun_report(json.dumps(document)).entries[0]
    assert lib.first_difference_in_diff(entry.diff) == (1, "a", "b")


def test_first_difference_in_diff_counts_context_lines():
    diff = "--- exp\n+++ act\n@@ -5,7 +5,7 @@\n c5\n c6\n c7\n-old\n-old2\n+new\n c9\n"
    assert lib.first_difference_in_diff(diff) == (8, "old", "new")


def test_first_difference_in_diff_of_added_and_removed_lines_only():
    assert lib.first_difference_in_diff("@@ -3,0 +4,2 @@\n+extra\n+more\n") == (4, None, "extra")
    assert lib.first_difference_in_diff("@@ -2,2 +1,0 @@\n-gone\n-gone2\n") == (2, "gone", None)


def test_first_difference_in_diff_without_a_change_is_none():
    assert lib.first_difference_in_diff("") is None
    assert lib.first_difference_in_diff("--- a\n+++ b\n") is None


def test_tidbrun_lines_of_a_run_over_many_tests():
    stdout = (
        "server: mariadb 10.11.14-MariaDB, embedded at root@localhost:/v/mysqld.1.sock; vardir /v\n"
        "main.1st                     [ pass ]       8 ms\n"
        "main.blackhole               [ skip ]      12 ms  (Test requires: 'blackhole')\n"
        "main.change_user             [ fail ]    1420 ms\n"
        "    /m/change_user.test:36: query 'x' failed: CR_X (2059): no\n"
        "--- a\n+++ b\n"
        "main.alias                   [ pass ]      80 ms\n"
        "main.t 'innodb'              [ flaky ]     90 ms\n"
        "    failed before: result content mismatch\n"
        "\n4 passed, 1 failed, 1 skipped, 1 flaky (passed on a rerun) in 2.0s\n"
    )
    assert lib.tidbrun_lines(stdout) == [
        ("main.1st", "pass", "", 0.008),
        ("main.blackhole", "skip", "Test requires: 'blackhole'", 0.012),
        ("main.change_user", "fail", "/m/change_user.test:36: query 'x' failed: CR_X (2059): no", 1.42),
        ("main.alias", "pass", "", 0.08),
        ("main.t 'innodb'", "pass", "", 0.09),
    ]


# ------------------------------------------------------------------ run by run


def _report(*tests: tuple[str, str, str]) -> object:
    return lib.parse_tidbrun_report(
        json.dumps({"tests": [{"name": n, "file": f"t/{n}.test", "status": s, "message": m} for n, s, m in tests]})
    )


MTR_TABLE = [
    "test\tcombination\tverdict\tms\treason",
    "a\trow\tpass\t10\t",
    "a\tstmt\tskipped\t\tNeither MIXED nor STATEMENT binlog format",
    "b\t\tdisabled\t\tMDEV-1: flaky",
    "c\t\tpass\t5\t",
]


def test_runs_compared_one_by_one() -> None:
    report = _report(
        ("a 'row'", "pass", ""),
        ("a 'stmt'", "skip", "Neither MIXED nor STATEMENT binlog format"),
        ("b", "skip", "MDEV-1: flaky"),
        ("c", "pass", ""),
    )
    comparison = lib.compare_runs(MTR_TABLE, report)
    assert (comparison.runs, comparison.agree) == (4, 4)
    assert comparison.disagreements == [] and comparison.skip_reasons_differing == []
    assert "the same verdict on 4 of 4 runs" in lib.format_run_comparison(comparison)


def test_a_run_that_differs_is_named_with_its_combination() -> None:
    # One test, two combinations: MTR skips one and passes the other; tidbrun fails the pass.
    report = _report(
        ("a 'row'", "fail", "result content mismatch"),
        ("a 'stmt'", "skip", "Requires debug build"),
        ("b", "skip", "MDEV-1: flaky"),
        ("d", "pass", ""),
    )
    comparison = lib.compare_runs(MTR_TABLE, report)
    assert comparison.agree == 2
    shown = lib.format_run_comparison(comparison)
    assert "a 'row': MTR pass, tidbrun fail: result content mismatch" in shown
    assert "c: MTR pass, tidbrun missing" in shown
    assert "d: MTR missing, tidbrun pass" in shown
    assert len(comparison.skip_reasons_differing) == 1 and "Requires debug build" in shown


def test_compare_runs_refuses_another_table() -> None:
    with pytest.raises(ValueError, match="not an MTR verdict table"):
        lib.compare_runs(["test\treference\ttidbrun"], _report())


def test_compare_runs_of_some_tests_only() -> None:
    report = _report(("c", "pass", ""))
    comparison = lib.compare_runs(MTR_TABLE, report, only={"c"})
    assert (comparison.runs, comparison.agree, comparison.disagreements) == (1, 1, [])
