"""What three sys_vars tests needed, without a server: replace_regex's $variables, mysqltest's
empty-line command, and the connect parameters of a connect that names no database.

Expected values follow MariaDB's client/mysqltest.cc (append_replace_regex, read_line) and were
measured with mariadb-test 10.11 (tests/integration/test_sysvars_fixes_b.py compares whole tests).
"""

from __future__ import annotations

import pytest

from runner.language.parser import parse_text
from runner.language.records import Command, EmptyLine, Query, Record
from runner.render.transforms import Replacer, TransformError, parse_replace_regex

VALUES = {
    "r1": "/aaa/X/",
    "r2": "/bbb/Y/ /ccc/Z/",
    "nested": "/ccc/W/ $r1",
    "brackets": "(aaa)[T]",
    "empty": "",
    "bad": "/aaa/X",
    "self": "$self",
    "1": "/aaa/R/",
}


def lookup(name: str) -> str:
    return VALUES.get(name.lower(), "")


def parts(argument: str) -> list[tuple[str, str]]:
    return [(r.pattern.pattern, r.template) for r in parse_replace_regex(argument, lookup)]


# -- replace_regex: a $variable where an item could start --------------------------------------------


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("$r1", [("aaa", "X")]),
        ("$r2", [("bbb", "Y"), ("ccc", "Z")]),
        ("$r1 /bbb/Q/", [("aaa", "X"), ("bbb", "Q")]),  # sysvars_wsrep: `$hostname_regex /…/…/`
        ("/bbb/Q/ $r1", [("bbb", "Q"), ("aaa", "X")]),
        ("/aaa/X/ $r2 /Z/zz/", [("aaa", "X"), ("bbb", "Y"), ("ccc", "Z"), ("Z", "zz")]),
        ("$r1$r2", [("aaa", "X"), ("bbb", "Y"), ("ccc", "Z")]),
        ("$r1/bbb/Q/", [("aaa", "X"), ("bbb", "Q")]),
        ("$r1   /bbb/Q/", [("aaa", "X"), ("bbb", "Q")]),
        ("$R1", [("aaa", "X")]),  # names are case-insensitive, as every variable's
        ("$nested", [("ccc", "W"), ("aaa", "X")]),  # a value is read the same way, $ included
        ("$brackets {bbb}<U>", [("aaa", "T"), ("bbb", "U")]),
        ("$nosuch /aaa/X/", [("aaa", "X")]),  # unknown: empty, nothing added
        ("$r1i /bbb/Y/", [("bbb", "Y")]),  # the name runs on: $r1i, unknown
        ("$1/b/c/", [("aaa", "R"), ("b", "c")]),  # one digit is a register
        ("$r1  ", [("aaa", "X")]),  # trailing blanks are fine once the list has an item
        ("$empty", []),
    ],
)
def test_variables_where_an_item_starts(argument: str, expected: list[tuple[str, str]]) -> None:
    assert parts(argument) == expected


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("/c$/END/", [("c$", "END")]),  # an anchor
        ("/a$r1/Q/", [("a$r1", "Q")]),  # inside a pattern a $ is the pattern's
        ("/bbb/$r1/", [("bbb", "$r1")]),  # and inside a replacement
    ],
)
def test_a_dollar_inside_an_item_is_not_a_variable(argument: str, expected: list[tuple[str, str]]) -> None:
    def no_lookup(name: str) -> str:
        raise AssertionError(f"${name} looked up")

    assert [(r.pattern.pattern, r.template) for r in parse_replace_regex(argument, no_lookup)] == expected


def test_anchor_applies_at_the_end() -> None:
    assert Replacer(regexes=parse_replace_regex("/c$/END/", lookup))("aaa bbb ccc") == "aaa bbb ccEND"


def test_variable_and_pattern_apply_in_order() -> None:
    replace = Replacer(regexes=parse_replace_regex("$r1 /X/x/", lookup))
    assert replace("aaa bbb") == "x bbb"


def test_one_i_after_an_item_then_the_next_item() -> None:
    # mysqltest takes one `i` after the closer; the next character opens the next item.
    (first, second) = parse_replace_regex("/A/b/i#c#d#", lookup)
    assert first.apply("a") == "b"
    assert (second.pattern.pattern, second.template) == ("c", "d")


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("$empty  ", 'Error parsing replace_regex "$empty  "'),  # blanks and still no item
        ("   ", 'Error parsing replace_regex "   "'),
        ("$bad /b/c/", 'Error parsing replace_regex "/aaa/X"'),  # the value's own text
        ("/a/X/g /b/c/", 'Error parsing replace_regex "/a/X/g /b/c/"'),  # `g` opens an item
        ("$ /a/b/", 'Error parsing replace_regex "$ /a/b/"'),
    ],
)
def test_errors_name_the_text_being_read(argument: str, message: str) -> None:
    with pytest.raises(TransformError) as caught:
        parse_replace_regex(argument, lookup)
    assert str(caught.value) == message


def test_a_variable_naming_itself_is_an_error_not_a_crash() -> None:
    with pytest.raises(TransformError, match="nest more than"):
        parse_replace_regex("$self", lookup)


def test_without_variables_a_dollar_item_is_an_error() -> None:
    with pytest.raises(TransformError, match=r"\$r1 needs the test's variables"):
        parse_replace_regex("$r1")


def test_the_parse_is_cached_but_values_are_read_each_time() -> None:
    values = {"v": "/a/b/"}
    assert [r.template for r in parse_replace_regex("$v /x/y/", values.__getitem__)] == ["b", "y"]
    values["v"] = "/a/c/"
    assert [r.template for r in parse_replace_regex("$v /x/y/", values.__getitem__)] == ["c", "y"]


# -- the reader: mysqltest's empty-line command after an `error` --------------------------------------


def kinds(text: str) -> list[str]:
    out = []
    for record in parse_text(text, "t.test").records:
        out.append(_kind(record))
    return out


def _kind(record: Record) -> str:
    if isinstance(record, EmptyLine):
        return "empty"
    if isinstance(record, Command):
        return record.name
    assert isinstance(record, Query)
    return "query"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # rpl_semi_sync_slave_enabled_basic: `--error`, two blank lines, comments, the statement.
        ("--error 1146\n\n\n#\n# Cleanup\n#\nselect 1;\n", ["error", "empty", "query"]),
        ("--error 1146\n\nselect 1;\n", ["error", "query"]),  # the --error line took its newline
        ("error 1146;\n\nselect 1;\n", ["error", "empty", "query"]),  # a delimiter does not
        ("error 1146;  \n\nselect 1;\n", ["error", "empty", "query"]),
        ("error 1146; # c\n\nselect 1;\n", ["error", "query"]),  # the comment took it
        ("--error 1146\n  \n\nselect 1;\n", ["error", "empty", "query"]),
        ("--error 1146\n\n  \nselect 1;\n", ["error", "query"]),  # blanks between: not in a row
        ("--error 1146\n# c\n\n\nselect 1;\n", ["error", "empty", "query"]),
        ("--error 1146\n\n# x\n\nselect 1;\n", ["error", "query"]),
        ("select 1;\n\n\nselect 2;\n", ["query", "query"]),  # nothing pending: nothing to pass on
    ],
)
def test_empty_line_after_error(text: str, expected: list[str]) -> None:
    assert kinds(text) == expected


def test_empty_line_inside_a_block() -> None:
    (block,) = parse_text("if ($x)\n{\n  --error 1146\n\n\n  select 1;\n}\n", "t.test").records
    assert [_kind(r) for r in block.body] == ["error", "empty", "query"]  # type: ignore[attr-defined]


def test_empty_line_location_is_its_line() -> None:
    records = parse_text("--error 1146\n\n\nselect 1;\n", "t.test").records
    assert records[1].location.line == 3
