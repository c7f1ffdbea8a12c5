"""MariaDB's extended column metadata: how the driver reads it and how mysqltest's Type column
shows it (`255 (type=point)`, `252 (format=json)`; formats measured with mariadb-test 10.11)."""

from __future__ import annotations

import struct

from runner.dialects.mysqltest.renderer import METADATA_HEADER, MysqltestDialect
from runner.render.base import View
from runner.sessions.driver import Column, Result
from runner.sessions.wire import parse_extended_metadata, with_extended_capabilities

D = MysqltestDialect()
POINT_META = ("def", "test", "t1", "t1", "p", "p", 63, 4294967295, 255, 144, 0)


def metadata_line(column: Column) -> str:
    text = D.results([Result([column], [])], View(metadata=True))
    assert text.startswith(METADATA_HEADER)
    return text[len(METADATA_HEADER) :].split("\n")[0]


# -- the wire ------------------------------------------------------------------------------------


def test_type_name_and_format_name_are_keys_0_and_1() -> None:
    assert parse_extended_metadata(b"\x00\x05point") == ("point", "")
    assert parse_extended_metadata(b"\x01\x04json") == ("", "json")
    assert parse_extended_metadata(b"\x01\x04json\x00\x05inet6") == ("inet6", "json")


def test_no_extended_metadata() -> None:
    assert parse_extended_metadata(b"") == ("", "")


def test_unknown_keys_are_skipped() -> None:
    assert parse_extended_metadata(b"\x07\x03abc\x00\x04uuid") == ("uuid", "")


def test_the_capabilities_go_in_the_last_four_bytes_of_the_filler() -> None:
    # capabilities, max packet size, character set, 23 zero bytes, then the user name
    payload = struct.pack("<IIB23x", 0x00BBA20D, 1 << 24, 8) + b"root\x00"
    rewritten = with_extended_capabilities(payload, 1 << 3)
    assert len(rewritten) == len(payload)
    assert rewritten[:28] == payload[:28]
    assert struct.unpack_from("<I", rewritten, 28) == (8,)
    assert rewritten[32:] == b"root\x00"


# -- mysqltest's Type column ----------------------------------------------------------------------


def test_type_name_follows_the_type_number() -> None:
    line = metadata_line(Column("p", POINT_META, type_name="point"))
    assert line.split("\t")[6] == "255 (type=point)"


def test_format_name_alone() -> None:
    meta = ("def", "test", "t1", "t1", "j", "j", 8, 4294967295, 252, 144, 0)
    assert metadata_line(Column("j", meta, format_name="json")).split("\t")[6] == "252 (format=json)"


def test_type_then_format_separated_by_one_space() -> None:
    line = metadata_line(Column("x", POINT_META, type_name="point", format_name="wkb"))
    assert line.split("\t")[6] == "255 (type=point format=wkb)"


def test_a_column_without_extended_metadata_shows_the_number_alone() -> None:
    line = metadata_line(Column("p", POINT_META))
    assert line == "def\ttest\tt1\tt1\tp\tp\t255\t4294967295\t0\tY\t144\t0\t63"
