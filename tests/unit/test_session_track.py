"""Session state changes (CLIENT_SESSION_TRACK): reading them from an OK packet, and how
mariadb-test 10.11 prints them after a statement with --enable_session_track_info.

The OK packets are ones a MariaDB 10.11 server sent; the expected texts were measured with the
reference mariadb-test (tests/integration/test_session_track_and_metadata.py compares whole runs).
"""

from __future__ import annotations

from runner.dialects.mysqltest.renderer import MysqltestDialect
from runner.render.base import View
from runner.sessions.driver import Column, Outcome, Result
from runner.sessions.wire import SessionTrack, parse_session_track

D = MysqltestDialect()
TRACKING = View(session_track=True)

# SET NAMES utf8mb4 with session_track_system_variables='*' and session_track_state_change=ON
SET_NAMES_OK = (
    b"\x00\x00\x00\x00@\x00\x00\x00e\x00!\x18character_set_connection\x07utf8mb4"
    b"\x00\x1d\x14character_set_client\x07utf8mb4\x00\x1e\x15character_set_results\x07utf8mb4\x02\x011"
)
SET_NAMES = (
    (0, ("character_set_connection", "utf8mb4", "character_set_client", "utf8mb4", "character_set_results", "utf8mb4")),
    (2, ("1",)),
)


def ok_packet(status: int, info: bytes, state: bytes) -> bytes:
    block = bytes([len(state)]) + state
    return b"\x00\x00\x00" + status.to_bytes(2, "little") + b"\x00\x00" + bytes([len(info)]) + info + block


def entry(kind: int, data: bytes) -> bytes:
    return bytes([kind, len(data)]) + data


def lenenc(text: bytes) -> bytes:
    return bytes([len(text)]) + text


# -- reading the OK packet ----------------------------------------------------------------------------


def test_system_variables_and_state_change() -> None:
    assert parse_session_track(SET_NAMES_OK) == SET_NAMES


def test_an_ok_without_the_state_changed_flag_has_none() -> None:
    assert parse_session_track(b"\x00\x00\x00\x02\x00\x00\x00") == ()
    assert parse_session_track(b"\x00\x03\x00\x02\x00\x00\x00\x26Records: 3  Duplicates: 0  Warnings: 0") == ()


def test_schema_and_transaction_trackers_hold_one_string() -> None:
    state = (
        entry(5, lenenc(b"T_______"))
        + entry(1, lenenc(b"mysql"))
        + entry(4, lenenc(b"SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;"))
    )
    assert parse_session_track(ok_packet(0x4000, b"", state)) == (
        (1, ("mysql",)),
        (4, ("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;",)),
        (5, ("T_______",)),
    )


def test_the_info_text_comes_before_the_state() -> None:
    state = entry(0, lenenc(b"time_zone") + lenenc(b"+02:00"))
    assert parse_session_track(ok_packet(0x4000, b"Rows matched: 1", state)) == ((0, ("time_zone", "+02:00")),)


def test_several_changes_of_one_tracker_keep_their_order() -> None:
    state = entry(1, lenenc(b"a")) + entry(2, b"1") + entry(1, lenenc(b"b"))
    assert parse_session_track(ok_packet(0x4000, b"", state)) == ((1, ("a", "b")), (2, ("1",)))


def test_trackers_libmariadb_does_not_keep_are_skipped() -> None:
    state = entry(3, b"\x00" + lenenc(b"0-1-5")) + entry(1, lenenc(b"test"))
    assert parse_session_track(ok_packet(0x4000, b"", state)) == ((1, ("test",)),)


def test_empty_values_stay_empty() -> None:
    state = entry(0, lenenc(b"character_set_results") + lenenc(b"")) + entry(4, lenenc(b""))
    assert parse_session_track(ok_packet(0x4000, b"", state)) == ((0, ("character_set_results", "")), (4, ("",)))


# -- what mariadb-test prints ----------------------------------------------------------------------------


def shown(track: SessionTrack | None, view: View = TRACKING, columns: list[Column] | None = None) -> str:
    rows: list[tuple[str | None, ...]] = [("1",)] if columns else []
    return D.outcome(Outcome([Result(columns, rows, len(rows), session_track=track)]), None, view)


def test_system_variables_are_sorted_name_colon_value_lines() -> None:
    assert shown(SET_NAMES) == (
        "-- Tracker : SESSION_TRACK_SYSTEM_VARIABLES\n"
        "-- character_set_client: utf8mb4\n"
        "-- character_set_connection: utf8mb4\n"
        "-- character_set_results: utf8mb4\n"
        "\n"
        "-- Tracker : SESSION_TRACK_STATE_CHANGE\n"
        "-- 1\n"
        "\n"
    )


def test_other_trackers_one_line_per_item() -> None:
    track = ((1, ("a", "b")), (4, ("",)), (5, ("T_______",)))
    assert shown(track) == (
        "-- Tracker : SESSION_TRACK_SCHEMA\n-- a\n-- b\n\n"
        "-- Tracker : SESSION_TRACK_TRANSACTION_CHARACTERISTICS\n-- \n\n"
        "-- Tracker : SESSION_TRACK_TRANSACTION_TYPE\n-- T_______\n\n"
    )


def test_a_value_with_a_newline_is_sorted_as_two_lines() -> None:
    assert shown(((0, ("b", "x\naa", "a", "1")),)) == (
        "-- Tracker : SESSION_TRACK_SYSTEM_VARIABLES\n-- a: 1\n-- b: x\naa\n\n"
    )


def test_after_the_rows_and_the_affected_rows() -> None:
    track = ((1, ("test",)),)
    view = View(session_track=True, info=True)
    assert shown(track, view, [Column("1")]) == "1\n1\naffected rows: 1\n-- Tracker : SESSION_TRACK_SCHEMA\n-- test\n\n"


def test_not_shown_unless_enabled() -> None:
    assert shown(SET_NAMES, View()) == ""


def test_nothing_without_changes_or_where_the_connection_cannot_tell() -> None:
    assert shown(()) == ""
    assert shown(None) == ""


def test_not_shown_with_the_result_log_off() -> None:
    assert shown(SET_NAMES, View(session_track=True, result_log=False)) == ""


def test_the_plain_view_shortcut_is_off_while_tracking() -> None:
    assert View().plain and not TRACKING.plain


def test_not_changed_by_replace_column() -> None:
    view = View(session_track=True, replace_column={0: "X"})
    assert shown(((1, ("test",)),), view, [Column("1")]) == "1\nX\n-- Tracker : SESSION_TRACK_SCHEMA\n-- test\n\n"
