"""The one table that says which errors are worth retrying."""

from __future__ import annotations

import mysql.connector
import pytest

from runner.faults.classify import ERRORS, classify, classify_exception, error_fields, error_name
from runner.faults.retry import Attempts, RetriesExhausted
from runner.sessions.driver import ConnectError, ServerError


@pytest.mark.parametrize(
    ("errno", "kind"),
    [
        (2002, "transient"), (2003, "transient"), (2006, "transient"), (2013, "transient"),
        (1040, "transient"), (1053, "transient"), (1290, "transient"), (1836, "transient"),
        (1045, "permanent"), (1044, "permanent"), (1049, "permanent"), (1064, "permanent"),
        (1146, "permanent"), (2005, "permanent"),
    ],
)
def test_known_numbers(errno: int, kind: str) -> None:
    assert classify(errno, "HY000") == kind


def test_sqlstate_class_decides_when_the_number_is_not_in_the_table() -> None:
    assert classify(99999, "08S01") == "transient"  # connection exception
    assert classify(99999, "40001") == "transient"  # serialization failure
    assert classify(99999, "HYT00") == "transient"  # timeout
    assert classify(99999, "28000") == "permanent"  # invalid authorization
    assert classify(99999, "42000") == "permanent"  # syntax / access rule
    assert classify(99999, "HY000") == "unknown"
    assert classify(None, None) == "unknown"


def test_the_number_wins_over_the_sqlstate() -> None:
    # 1045 comes with 28000 and 2013 with HY000: the table is checked first either way.
    assert classify(1213, "42000") == "transient"
    assert classify(1045, "08S01") == "permanent"


def test_every_entry_has_a_name_and_a_kind() -> None:
    for errno, (name, kind) in ERRORS.items():
        assert name and kind in ("transient", "permanent"), errno
    assert error_name(2013) == "CR_SERVER_LOST"
    assert error_name(None) == "" and error_name(42) == ""


def test_exceptions_of_the_drivers_and_of_tidbrun() -> None:
    refused = mysql.connector.errors.DatabaseError(msg="Can't connect", errno=2003, sqlstate="HY000")
    denied = mysql.connector.errors.ProgrammingError(msg="Access denied", errno=1045, sqlstate="28000")
    assert classify_exception(refused) == "transient"
    assert classify_exception(denied) == "permanent"
    assert classify_exception(ConnectError(ServerError(2002, "HY000", "no socket"))) == "transient"
    assert classify_exception(ConnectionRefusedError()) == "transient"
    assert classify_exception(TimeoutError()) == "transient"
    assert classify_exception(ValueError("x")) == "unknown"
    assert error_fields(denied) == (1045, "28000", "Access denied")


def test_a_wrapped_cause_is_followed() -> None:
    try:
        try:
            raise mysql.connector.errors.OperationalError(msg="gone", errno=2006, sqlstate="HY000")
        except mysql.connector.Error as inner:
            raise RuntimeError("cleaning failed") from inner
    except RuntimeError as outer:
        assert classify_exception(outer) == "transient"
        assert error_fields(outer)[0] == 2006


def test_retries_exhausted_is_transient_and_says_what_happened() -> None:
    attempts = Attempts(count=3, elapsed=1.25, last_error=ConnectError(ServerError(2003, "HY000", "refused")))
    exc = RetriesExhausted("connecting", attempts)
    assert classify_exception(exc) == "transient"
    assert str(exc) == "connecting: 2003 (HY000): refused (gave up after 3 attempts in 1.2 s)"
