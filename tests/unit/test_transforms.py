"""replace_regex, replace_result and replace_column: parsing their arguments and applying them.

Expected values are mysqltest's (notes/formats.md §5), several re-measured against mariadb-test.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runner.errors import TidbrunError
from runner.render.transforms import (
    Replacer,
    TransformError,
    parse_replace_column,
    parse_replace_regex,
    parse_replace_result,
)


def regex(argument: str, value: str) -> str:
    return Replacer(regexes=parse_replace_regex(argument))(value)


def result(argument: str, value: str) -> str:
    return Replacer(strings=parse_replace_result(argument))(value)


# -- replace_regex: parsing ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argument", "parts"),
    [
        ("/a/b/", [("a", "b")]),
        ("/a/b/ /c/d/", [("a", "b"), ("c", "d")]),
        ("  /a/b/\t/c/d/  ", [("a", "b"), ("c", "d")]),
        ("#apple#fruit# |cherry|berry|", [("apple", "fruit"), ("cherry", "berry")]),
        (",a,b,", [("a", "b")]),
        ('/x/a b/ /y/"q"/', [("x", "a b"), ("y", '"q"')]),
        ("/a\\/b/X/", [("a/b", "X")]),  # \<delimiter> is the delimiter itself
        ("/a/x\\/y/", [("a", "x/y")]),
        ("/a//", [("a", "")]),
    ],
)
def test_regex_parts(argument: str, parts: list[tuple[str, str]]) -> None:
    assert [(r.pattern.pattern, r.template) for r in parse_replace_regex(argument)] == parts


@pytest.mark.parametrize(
    ("argument", "parts"),
    [
        ("(a)(b)", [("a", "b")]),
        ("{a}{b}", [("a", "b")]),
        ("<a><b>", [("a", "b")]),
        ("[a][b]", [("a", "b")]),
        ("{a}{b} <c><d>", [("a", "b"), ("c", "d")]),
        # The second part opens with a bracket of its own (measured: mariadb-test accepts it).
        ("(a)[b]", [("a", "b")]),
    ],
)
def test_regex_bracket_delimiters(argument: str, parts: list[tuple[str, str]]) -> None:
    assert [(r.pattern.pattern, r.template) for r in parse_replace_regex(argument)] == parts


def test_regex_i_flag_is_case_insensitive() -> None:
    (rx,) = parse_replace_regex("/apple/pear/i")
    assert rx.apply("Apple APPLE apple") == "pear pear pear"
    (plain,) = parse_replace_regex("/apple/pear/")
    assert plain.apply("Apple apple") == "Apple pear"


@pytest.mark.parametrize("argument", ["/a", "/a/b", "/a/\\\\/", "(a)(b", "/a/b/g", "/a/b/ /c"])
def test_malformed_regex_lists(argument: str) -> None:
    with pytest.raises(TransformError):
        parse_replace_regex(argument)


def test_error_text_names_the_argument() -> None:
    # mysqltest: Error parsing replace_regex "/a/\\/" (formats.md §5).
    with pytest.raises(TransformError, match=r'replace_regex "/a/\\\\/"'):
        parse_replace_regex("/a/\\\\/")


def test_empty_regex_list_is_an_error() -> None:
    with pytest.raises(TransformError):
        parse_replace_regex("   ")


def test_invalid_regular_expression_is_an_error() -> None:
    with pytest.raises(TransformError, match=r"bad regular expression 'a\(' in replace_regex"):
        parse_replace_regex("/a(/b/")


# -- replace_regex: applying ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argument", "value", "out"),
    [
        ("/p+/P/", "apple pie", "aPle Pie"),  # global
        ("/^a.*e$/X/", "apple pie", "X"),  # anchors at the value's ends
        ("/^a.*e$/X/", "cherry", "cherry"),
        ("/^/X/", "select a", "Xselect a"),
        ("/a.*e/<&>/", "apple", "<&>"),  # & is literal
        ("/([0-9]+)/[\\1]/", "a 10 b 2", "a [10] b [2]"),
        ("/(a)(b)?/[\\2]/", "a", "[]"),  # a group that took no part gives nothing
        ("/(a)(b)?/[\\2]/", "ab", "[b]"),
        ("/(x)/\\1\\1/", "x", "xx"),
        ("/ab/X/ /X/ab/", "ab", "ab"),  # applied in sequence
        ("/1/ONE/ /ONE0/TEN/", "10", "TEN"),
        ("/\\t/<TAB>/", "a\tb", "a<TAB>b"),
        ("/\\n/<NL>/", "a\nb", "a<NL>b"),
        ("/a.b/X/", "a\nb", "X"),  # a value with a newline is one piece of text
        ("/[[:digit:]]+/N/", "a12b3", "aNbN"),
        ("/[[:alpha:]]/L/", "a1B", "L1L"),
        ("/[[:space:]]+/_/", "a \t b", "a_b"),
        ('/x/a b/ /y/"q"/', "xy", 'a b"q"'),
        # PCRE's \N is any character but a newline (binlog.binlog_base64_flag); \\N a backslash, N.
        ("/b\\N*/X/", "abc\\Ndef", "aX"),
        ("/b\\N*/X/", "abc\nd", "aX\nd"),
        ("/\\\\N/Y/", "ab\\Nc", "abYc"),
    ],
)
def test_regex_apply(argument: str, value: str, out: str) -> None:
    assert regex(argument, value) == out


def test_regex_reference_to_a_group_the_pattern_does_not_have_stays_literal() -> None:
    # Measured: mariadb-test turns 'x' into 'xx\9' with /(x)/\1\1\9/.
    assert regex("/(x)/\\1\\1\\9/", "x") == "xx\\9"


def test_regex_dot_matches_newline() -> None:
    assert regex("/^a.*$/X/", "a\nb\nc") == "X"


# -- replace_result ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argument", "value", "out"),
    [
        ("1 ONE 10 TEN", "10", "TEN"),
        ("1 ONE 10 TEN", "110", "ONETEN"),
        ("1 ONE 10 TEN", "101", "TENONE"),
        ("10 TEN 1 ONE", "110", "ONETEN"),  # argument order does not matter
        ("10 TEN 1 ONE", "101", "TENONE"),
        ("a A aa B aaa C", "aaaa", "CA"),
        ("a A aa B aaa C", "aaaaa", "CB"),
        ("ab X bcd Y", "abcd", "Xcd"),  # leftmost wins over a longer later match
        ("ab X bcd Y", "bcd", "Y"),
        ("a b b c", "ab", "bc"),  # replaced text is not scanned again
        ("apple APPLE 3 three", "3 apple pies", "three APPLE pies"),
        ("nosuch NOSUCH", "nothing", "nothing"),
        ('"apple pie" "PIE DISH" Banana \'Ba na\'', "apple pie, Banana", "PIE DISH, Ba na"),
        ('"a b" X', "a b a", "X a"),
        ("x ''", "axb", "ab"),
    ],
)
def test_replace_result(argument: str, value: str, out: str) -> None:
    assert result(argument, value) == out


def _leftmost_longest(pairs: dict[str, str], value: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(value):
        best = max((k for k in pairs if value.startswith(k, i)), key=len, default=None)
        if best is None:
            out.append(value[i])
            i += 1
        else:
            out.append(pairs[best])
            i += len(best)
    return "".join(out)


@given(
    pairs=st.dictionaries(st.text("ab", min_size=1, max_size=3), st.text("XY", max_size=2), min_size=1, max_size=4),
    value=st.text("abc", max_size=12),
)
def test_replace_result_is_leftmost_then_longest(pairs: dict[str, str], value: str) -> None:
    argument = " ".join(f"{src} '{dst}'" for src, dst in pairs.items())
    assert result(argument, value) == _leftmost_longest(pairs, value)


def test_replace_result_first_pair_wins_for_a_repeated_from_string() -> None:
    assert result("a 1 a 2", "a") == "1"


@pytest.mark.parametrize("argument", ["", "a", "a b c", "'' x", "'unterminated x"])
def test_malformed_replace_result(argument: str) -> None:
    # A tidbrun error (reported with the test's file and line), never a crash.
    with pytest.raises(TidbrunError):
        parse_replace_result(argument)


# -- replace_column --------------------------------------------------------------------------------


def test_replace_column_numbers_are_one_based() -> None:
    assert parse_replace_column("1 X 3 Y") == {0: "X", 2: "Y"}


def test_replace_column_value_may_be_quoted() -> None:
    assert parse_replace_column('2 "two words"') == {1: "two words"}
    assert parse_replace_column("2 ''") == {1: ""}


@pytest.mark.parametrize("argument", ["", "1", "0 X", "a X", "-1 X", "1 X 2"])
def test_malformed_replace_column(argument: str) -> None:
    with pytest.raises(TransformError):
        parse_replace_column(argument)


# -- the Replacer: order and truth ---------------------------------------------------------------


def test_regex_runs_before_replace_result() -> None:
    # `--replace_result 1 ONE ONE uno` + `--replace_regex /1/ONE/` on 1 gives uno (formats.md §5).
    both = Replacer(parse_replace_regex("/1/ONE/"), parse_replace_result("1 ONE ONE uno"))
    assert both("1") == "uno"
    assert Replacer(parse_replace_regex("/1/ONE/"), parse_replace_result("10 TEN"))("10, 1") == "ONE0, ONE"


def test_empty_replacer_is_false_and_the_identity() -> None:
    nothing = Replacer()
    assert not nothing
    assert nothing("a b") == "a b"
    assert Replacer(strings=parse_replace_result("a b"))
    assert Replacer(regexes=parse_replace_regex("/a/b/"))
