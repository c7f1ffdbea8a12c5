"""How many times a value is evaluated (variables expanded, backslashes halved), byte for byte
against the reference: `let` evaluates its whole value and then the query in it once more;
`if`/`while` and `eval` evaluate once."""

from __future__ import annotations

import pytest

from tests.integration.test_interpreter import Bench, assert_same_result, bench, environment, needs_reference

__all__ = ["bench", "environment"]  # the fixtures the cases need, from the interpreter's tests

CASES = {
    "let_backticks": (
        "let $a= `select REGEXP_REPLACE('s, e', '([[:word:]]+)', 'old.\\\\\\\\\\\\\\\\1')`;\necho $a;\n"
        "let $b= `select 'x\\\\\\\\y'`;\necho $b;\nlet $c= `select 'x\\\\y'`;\necho $c;\n"
    ),
    "let_plain": "let $d= x\\\\\\\\y;\necho $d;\n",
    "let_escaped_variable_in_query": (
        "let $a= A1;\nlet $e= `select '\\$a'`;\necho $e;\nlet $f= `select '\\\\$a'`;\necho $f;\n"
    ),
    "let_query_get_value": (
        "let $a= A1;\nlet $q= query_get_value(select 'x\\\\\\\\y' as c, c, 1);\necho $q;\n"
        "let $e= query_get_value(select '\\$a' as c, c, 1);\necho $e;\n"
    ),
    "if_once": (
        "if (`select 'x\\\\\\\\y' = 'xy'`)\n{\n  echo double;\n}\n"
        "if (`select 'x\\\\\\\\y' = 'x\\\\\\\\y'`)\n{\n  echo single;\n}\n"
    ),
    "eval_once": "eval select 'p\\\\\\\\q' as v;\n",
}


@needs_reference
@pytest.mark.parametrize("name", list(CASES))
def test_same_result_as_the_reference(bench: Bench, name: str) -> None:
    assert_same_result(bench, CASES[name])
