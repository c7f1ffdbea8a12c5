"""Variables and control: let, inc, dec, source, echo, exit, skip, die, sleep, real_sleep, break."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from runner.engine.directives.registry import directive
from runner.engine.outcomes import BreakLoop, TestExit, TestFailure, TestSkipped
from runner.engine.variables import as_int
from runner.language.arguments import command_args, extra_argument

if TYPE_CHECKING:
    from runner.engine.interpreter import Interpreter
    from runner.language.records import Command, Location

_LET = re.compile(r"\s*(\$?[A-Za-z0-9_]+)\s*=\s*", re.DOTALL)
_VARIABLE = re.compile(r"\$[A-Za-z0-9_]+")


def query_get_value(ctx: Interpreter, text: str, location: Location) -> str:
    """``query_get_value(query, column, row)``: one value of a result, by column name and row."""
    open_paren = text.find("(")
    close_paren = text.rfind(")")
    if open_paren < 0 or close_paren < open_paren:
        raise TestFailure(location, "query_get_value needs (query, column name, row number)")
    inner = text[open_paren + 1 : close_paren]
    parts = inner.rsplit(",", 2)
    if len(parts) != 3:
        raise TestFailure(location, "query_get_value needs (query, column name, row number)")
    sql, column, row_text = (ctx.expand(p).strip() for p in parts)
    if len(sql) >= 2 and sql[0] == sql[-1] and sql[0] in "\"'":
        sql = sql[1:-1]
    if len(column) >= 2 and column[0] == column[-1] and column[0] in "\"'":
        column = column[1:-1]
    row = as_int(row_text)
    if row is None or row < 1:
        raise TestFailure(location, f"query_get_value: invalid row number '{row_text}'")
    names, rows = ctx.query_rows(sql, location)
    if column not in names:
        raise TestFailure(location, f"could not find column '{column}' in the result of '{sql}'")
    if row > len(rows):
        return "No such row"
    value = rows[row - 1][names.index(column)]
    return "NULL" if value is None else value


@directive("let")
def let(ctx: Interpreter, cmd: Command) -> None:
    m = _LET.match(cmd.argument)
    if m is None:
        raise TestFailure(cmd.location, f"let needs '$name = value': {cmd.argument.strip()[:80]}")
    name = m.group(1)
    rhs = cmd.argument[m.end() :]
    queried = rhs.lstrip().startswith(("`", "query_get_value"))
    # mysqltest's do_let evaluates the whole value, and then var_query_set (or
    # var_set_query_get_value) evaluates its query again: `\\\\` reaches the server as `\`.
    value = ctx.evaluate(ctx.expand(rhs) if queried else rhs, cmd.location)
    if value.startswith("$") and not queried:
        # mysqltest's var_set: a value that starts with $ once expanded names a variable
        # (include/rpl_change_topology.inc: let $_rpl_port= \$SERVER_MYPORT_$_rpl_master).
        variable = _VARIABLE.match(value)
        if variable is not None:
            if variable.end() != len(value):
                raise TestFailure(cmd.location, f"Found junk '{value[variable.end():]}' after $variable in expression")
            value = ctx.expand(value)
    if name.startswith("$"):
        ctx.variables.set(name[1:], value)
    else:
        ctx.variables.set_env(name, value)


def _step(ctx: Interpreter, cmd: Command, delta: int) -> None:
    name = cmd.argument.strip()
    if not name.startswith("$"):
        raise TestFailure(cmd.location, f"the argument to {cmd.name} must be a variable (start with $)")
    current = as_int(ctx.variables.get(name[1:]))
    if current is None:
        raise TestFailure(cmd.location, "cannot perform inc/dec on a non-numeric value")
    ctx.variables.set(name[1:], str(current + delta))


@directive("inc")
def inc(ctx: Interpreter, cmd: Command) -> None:
    _step(ctx, cmd, 1)


@directive("dec")
def dec(ctx: Interpreter, cmd: Command) -> None:
    _step(ctx, cmd, -1)


@directive("source")
def source(ctx: Interpreter, cmd: Command) -> None:
    (raw,), rest = command_args(cmd.argument.strip(), 1)
    junk = extra_argument(rest)
    if junk is not None:
        raise TestFailure(cmd.location, f"Extra argument '{junk}' passed to 'source'")
    name = ctx.expand(raw).strip()
    if not name:
        raise TestFailure(cmd.location, "source needs a file name")
    ctx.source(ctx.resolve_source(name, cmd.location), cmd.location, cmd.delimiter)


@directive("require")
def require(ctx: Interpreter, cmd: Command) -> None:
    name = ctx.expand(cmd.argument).strip()
    if not name:
        raise TestFailure(cmd.location, "require needs a file name")
    ctx.require_file = ctx.resolve_source(name, cmd.location)


@directive("delimiter")
def delimiter(ctx: Interpreter, cmd: Command) -> None:
    # The reader already applied it; running it only ends a pending --error, as in mysqltest.
    return None


@directive("echo", consumes_modifiers=True)
def echo(ctx: Interpreter, cmd: Command) -> None:
    ctx.out.append(ctx.expand(cmd.argument) + "\n")


@directive("exit")
def exit_(ctx: Interpreter, cmd: Command) -> None:
    raise TestExit()


@directive("skip")
def skip(ctx: Interpreter, cmd: Command) -> None:
    raise TestSkipped(ctx.expand(cmd.argument).strip(), cmd.location)


@directive("die")
def die(ctx: Interpreter, cmd: Command) -> None:
    raise TestFailure(cmd.location, ctx.expand(cmd.argument).strip() or "died")


# mysqltest: a number, then nothing but an end-of-line comment.
_SLEEP_ARGUMENT = re.compile(r"(\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)[ \t]*(?:#.*)?", re.DOTALL)


def _seconds(ctx: Interpreter, cmd: Command) -> float:
    text = ctx.expand(cmd.argument).strip()
    match = _SLEEP_ARGUMENT.fullmatch(text)
    if match is None:
        raise TestFailure(cmd.location, f"invalid argument to {cmd.name}: '{text}'")
    return float(match.group(1))


@directive("sleep")
def sleep(ctx: Interpreter, cmd: Command) -> None:
    ctx.sleep(_seconds(ctx, cmd))


@directive("real_sleep")
def real_sleep(ctx: Interpreter, cmd: Command) -> None:
    ctx.sleep(_seconds(ctx, cmd))


@directive("break")
def break_(ctx: Interpreter, cmd: Command) -> None:
    raise BreakLoop()
