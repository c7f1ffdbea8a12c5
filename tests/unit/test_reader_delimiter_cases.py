"""The delimiter across an if/while block, as mysqltest's reader has it.

mysqltest runs `delimiter` even inside a block it skips (the reader must go on reading), and when
the outermost skipped block closes it puts back the delimiter that was in force when that block
opened (`do_block` remembers it, `do_close_block` restores it). A block that runs keeps the
change. Each expectation below was checked with MariaDB 10.11's mariadb-test (all print `after`);
the first case is the minimal form of main/mysqltest.test lines 1195-1220.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.language.parser import parse_file, parse_text
from runner.language.records import Block, Command, Query, Record


def echoes(records: list[Record]) -> list[tuple[str, str]]:
    """Every echo, in blocks too, with the delimiter it was read with."""
    out: list[tuple[str, str]] = []
    for r in records:
        if isinstance(r, Block):
            out += echoes(r.body)
        elif isinstance(r, Command) and r.name == "echo":
            out.append((r.argument, r.delimiter))
    return out


def test_skipped_if_puts_the_delimiter_back_when_it_closes() -> None:
    result = parse_text("if (0)\n{\n  delimiter ||;\n  echo inside||\n}\necho after;\n", "t.test")
    assert echoes(result.records) == [("inside", "||"), ("after", ";")]
    assert result.delimiter == ";"


def test_a_block_that_runs_keeps_the_delimiter_it_set() -> None:
    result = parse_text("if (1)\n{\n  delimiter ||;\n}\necho after||\n", "t.test")
    assert echoes(result.records) == [("after", "||")]
    assert result.delimiter == "||"


@pytest.mark.parametrize(("condition", "after"), [("!1", ";"), (" 0 ", ";"), ("00", ";"), ("! 7", ";"),
                                                ("01", "||"), ("!0", "||"), ("10", "||")])
def test_constant_conditions(condition: str, after: str) -> None:
    # mariadb-test: `if (01)` and `if (!0)` run, `if (! 7)` and `if ( 0 )` do not.
    text = f"if ({condition})\n{{\n  delimiter ||;\n}}\necho after{after}\n"
    assert echoes(parse_text(text, "t.test").records) == [("after", after)]


def test_while_that_never_runs_puts_the_delimiter_back() -> None:
    assert echoes(parse_text("while (0)\n{\n  delimiter ||;\n}\necho after;\n", "t.test").records) == [
        ("after", ";")
    ]


def test_a_block_inside_a_skipped_block_keeps_the_change_until_the_outer_one_closes() -> None:
    # mysqltest gives a block inside a skipped block nothing to restore: `echo inner*` is read
    # with the `*` set inside the inner block, `echo after;` with the outer block's `;`.
    text = "if (0)\n{\n  delimiter ||;\n  if (0)\n  {\n    delimiter *||\n  }\n  echo inner*\n}\necho after;\n"
    assert echoes(parse_text(text, "t.test").records) == [("inner", "*"), ("after", ";")]


def test_a_skipped_block_inside_a_running_block_restores_its_own_start() -> None:
    text = "if (1)\n{\n  delimiter /;\n  if (0)\n  {\n    delimiter %/\n  }\n  echo in/\n}\necho after/\n"
    assert echoes(parse_text(text, "t.test").records) == [("in", "/"), ("after", "/")]


def test_the_skipped_block_is_still_read_and_recorded() -> None:
    records = parse_text("if (0)\n{\n  delimiter ||;\n  select 1||\n}\nselect 2;\n", "t.test").records
    block, after = records
    assert isinstance(block, Block) and isinstance(after, Query)
    assert [(r.sql, r.delimiter) for r in block.body if isinstance(r, Query)] == [("select 1", "||")]
    assert (after.sql, after.delimiter) == ("select 2", ";")


def test_what_follows_a_skipped_block_ends_with_the_restored_delimiter() -> None:
    # The failure main/mysqltest.test showed: the reader kept `||` after the block and read on
    # to the end of the file looking for it.
    text = "if (0)\n{\n  delimiter ||;\n}\necho outer;\nselect 1;\n"
    top = [r for r in parse_text(text, "t.test").records if isinstance(r, (Query, Command))]
    assert [(type(r).__name__, r.delimiter) for r in top] == [("Command", ";"), ("Query", ";")]


MARIADB_MYSQLTEST = Path("/usr/share/mysql/mysql-test/main/mysqltest.test")


@pytest.mark.skipif(not MARIADB_MYSQLTEST.is_file(), reason="MariaDB's mysql-test tree is not installed")
def test_mariadbs_own_mysqltest_test_reads_to_the_end() -> None:
    records = parse_file(MARIADB_MYSQLTEST).records
    outer = [r.argument for r in records if isinstance(r, Command) and r.name == "echo"]
    assert "outer;" not in outer and "outer" in outer  # read with `;` again after the if (0) block
