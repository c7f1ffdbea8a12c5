"""Values holding NUL bytes, byte for byte against the reference: mysqltest hands a value to
replace_result/replace_regex as a C string (cut at the NUL), and sorted_result splits lines as C
strings; otherwise the bytes are written as they are."""

from __future__ import annotations

import pytest

from tests.integration.test_interpreter import Bench, assert_same_result, bench, environment, needs_reference

__all__ = ["bench", "environment"]  # the fixtures the cases need, from the interpreter's tests

VALUE = "select concat('ab', char(0), 'cd') as v, 'x' as w;\n"
CASES = {
    "as_is": VALUE,
    "replace_result": "--replace_result zz yy\n" + VALUE,
    "replace_regex_no_match": "--replace_regex /zz/yy/\n" + VALUE,
    "replace_regex_match": "--replace_regex /c/C/\n" + VALUE,
    "replace_column": "--replace_column 2 Q\n" + VALUE,
    "sorted_result": "--sorted_result\n" + VALUE,
    "vertical": "--vertical_results\n--replace_result zz yy\n" + VALUE,
    # A column named after a literal holding a NUL: mysqltest prints the name as a C string.
    "column_name": "select 'ab\\0cd';\n--vertical_results\nselect 'ab\\0cd';\n",
    "sorted_nul_at_line_start": (
        "--sorted_result\nselect concat(char(0), 'a') as v union select 'b' union select 'c';\n"
    ),
}


@needs_reference
@pytest.mark.parametrize("name", list(CASES))
def test_same_result_as_the_reference(bench: Bench, name: str) -> None:
    assert_same_result(bench, CASES[name])
