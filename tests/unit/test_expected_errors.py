"""`--error` lists: what they accept, how an error matches them, and the names mysqltest prints."""

from __future__ import annotations

import pytest

from runner.engine.expected_errors import ErrorListError, ExpectedErrors, error_name


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("1146", (1146,)),
        ("ER_NO_SUCH_TABLE", (1146,)),
        ("S42S02", ("42S02",)),
        ("s42s02", ("42S02",)),
        ("1146,1050", (1146, 1050)),
        ("1146, 1050", (1146, 1050)),
        (" 1146 ,  ER_TABLE_EXISTS_ERROR ", (1146, 1050)),
        ("0,1146", (0, 1146)),
        ("ER_PARSE_ERROR,S42000,1064", (1064, "42000", 1064)),
        ("WARN_DATA_TRUNCATED", (1265,)),
        ("HA_ERR_KEY_NOT_FOUND", (120,)),
        ("S00000", ("00000",)),
        # mysqltest: a comma at the very end closes the list.
        ("1146,", (1146,)),
        ("ER_NO_SUCH_TABLE,", (1146,)),
        ("1146 ,", (1146,)),
        ("1146,1050,", (1146, 1050)),
    ],
)
def test_parse(text: str, codes: tuple[int | str, ...]) -> None:
    assert ExpectedErrors.parse(text).codes == codes


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("NO_SUCH_NAME", "unknown SQL error name 'NO_SUCH_NAME'"),
        ("1146;", "unknown SQL error name '1146;'"),
        ("1146,,1050", "empty entry in the error list '1146,,1050'"),
        ("1146,,", "empty entry in the error list '1146,,'"),
        ("1146 ,,", "empty entry in the error list '1146 ,,'"),
        (",1146", "empty entry in the error list ',1146'"),
        (",", "empty entry in the error list ','"),
        ("S42", "SQLSTATE must be 5 characters: 'S42'"),
        ("S42S0222", "SQLSTATE must be 5 characters: 'S42S0222'"),
        (",".join(["1146"] * 13), "too many errors listed (at most 12)"),
    ],
)
def test_parse_errors(text: str, message: str) -> None:
    with pytest.raises(ErrorListError) as info:
        ExpectedErrors.parse(text)
    assert str(info.value) == message


def test_twelve_codes_are_allowed() -> None:
    assert len(ExpectedErrors.parse(",".join(["1146"] * 12)).codes) == 12


@pytest.mark.parametrize(
    ("text", "first_is_success"),
    [("0,1146", True), ("0", True), ("S00000,1146", True), ("1146,0", False), ("1146", False)],
)
def test_first_is_success(text: str, first_is_success: bool) -> None:
    assert ExpectedErrors.parse(text).first_is_success is first_is_success


def test_matches_by_number_or_sqlstate() -> None:
    listed = ExpectedErrors.parse("1050,S42S02")
    assert listed.matches(1050, "42S01")
    assert listed.matches(1146, "42S02")  # by its SQLSTATE
    assert not listed.matches(1064, "42000")
    assert ExpectedErrors.parse("0,1146").matches(0, "")


def test_describe_first_names_only_the_first_code() -> None:
    assert ExpectedErrors.parse("1146,1050").describe_first() == "ER_NO_SUCH_TABLE (1146)"
    assert ExpectedErrors.parse("ER_TABLE_EXISTS_ERROR").describe_first() == "ER_TABLE_EXISTS_ERROR (1050)"
    assert ExpectedErrors.parse("S42S02,1146").describe_first() == "42S02"


@pytest.mark.parametrize(
    ("errno", "name"),
    [
        (1146, "ER_NO_SUCH_TABLE"),
        (1064, "ER_PARSE_ERROR"),
        (1045, "ER_ACCESS_DENIED_ERROR"),
        (120, "HA_ERR_KEY_NOT_FOUND"),
        (1, "<Unknown>"),
        (99999, "<Unknown>"),
        # Client errors have no name in mysqltest's failure messages: `failed: <Unknown> (2006): ...`
        # (formats.md §6).
        (2005, "<Unknown>"),
        (2006, "<Unknown>"),
    ],
)
def test_error_name(errno: int, name: str) -> None:
    assert error_name(errno) == name
