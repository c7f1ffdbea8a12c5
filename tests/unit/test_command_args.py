"""mysqltest's argument reader for string arguments (check_command_args): split first, quotes
kept inside a $var value, a quoted argument ends at the same quote."""

from __future__ import annotations

from runner.language.arguments import command_args


def test_quoted_arguments_end_at_the_same_quote() -> None:
    assert command_args('"restart: $restart_parameters" $MYSQL_TMP_DIR/x.expect', 2) == (
        ["restart: $restart_parameters", "$MYSQL_TMP_DIR/x.expect"],
        "",
    )
    assert command_args("'a \"b\"' `c d`", 2) == (['a "b"', "c d"], "")


def test_unquoted_arguments_end_at_the_delimiter_and_the_rest_is_returned() -> None:
    assert command_args("  restart   /f  # comment", 2) == (["restart", "/f"], " # comment")
    assert command_args('"x"tail y', 2) == (["x", "y"], "")  # after the closing quote: up to the blank
    assert command_args("only", 2) == (["only", ""], "")
