"""pingcap/failpoint's term grammar: what tidbrun sends, refuses, and how that compares with
failpoint's own parser (ported, lenient as it is, in the status-port stand-in)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runner.tidb.failpoint_terms import FailpointTermError, argument_error, parse_terms, validate_term
from tests.tidb_status_port_standin import go_parse_terms

# failpoint's terms_test.go, and the terms the issue names.
ACCEPTED = [
    "off",
    '2*return("abc")',
    '0%return("abc")',
    '100%return("abc")',
    '100.0%return("abc")',
    '100%2*return("abc")',
    '2*return("abc")->1*return("def")',
    '1*return("abc")->return("def")',
    "return(true)",
    "return(1)",
    "return()",
    "1*return(5)",
    "50%return(1)",
    "sleep(1000)",
    'sleep("1.5s")',
    "pause",
    "panic",
    'panic("boom")',
    "print(`x y`)",
    "return(-7)",
    "return(false)->off",
    "return(TRUE)",
    "5.%return",
    "1*sleep(100)->pause->return(true)",
]


@pytest.mark.parametrize("term", ACCEPTED)
def test_terms_failpoint_takes_are_accepted(term: str) -> None:
    validate_term(term)
    assert go_parse_terms(term)


def test_a_chain_is_read_term_by_term() -> None:
    chain = parse_terms('1*return("abc")->50%2*sleep(100)->pause')
    assert [(t.counts, t.percents, t.action, t.value) for t in chain] == [
        ((1,), (), "return", "abc"),
        ((2,), (50.0,), "sleep", 100),
        ((), (), "pause", None),
    ]
    assert "".join(t.text + "->" for t in chain)[:-2] == '1*return("abc")->50%2*sleep(100)->pause'


@pytest.mark.parametrize(
    ("term", "reason"),
    [
        ("", "empty failpoint term"),
        ("retrun(1)", "expected an action"),
        ("return(1)x", "expected '->'"),
        ("return(1) -> off", "expected '->'"),
        ("return(1)->", "nothing after '->'"),
        ("1.5*return", "whole number"),
        ("50%5", "followed by '*' (count) or '%'"),
        ("5*", "expected an action"),
        ("return(", "a value must be"),
        ("return(+5)", "a value must be"),
        ("return(007)", "a value must be"),
        ("return(t)", "a value must be"),
        ('return("a\\"b")', "escapes"),
        ('return("abc"', "expected ')'"),
        ('return("abc', "unterminated string"),
        ("sleep", "sleep needs"),
        ("sleep()", "sleep needs"),
        ('sleep("soon")', "not a Go duration"),
        ("99999999999999999999*return", "too large"),
    ],
)
def test_bad_terms_are_refused_with_the_reason(term: str, reason: str) -> None:
    with pytest.raises(FailpointTermError, match=r"bad failpoint term|empty") as caught:
        validate_term(term)
    assert reason in str(caught.value)


@pytest.mark.parametrize("term", ["return(+5)", "return(007)", "retrun(1)", 'return("a\\"b")', "50%5"])
def test_terms_both_refuse(term: str) -> None:
    assert not go_parse_terms(term)
    with pytest.raises(FailpointTermError):
        validate_term(term)


@pytest.mark.parametrize("term", ["5*", "(1)", 'return("abc"x', "return(1)->"])
def test_refused_terms_failpoint_would_misread_rather_than_reject(term: str) -> None:
    # failpoint's parser lets these through (and then reads another value, or crashes on
    # evaluation): tidbrun refuses them before anything is sent.
    assert go_parse_terms(term)
    with pytest.raises(FailpointTermError):
        validate_term(term)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet='0123456789.*%->()"`aeflnoprstuyc ', max_size=24))
def test_tidbrun_never_accepts_a_term_failpoint_rejects(term: str) -> None:
    try:
        validate_term(term)
    except FailpointTermError:
        return
    assert go_parse_terms(term), term


_MODIFIER = st.one_of(st.integers(0, 99).map(lambda n: f"{n}*"), st.integers(0, 100).map(lambda n: f"{n}%"))
_VALUE = st.one_of(
    st.just(""), st.just("()"), st.integers(-5, 5000).map(lambda n: f"({n})"), st.sampled_from(["(true)", "(false)"]),
    st.text(alphabet="abc xyz_", max_size=6).map(lambda s: f'("{s}")'),
)  # fmt: skip
_TERM = st.builds(
    lambda mods, action, value: "".join(mods) + action + value,
    st.lists(_MODIFIER, max_size=2),
    st.sampled_from(["off", "return", "panic", "print", "pause"]),
    _VALUE,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_TERM, min_size=1, max_size=3).map("->".join))
def test_well_formed_chains_are_accepted_by_both(term: str) -> None:
    validate_term(term)
    assert go_parse_terms(term)


@pytest.mark.parametrize(
    ("argument", "problem"),
    [
        ("enable github.com/pingcap/tidb/pkg/x return(true)", None),
        ("enable github.com/pingcap/tidb/pkg/x 2*retrun(1)", "expected an action"),
        ("enable github.com/pingcap/tidb/pkg/x", "needs a path and a term"),
        ("disable github.com/pingcap/tidb/pkg/x", None),
        ("disable a b", "needs one path"),
        ("list", None),
        ("list all", "usage:"),
        ("toggle x", "usage:"),
    ],
)
def test_a_failpoint_command_is_checked_without_a_server(argument: str, problem: str | None) -> None:
    found = argument_error(argument)
    assert (found is None) if problem is None else (found is not None and problem in found)
