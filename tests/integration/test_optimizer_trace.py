"""``--optimizer_trace`` (runner/engine/directives/optimizer_trace.py), byte for byte against the
reference: each case runs through tidbrun and through ``mariadb-test --record``."""

from __future__ import annotations

import pytest

from tests.integration.test_interpreter import Bench, assert_same_result, bench, environment, needs_reference

__all__ = ["bench", "environment"]  # the fixtures the cases need, from the interpreter's tests

SETUP = "create table t1 (a int);\ninsert into t1 values (1),(2);\n"
TEARDOWN = "select @@optimizer_trace;\ndrop table t1;\n"

CASES = {
    # The trace after the result, then the old value back.
    "select": "--optimizer_trace\nselect * from t1 where a=1;\nselect 2;\n",
    # A statement the optimizer does not trace shows the last trace there is.
    "not_traced": "--optimizer_trace\nselect a from t1;\n--optimizer_trace\ninsert into t1 values (3);\n",
    # A failing statement leaves the trace waiting for the next one that succeeds.
    "after_an_error": "--optimizer_trace\n--error 1146\nselect * from nosuch;\nselect 5;\n",
    # Without the result log the trace is used up and not shown.
    "result_log_off": (
        "--optimizer_trace\n--disable_result_log\nselect 7;\n--enable_result_log\nselect 8;\n"
        "select @@optimizer_trace;\n--optimizer_trace\nselect 9;\n"
    ),
    # A second command before the first was used up saves "enabled=on": the trace stays on.
    "twice": (
        "--optimizer_trace\n--error 1146\nselect * from nosuch;\n--optimizer_trace\nselect 1;\n"
        "select @@optimizer_trace;\n--disable_result_log\n--optimizer_trace\nselect 2;\n--enable_result_log\n"
    ),
    # The statement's view applies to the trace: replace_regex, sorted_result, vertical, info.
    "view": (
        "--optimizer_trace\n--replace_regex /\"cost\": [0-9.]+/\"cost\": X/\nselect * from t1 where a=2;\n"
        "--optimizer_trace\n--sorted_result\nselect * from t1 where a=2;\n"
        "--optimizer_trace\n--vertical_results\nselect * from t1 where a=2;\n--horizontal_results\n"
        "--optimizer_trace\n--enable_info\nselect * from t1 where a=2;\n--disable_info\n"
    ),
    # Warnings come before the trace; other commands in between do not use it up.
    "warnings_and_commands": (
        "--optimizer_trace\n--echo hello\nlet $x= 1;\nselect * from t1 where a='x';\n"
    ),
}


@needs_reference
@pytest.mark.parametrize("name", list(CASES))
def test_same_result_as_the_reference(bench: Bench, name: str) -> None:
    assert_same_result(bench, SETUP + CASES[name] + TEARDOWN)
