"""A reconnect logs into the database the connection chose last, as libmariadb's does: it learns
the database from the server's session state changes (``USE``, dropping the current one)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from runner.sessions.driver import ConnectParams, Outcome, ServerError
from runner.sessions.session import Session


@dataclass
class Recorded:
    params: ConnectParams
    statements: list[str] = field(default_factory=list)
    fail: bool = False

    def execute(self, sql: str) -> Outcome:
        self.statements.append(sql)
        return Outcome(error=ServerError(1049, "42000", "Unknown database") if self.fail else None)

    def close(self) -> None:
        pass


def session_with(opened: list[Recorded], database: str = "test") -> Session:
    def factory(params: ConnectParams) -> Recorded:
        opened.append(Recorded(params))
        return opened[-1]

    session = Session("default", ConnectParams("localhost", "root", database=database), factory)  # type: ignore[arg-type]
    session.connect()
    return session


@pytest.mark.parametrize(
    ("statements", "database"),
    [
        ([], "test"),
        (["USE `....`"], "...."),
        (["use mysql"], "mysql"),
        (["  USE\t`a``b`;"], "a`b"),
        (["USE d1", "DROP DATABASE d1"], ""),
        (["USE d1", "drop schema if exists `d1`"], ""),
        (["USE d1", "DROP DATABASE d2"], "d1"),
        (["USEFUL"], "test"),
        (["SELECT 1"], "test"),
    ],
)
def test_reconnect_goes_to_the_last_database(statements: list[str], database: str) -> None:
    opened: list[Recorded] = []
    session = session_with(opened)
    for sql in statements:
        session.execute(sql)
    session.reconnect()
    assert opened[-1].params.database == database


def test_a_failed_use_changes_nothing() -> None:
    opened: list[Recorded] = []
    session = session_with(opened)
    opened[-1].fail = True
    session.execute("USE nowhere")
    session.reconnect()
    assert opened[-1].params.database == "test"


def test_a_reaped_use_counts_too() -> None:
    opened: list[Recorded] = []
    session = session_with(opened)
    session.send("USE d2")
    session.reap(5)
    session.reconnect()
    assert opened[-1].params.database == "d2"
