"""What the test hooks (``runner.hooks``) see of a test and its server."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from runner.engine.variables import Variables
    from runner.run.records import TestCase
    from runner.server.address import ServerAddress
    from runner.sessions.driver import Connection


@dataclass(slots=True)
class TestInfo:
    case: TestCase
    dialect: str  # "mysqltest", "mysql-tester", or a plugin's
    address: ServerAddress  # the server the test runs on
    variables: Variables  # the test's $variables (its environment and --var): set them in setup
    vardir: Path
    connect: Callable[[], Connection]  # a connection to the server, as the run's account
    options: Mapping[str, Any] = field(default_factory=dict)  # the values of the options plugins added

    @property
    def name(self) -> str:
        return self.case.name

    @property
    def path(self) -> Path:
        return self.case.path
