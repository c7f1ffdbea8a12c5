"""A database of the test's own (mysql-tester's preProcess / postProcess).

Before the test: remember the databases there are, then create the test's database (it must not
exist yet); the test's connections use it. After the test: drop every database that was not there
before, the test's own and any the test created.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from runner.engine.outcomes import TestFailure
from runner.sessions.driver import Connection, ConnectParams


def quote_identifier(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


@dataclass(slots=True)
class PerTestDatabase:
    name: str | None  # None: the test runs in the run's database, nothing is made or dropped
    params: ConnectParams  # the run's connection; its database (`test`) must exist
    connect: Callable[[ConnectParams], Connection]
    _before: frozenset[str] | None = None

    def create(self) -> ConnectParams:
        """Make the test's database; returns the connection parameters that use it."""
        if self.name is None:
            return self.params
        connection = self.connect(self.params)
        try:
            before = _databases(connection)
            if self.name in before:
                raise TestFailure(None, f"database `{self.name}` already exists; the test needs it new")
            error = connection.execute(f"CREATE DATABASE {quote_identifier(self.name)}").error
            if error is not None:
                raise TestFailure(None, f"cannot create database `{self.name}`: {error.errno} {error.message}")
        finally:
            connection.close()
        self._before = before
        return replace(self.params, database=self.name)

    def drop(self) -> list[str]:
        """Drop the databases the test made; returns the problems met (the run goes on)."""
        if self._before is None:
            return []
        before, self._before = self._before, None
        problems: list[str] = []
        try:
            connection = self.connect(self.params)
        except Exception as exc:  # cleaning up must not hide the test's own outcome
            return [f"cannot connect to drop the test's databases: {exc}"]
        try:
            for name in sorted(_databases(connection) - before):
                error = connection.execute(f"DROP DATABASE {quote_identifier(name)}").error
                if error is not None:
                    problems.append(f"failed to drop database `{name}`: {error.message}")
        finally:
            connection.close()
        return problems


def _databases(connection: Connection) -> frozenset[str]:
    outcome = connection.execute("SHOW DATABASES")
    if outcome.error is not None:
        raise TestFailure(None, f"SHOW DATABASES failed: {outcome.error.message}")
    rows = outcome.results[0].rows if outcome.results else []
    return frozenset(row[0] for row in rows if row[0] is not None)
