"""Statements and their expected errors: query, eval, send, send_eval, reap, query_vertical, error."""

from __future__ import annotations

from typing import TYPE_CHECKING

from runner.engine.directives.registry import directive
from runner.engine.expected_errors import ExpectedErrors

if TYPE_CHECKING:
    from runner.engine.interpreter import Interpreter
    from runner.language.records import Command


@directive("query", consumes_modifiers=True)
def query(ctx: Interpreter, cmd: Command) -> None:
    ctx.run_statement(cmd.argument, cmd.delimiter, cmd.location)


@directive("eval", consumes_modifiers=True)
def eval_(ctx: Interpreter, cmd: Command) -> None:
    ctx.run_statement(ctx.expand(cmd.argument), cmd.delimiter, cmd.location, written=cmd.argument)


@directive("evalp", consumes_modifiers=True)
def evalp(ctx: Interpreter, cmd: Command) -> None:
    # Runs the expanded statement but logs it as written (keeps secrets out of the result).
    ctx.run_statement(ctx.expand(cmd.argument), cmd.delimiter, cmd.location, shown=cmd.argument,
                      written=cmd.argument)


@directive("query_vertical", consumes_modifiers=True)
def query_vertical(ctx: Interpreter, cmd: Command) -> None:
    ctx.modifiers.vertical = True
    ctx.run_statement(cmd.argument, cmd.delimiter, cmd.location)


@directive("query_horizontal", consumes_modifiers=True)
def query_horizontal(ctx: Interpreter, cmd: Command) -> None:
    # In mysqltest this is a plain query: it does not switch vertical_results off.
    ctx.run_statement(cmd.argument, cmd.delimiter, cmd.location)


@directive("send", consumes_modifiers=True)
def send(ctx: Interpreter, cmd: Command) -> None:
    if not cmd.argument.strip():
        # A bare `send` sends the statement that follows it.
        ctx.send_next = True
        return
    ctx.run_statement(cmd.argument, cmd.delimiter, cmd.location, mode="send")


@directive("send_eval", consumes_modifiers=True)
def send_eval(ctx: Interpreter, cmd: Command) -> None:
    ctx.run_statement(ctx.expand(cmd.argument), cmd.delimiter, cmd.location, mode="send", written=cmd.argument)


@directive("reap", consumes_modifiers=True)
def reap(ctx: Interpreter, cmd: Command) -> None:
    ctx.run_statement("reap", cmd.delimiter, cmd.location, mode="reap")


@directive("error")
def error(ctx: Interpreter, cmd: Command) -> None:
    # A `#` ends the list: `--error ER_X # why` is common in MariaDB's suite. Blanks after the
    # list stay: mysqltest refuses `ER_X, ` (an empty last entry) but takes `ER_X,`.
    text = ctx.expand(cmd.argument).split("#", 1)[0].lstrip()
    if not text.strip():
        raise ValueError("error needs a list of error codes, names or S<SQLSTATE>")
    ctx.expected = ExpectedErrors.parse(text)
