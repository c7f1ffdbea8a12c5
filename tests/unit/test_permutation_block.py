"""The ``--permutations`` block: read by the mysqltest reader into a typed record, no server."""

from __future__ import annotations

import pytest

from runner.errors import TestFileError as ReadError
from runner.language.parser import parse_text
from runner.language.permutation_block import (
    MAX_INTERLEAVINGS,
    interleaving_count,
    interleavings,
    permutation_lines,
)
from runner.language.records import Command, Permutations

SPEC = """--echo before
--permutations
# a comment
setup { create table t (a int); insert into t values (1) }
teardown { drop table t }
session s1
setup { begin }
step s1a { select * from t where a = '}' ; }
step "s1 b" {
   update t
   set a = 2 }
teardown { rollback }
session s2
step s2a { select 1 }
permutation s1a s2a(s1a) "s1 b"
--end_permutations
--echo after
"""


def block_of(text: str) -> Permutations:
    records = parse_text(text, "x.test").records
    blocks = [r for r in records if isinstance(r, Permutations)]
    assert len(blocks) == 1
    return blocks[0]


def test_the_block_is_one_record_between_the_commands_around_it() -> None:
    records = parse_text(SPEC, "x.test").records
    assert [type(r).__name__ for r in records] == ["Command", "Permutations", "Command"]
    assert isinstance(records[2], Command) and records[2].location.line == 17
    block = records[1]
    assert isinstance(block, Permutations)
    assert block.location.line == 2
    assert block.end is not None and block.end.line == 16


def test_setup_sessions_steps_and_their_lines() -> None:
    block = block_of(SPEC)
    assert [sql.text for sql in block.setup] == ["create table t (a int); insert into t values (1)"]
    assert [sql.text for sql in block.teardown] == ["drop table t"]
    s1, s2 = block.sessions
    assert (s1.name, s1.location.line, [x.text for x in s1.setup], [x.text for x in s1.teardown]) == (
        "s1", 6, ["begin"], ["rollback"]
    )
    # A brace inside quotes does not end the step; a trailing ';' is dropped.
    assert [(step.name, step.sql.text, step.sql.location.line) for step in s1.steps] == [
        ("s1a", "select * from t where a = '}'", 8),
        ("s1 b", "update t\n   set a = 2", 10),
    ]
    assert [(step.name, step.session) for step in s2.steps] == [("s2a", "s2")]


def test_permutation_lines_and_blockers() -> None:
    (line,) = block_of(SPEC).permutations
    assert line.steps == ("s1a", "s2a", "s1 b")
    assert line.blockers == {1: ("s1a",)}
    assert line.location.line == 15


def test_delimited_form_and_another_delimiter() -> None:
    text = "delimiter //;\npermutations//\nsession a\nstep a1 { select 1 }\nend_permutations//\nselect 2//\n"
    records = parse_text(text, "x.test").records
    assert [type(r).__name__ for r in records] == ["Command", "Permutations", "Query"]


def test_without_permutation_lines_every_interleaving_in_a_fixed_order() -> None:
    block = block_of(
        "--permutations\nsession a\nstep a1 { select 1 }\nstep a2 { select 2 }\n"
        "session b\nstep b1 { select 3 }\n--end_permutations\n"
    )
    assert block.permutations == []
    assert interleaving_count(block) == 3
    assert list(interleavings(block)) == [("a1", "a2", "b1"), ("a1", "b1", "a2"), ("b1", "a1", "a2")]
    assert [line.steps for line in permutation_lines(block)] == list(interleavings(block))


def test_interleavings_keep_each_sessions_order() -> None:
    block = block_of(
        "--permutations\n"
        + "".join(f"session {s}\n" + "".join(f"step {s}{i} {{ select {i} }}\n" for i in range(3)) for s in "abc")
        + "--end_permutations\n"
    )
    orders = list(interleavings(block))
    assert len(orders) == len(set(orders)) == interleaving_count(block) == 1680
    for order in orders:
        for s in "abc":
            assert [name for name in order if name.startswith(s)] == [f"{s}0", f"{s}1", f"{s}2"]


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("session a\nstep a1 { select 1 }\npermutation a1 zz\n", 4, "no step named 'zz'"),
        ("session a\nstep a1 { select 1 }\nstep a1 { select 2 }\n", 4, "step 'a1' is declared twice"),
        ("session a\nstep a1 { select 1 }\nsession a\n", 4, "session 'a' is declared twice"),
        ("step a1 { select 1 }\n", 2, "a step must follow the session"),
        ("session a\nstep a1 select 1\n", 3, "needs its SQL in braces"),
        ("session a\nstep a1 { select '1 }\n", 3, "unterminated ' quote"),
        ("session a\nstep a1 { select 1\n", 3, "'{' is never closed"),
        ("session a\nstep a1 {  }\n", 3, "has no SQL"),
        ("session a\nstep a1 { select 1 }\nbogus { }\n", 4, "'bogus' in a permutations block"),
        ("session a\nsession b\nstep b1 { select 1 }\n", 2, "session 'a' has no steps"),
        ("setup { select 1 }\n", 1, "needs at least one session"),
        (
            "session a\nstep a1 { select 1 }\nstep a2 { select 2 }\npermutation a1 a2(a1)\n",
            5,
            "cannot wait for a step of its own session",
        ),
        (
            "session a\nstep a1 { select 1 }\npermutation a1\nsession b\n",
            5,
            "sessions must come before the permutation lines",
        ),
    ],
)
def test_mistakes_are_reported_with_their_line(body: str, line: int, message: str) -> None:
    with pytest.raises(ReadError) as caught:
        parse_text(f"--permutations\n{body}--end_permutations\n", "x.test")
    assert message in caught.value.message
    assert caught.value.location is not None and caught.value.location.line == line


def test_missing_end_and_text_after_the_command() -> None:
    with pytest.raises(ReadError, match="end of file before '--end_permutations'"):
        parse_text("--permutations\nsession a\nstep a1 { select 1 }\n", "x.test")
    with pytest.raises(ReadError, match="trailing characters after permutations"):
        parse_text("--permutations now\nsession a\nstep a1 { select 1 }\n--end_permutations\n", "x.test")
    with pytest.raises(ReadError, match="'end_permutations' without"):
        parse_text("--end_permutations\n", "x.test")


def test_too_many_interleavings_must_be_listed() -> None:
    sessions = "".join(f"session s{k}\n" + "".join(f"step s{k}_{i} {{ select 1 }}\n" for i in range(4))
                       for k in range(4))
    with pytest.raises(ReadError, match=f"at most {MAX_INTERLEAVINGS}"):
        parse_text(f"--permutations\n{sessions}--end_permutations\n", "x.test")
    listed = parse_text(f"--permutations\n{sessions}permutation s0_0\n--end_permutations\n", "x.test")
    assert len(listed.records) == 1


def test_the_record_prints_back_as_the_block() -> None:
    block = block_of(SPEC)
    assert block.source().startswith("--permutations\n# a comment\n")
    assert block.source().endswith("permutation s1a s2a(s1a) \"s1 b\"\n--end_permutations")
