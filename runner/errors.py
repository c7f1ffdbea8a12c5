"""The errors tidbrun reports to its user, and the exit codes they map to."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from runner.language.records import Location

EXIT_OK = 0
EXIT_TEST_FAILED = 1
EXIT_USAGE = 2


class TidbrunError(Exception):
    """An error tidbrun explains in one line; never shown as a traceback."""

    exit_code = EXIT_USAGE


class TestFileError(TidbrunError):
    """Malformed or unusable test input, reported as ``file:line: message``."""

    def __init__(self, location: Location | None, message: str) -> None:
        super().__init__(message)
        self.location = location
        self.message = message

    def __str__(self) -> str:
        if self.location is None:
            return self.message
        return f"{self.location.describe()}: {self.message}"


class ServerUnavailable(TidbrunError):
    """No server could be reached or started."""


class PluginError(TidbrunError):
    """A plugin that cannot be loaded, or whose hook or directive raised: the run stops (exit 2)."""

    def __init__(self, plugin: str, message: str) -> None:
        super().__init__(f"plugin '{plugin}': {message}")
        self.plugin = plugin
