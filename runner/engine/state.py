"""The state a test's interpreter keeps besides its sessions: the switches, the one-shot
modifiers waiting for the next statement, and the test's folders."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from runner.render.transforms import RegexReplace, StringReplace


@dataclass(slots=True)
class Toggles:
    """The enable_*/disable_* switches that stay until changed."""

    query_log: bool = True
    result_log: bool = True
    warnings: bool = True
    info: bool = False
    session_track_info: bool = False
    metadata: bool = False
    column_names: bool = True
    vertical: bool = False
    abort_on_error: bool = True
    connect_log: bool = True
    reconnect: bool = False


# Toggles whose state mysqltest publishes as $ENABLED_<NAME>.
TOGGLE_VARIABLES = {
    "query_log": "ENABLED_QUERY_LOG",
    "result_log": "ENABLED_RESULT_LOG",
    "warnings": "ENABLED_WARNINGS",
    "info": "ENABLED_INFO",
    "session_track_info": "ENABLED_STATE_CHANGE_INFO",
    "metadata": "ENABLED_METADATA",
    "column_names": "ENABLED_COLUMN_NAMES",
    "abort_on_error": "ENABLED_ABORT_ON_ERROR",
    "connect_log": "ENABLED_CONNECT_LOG",
}


@dataclass(slots=True)
class Modifiers:
    """One-shot modifiers waiting for the next statement (or echo/exec) to use them."""

    regexes: tuple[RegexReplace, ...] = ()
    strings: StringReplace | None = None
    replace_column: dict[int, str] | None = None
    sorted: bool = False
    lowercase: bool = False
    vertical: bool | None = None

    def any(self) -> bool:
        return bool(
            self.regexes or self.strings or self.replace_column or self.sorted or self.lowercase
            or self.vertical is not None
        )


@dataclass(slots=True)
class TestPaths:
    test_file: Path
    basedir: Path  # where `source include/…` resolves, as mysqltest's --basedir
    suite_dir: Path
    vardir: Path
    tmpdir: Path
