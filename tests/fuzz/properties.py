"""What every input must satisfy: parse, or raise tidbrun's own error with a location — never
another exception. Shared by the fuzz tests (fixed seed, small) and ``tools/fuzz`` (large)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from runner.cli.parse_only import echo_lines
from runner.config import file as config_file
from runner.config.schema import OPTIONS
from runner.config.sources import parse_values
from runner.dialects.mysql_tester.reader import parse_tester_text
from runner.dialects.profile import profile_named
from runner.errors import TestFileError
from runner.judge.compare import compare, read_result
from runner.language.parser import parse_text

NAME = "fuzz.test"


def _check_location(error: TestFileError, name: str, text: str) -> None:
    location = error.location
    assert location is not None, f"error without a location: {error}"
    root = location.root()
    assert root.file == name, (root.file, name)
    assert 1 <= root.line <= text.count("\n") + 2, (root.line, text.count("\n"))
    assert str(error).startswith(f"{location.describe()}: ")


def check_test_text(text: str) -> str:
    """Both readers; returns "parsed" or "error" (anything else propagates: a bug)."""
    outcome = "parsed"
    for reader in (parse_text, parse_tester_text):
        try:
            reader(text, NAME)
        except TestFileError as error:
            _check_location(error, NAME, text)
            outcome = "error"
    return outcome


class EchoChecker:
    """``--parse-only``'s path (reader + echo), through a real file in a private folder."""

    def __init__(self) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix="tidbrun-fuzz-"))
        self._file = self._folder / NAME
        self._dialect = profile_named("mysqltest").renderer()

    def __call__(self, text: str) -> str:
        self._file.write_bytes(text.encode("latin-1"))
        try:
            for line in echo_lines(self._file, self._dialect, self._folder):
                assert isinstance(line, str)
        except TestFileError as error:
            assert error.location is not None, f"error without a location: {error}"
            return "error"
        return "parsed"

    def close(self) -> None:
        import shutil

        shutil.rmtree(self._folder, ignore_errors=True)


def check_result_bytes(data: bytes, other: str, folder: Path) -> str:
    """A result file of any bytes reads back byte for byte and compares without an exception."""
    path = folder / "fuzz.result"
    path.write_bytes(data)
    text = read_result(path)
    assert text is not None and text.encode("latin-1") == data
    mismatch = compare(text, other, expected_name=str(path), actual_name="actual")
    if mismatch is None:
        assert text == other
        return "same"
    assert mismatch.first_line >= 1 and isinstance(mismatch.diff, str)
    return "differs"


def check_config_bytes(data: bytes) -> str:
    """The bytes as a TOML file, a JSON file and a pyproject.toml: each parses or fails at a line."""
    ends = [_check_config_file(data, name) for name in ("fuzz.toml", "fuzz.json", "pyproject.toml")]
    return "parsed" if ends[0] == "parsed" else "error"


def _check_config_file(data: bytes, name: str) -> str:
    try:
        values = parse_values(data, Path(name))
    except config_file.ConfigFileError as error:
        assert error.location is not None, f"error without a location: {error}"
        text = data.decode("utf-8", "replace")
        assert 1 <= error.location.line <= text.count("\n") + 1, (error.location.line, text.count("\n"))
        assert str(error).startswith(f"{name}:{error.location.line}: ")
        return "error"
    assert set(values) <= {option.name for option in OPTIONS}
    return "parsed"
