"""What a plugin's directive handler gets: a small, stable view of the running test.

The interpreter's own attributes change as tidbrun does; a plugin written against this class
does not have to. Everything a directive usually needs is here:

``ctx.command``, ``ctx.argument`` (with ``$variables`` expanded), ``ctx.location``
    the command being run and where it is (file, line, include chain).
``ctx.echo(text)``
    append ``text`` to the test's output (what the result file holds), if the result log is on.
``ctx.query(sql)``
    run a statement on the current connection; its column names and rows (a server error fails
    the test, as a backtick expression does).
``ctx.session``
    the current connection (``name``, ``execute(sql) -> Outcome``).
``ctx.variables`` / ``ctx.expand(text)``
    the test's ``$variables`` (``get``, ``set``) and their expansion in a text.
``ctx.dialect``
    ``"mysqltest"`` or ``"mysql-tester"`` (or a plugin's dialect).
``ctx.fail(message)``
    stop the test as failed, at this command's line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

from runner.engine.outcomes import TestFailure

if TYPE_CHECKING:
    from runner.engine.interpreter import Interpreter
    from runner.engine.variables import Variables
    from runner.language.records import Command, Location
    from runner.sessions.session import Session


class DirectiveContext:
    __slots__ = ("_interpreter", "command")

    def __init__(self, interpreter: Interpreter, command: Command) -> None:
        self._interpreter = interpreter
        self.command = command

    @property
    def location(self) -> Location:
        return self.command.location

    @property
    def argument(self) -> str:
        command = self.command
        text = command.argument.strip()
        # mysql-tester's reader leaves the delimiter on a command in the statement form.
        if command.style == "delimited" and command.delimiter and text.endswith(command.delimiter):
            text = text[: -len(command.delimiter)].rstrip()
        return self._interpreter.expand(text)

    @property
    def dialect(self) -> str:
        return self._interpreter.profile.name

    @property
    def session(self) -> Session:
        return self._interpreter.session(self.command.location)

    @property
    def variables(self) -> Variables:
        return self._interpreter.variables

    def expand(self, text: str) -> str:
        return self._interpreter.expand(text)

    def echo(self, text: str) -> None:
        if self._interpreter.toggles.result_log:
            self._interpreter.out.append(text if text.endswith("\n") else text + "\n")

    def query(self, sql: str) -> tuple[list[str], list[tuple[str | None, ...]]]:
        return self._interpreter.query_rows(sql, self.command.location)

    def fail(self, message: str) -> NoReturn:
        raise TestFailure(self.command.location, message)
