"""mysqltest variables: expansion with escapes, the environment fallback, numbers and truth."""

from __future__ import annotations

import os

import pytest

from runner.engine.variables import VariableError, Variables, as_int, is_true


@pytest.fixture
def variables() -> Variables:
    v = Variables({"HOME_DIR": "/home/x", "SHADOWED": "from env"})
    v.set("x", "42")
    v.set("y", "abc;")
    v.set("SHADOWED", "from test")
    return v


@pytest.mark.parametrize(
    ("text", "expanded"),
    [
        ("select $x as v", "select 42 as v"),
        ("[$y]", "[abc;]"),
        ("$x$y", "42abc;"),
        ("$x_suffix", ""),  # the name runs on over letters, digits and '_'
        ("$x-1", "42-1"),
        ("'$x' \"$y\"", "'42' \"abc;\""),  # expanded inside quotes too
        ("no variables here", "no variables here"),
        ("", ""),
    ],
)
def test_expand(variables: Variables, text: str, expanded: str) -> None:
    assert variables.expand(text) == expanded


@pytest.mark.parametrize(
    ("text", "expanded"),
    [
        # formats.md §1: `\$`→`$`, `\\`→`\`, other `\x` kept as two characters.
        ("a\\tb \\$y $y \\\\ end", "a\\tb $y abc; \\ end"),
        ("\\$x", "$x"),
        ("\\\\$x", "\\42"),
        ('say \\"hi\\"', 'say "hi"'),
        ("back\\slash", "back\\slash"),
        ("trailing\\", "trailing\\"),
        ("\\\\\\$x", "\\$x"),
    ],
)
def test_expand_escapes(variables: Variables, text: str, expanded: str) -> None:
    assert variables.expand(text) == expanded


def test_expand_keeping_escapes_for_the_shell(variables: Variables) -> None:
    # exec passes `\$X` through so that the shell sees `\$X` (formats.md §8).
    assert variables.expand("echo \\$x $x \\\\", keep_escapes=True) == "echo \\$x 42 \\\\"


def test_undefined_variable_is_empty(variables: Variables) -> None:
    assert variables.expand("[$nosuch]") == "[]"
    assert variables.get("nosuch") == ""
    assert "nosuch" not in variables


def test_environment_fallback_and_shadowing(variables: Variables) -> None:
    assert variables.expand("$HOME_DIR/t") == "/home/x/t"
    assert variables.get("SHADOWED") == "from test"
    assert "HOME_DIR" not in variables  # only test variables count as defined
    assert "x" in variables


def test_set_env_is_seen_by_expansion_and_kept_for_child_processes() -> None:
    v = Variables({})
    v.set_env("FOO", "bar")
    assert v.expand("$FOO") == "bar"
    assert v.environment == {"FOO": "bar"}


def test_default_environment_is_a_copy_of_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIDBRUN_UNIT_TEST_VAR", "seen")
    v = Variables()
    assert v.expand("$TIDBRUN_UNIT_TEST_VAR") == "seen"
    v.set_env("TIDBRUN_UNIT_TEST_VAR", "changed")
    assert os.environ["TIDBRUN_UNIT_TEST_VAR"] == "seen"


@pytest.mark.parametrize("text", ["cost 5$ here", "$", "a $ b", "$-x"])
def test_dollar_without_a_name_is_an_error(variables: Variables, text: str) -> None:
    # mysqltest dies with "Empty variable" (formats.md §10).
    with pytest.raises(VariableError):
        variables.expand(text)


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("0", 0),
        ("42", 42),
        ("-3", -3),
        ("+7", 7),
        ("  12", 12),
        ("12  ", 12),
        ("\t5\t", 5),
        ("", None),
        ("abc", None),
        ("1.5", None),
        ("12abc", None),
        ("1 2", None),
        ("0x10", None),
    ],
)
def test_as_int(value: str, number: int | None) -> None:
    assert as_int(value) == number


@pytest.mark.parametrize(
    ("value", "truth"),
    [
        ("1", True),
        ("-1", True),
        ("0", False),
        ("000", False),
        (" 0", False),
        ("", False),  # undefined variable
        ("abc", True),
        ("0abc", False),
        ("-", False),
        ("+", False),
        ("  x", True),
        ("-0", False),
        ("-abc", True),
    ],
)
def test_is_true(value: str, truth: bool) -> None:
    assert is_true(value) is truth
