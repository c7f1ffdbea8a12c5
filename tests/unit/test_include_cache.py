"""Sourced files parsed once per run: the records a source gets are those a fresh parse from its
line gives, include chain and all."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from runner import errors
from runner.language.includes import IncludeCache
from runner.language.parser import parse_file
from runner.language.records import Location

INCLUDE = """--echo start
select 1;
if ($x)
{
  --echo in a block
  while ($y)
  {
    dec $y;
  }
}
--write_file $MYSQLTEST_VARDIR/tmp/a.txt
body
EOF
--permutations
setup { create table t (a int); }
session s1
step s1a { select 1; }
session s2
step s2a { select 2; }
permutation s1a s2a
--end_permutations
delimiter //;
select 2//
--not_a_command here
select 3//
"""


@pytest.fixture
def include(tmp_path: Path) -> Path:
    path = tmp_path / "a.inc"
    path.write_text(INCLUDE)
    return path


def test_records_are_those_of_a_parse_from_the_source_line(include: Path) -> None:
    cache = IncludeCache()
    for parent in (Location("t/one.test", 3), Location("t/two.inc", 9, Location("t/two.test", 1))):
        cached = cache.read(include, parent, delimiter=";", charset="")
        fresh = parse_file(include, parent=parent, partial=True)
        assert len(cached.records) > 6
        assert cached.records == fresh.records
        assert cached.delimiter == fresh.delimiter == "//"
        assert cached.error is not None and fresh.error is not None
        assert str(cached.error) == str(fresh.error)
    assert cache.hits == 1  # the second source was not parsed again


def test_a_rewritten_file_is_read_again(include: Path) -> None:
    cache = IncludeCache()
    parent = Location("t/x.test", 1)
    assert len(cache.read(include, parent, delimiter=";", charset="").records) > 1
    include.write_text("select 'changed';\n")
    stat = include.stat()
    os.utime(include, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert [r.source() for r in cache.read(include, parent, delimiter=";", charset="").records] == [
        "select 'changed';"
    ]
    assert cache.hits == 0


def test_the_delimiter_and_character_set_are_part_of_the_key(include: Path) -> None:
    cache = IncludeCache()
    parent = Location("t/x.test", 1)
    cache.read(include, parent, delimiter=";", charset="")
    cache.read(include, parent, delimiter="$$", charset="")
    cache.read(include, parent, delimiter=";", charset="big5")
    assert cache.hits == 0


def test_a_missing_file_is_an_error_at_the_source_line(tmp_path: Path) -> None:
    parent = Location("t/x.test", 4)
    with pytest.raises(errors.TestFileError) as raised:
        IncludeCache().read(tmp_path / "gone.inc", parent, delimiter=";", charset="")
    assert raised.value.location == parent and "cannot read" in raised.value.message
