"""Chaos directives: faults a test does to tidbrun's embedded server and to its own connections.

``--kill_server``                SIGKILL the server (no shutdown); connections see 2013/2006
``--restart_server [options]``   shut it down if it runs, start it on the same data, port and socket,
                                 with ``options`` added (until the next test, which gets its own)
``--pause_server``               SIGSTOP: statements wait, connections stay open
``--resume_server``              SIGCONT: the waiting statements get their answers
``--cut_connection NAME``        close the connection at its fault proxy; refuse reconnects
``--delay_connection NAME MS``   every answer on it arrives MS milliseconds later
``--heal_connection NAME``       the connection's proxy relays plainly again

The server directives need the server tidbrun started (a server given with --host or --socket is
not tidbrun's to kill). The connection directives need the connection to go through a fault
proxy, which every connection of a test that names one of them does (``runner.faults.proxy``).
None of them writes to the result: a test shows their effect by what its statements get.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from runner.engine.directives.registry import directive
from runner.engine.outcomes import TestFailure, TestInputError
from runner.faults.proxy import MAX_DELAY_SECONDS
from runner.server.control import ServerControlError

if TYPE_CHECKING:
    from runner.engine.interpreter import Interpreter
    from runner.faults.proxy import FaultProxy
    from runner.language.records import Command
    from runner.server.control import ServerControl

SERVER_DIRECTIVES = ("kill_server", "restart_server", "pause_server", "resume_server")
CONNECTION_DIRECTIVES = ("cut_connection", "delay_connection", "heal_connection")
_MILLISECONDS = re.compile(r"(\d+)(?:ms)?")
_NAME = re.compile(r"[^\s,;()]+")


def argument_error(name: str, argument: str) -> str | None:
    """What is wrong with a chaos directive's (expanded) argument; None when it is right."""
    words = argument.split()
    if name in ("kill_server", "pause_server", "resume_server"):
        return f"{name} takes no argument, not '{argument.strip()}'" if words else None
    if name == "restart_server":
        odd = next((word for word in words if not word.startswith("-")), None)
        return f"restart_server: '{odd}' is not a server option (options start with -)" if odd else None
    wanted = 2 if name == "delay_connection" else 1
    usage = f"{name} NAME MS" if wanted == 2 else f"{name} NAME"
    if len(words) != wanted:
        return f"usage: --{usage}"
    if _NAME.fullmatch(words[0]) is None:
        return f"{name}: '{words[0]}' is not a connection name"
    if wanted == 2:
        delay = _MILLISECONDS.fullmatch(words[1])
        if delay is None:
            return f"delay_connection: '{words[1]}' is not a number of milliseconds"
        if int(delay.group(1)) > MAX_DELAY_SECONDS * 1000:
            return f"delay_connection: {words[1]} is more than {MAX_DELAY_SECONDS * 1000:.0f} ms"
    return None


def _argument(ctx: Interpreter, cmd: Command) -> list[str]:
    text = ctx.expand(cmd.argument).strip()
    if cmd.style == "delimited" and cmd.delimiter and text.endswith(cmd.delimiter):
        text = text[: -len(cmd.delimiter)].rstrip()
    problem = argument_error(cmd.name, text)
    if problem is not None:
        raise TestInputError(cmd.location, problem)
    return text.split()


def _server(ctx: Interpreter, cmd: Command) -> ServerControl:
    control = ctx.server_control
    if control is None:
        raise TestFailure(
            cmd.location,
            f"--{cmd.name} needs the server tidbrun starts itself: a server given with --host or --socket "
            "is not tidbrun's to stop",
        )
    return control


def _act(cmd: Command, action: str, run: Callable[[], object]) -> None:
    try:
        run()
    except ServerControlError as exc:
        raise TestFailure(cmd.location, f"{action}: {exc}") from None


@directive("kill_server")
def kill_server(ctx: Interpreter, cmd: Command) -> None:
    _argument(ctx, cmd)
    _act(cmd, "kill_server", _server(ctx, cmd).kill)


@directive("restart_server")
def restart_server(ctx: Interpreter, cmd: Command) -> None:
    options = tuple(_argument(ctx, cmd))
    control = _server(ctx, cmd)
    _act(cmd, "restart_server", lambda: control.restart(options))


@directive("pause_server")
def pause_server(ctx: Interpreter, cmd: Command) -> None:
    _argument(ctx, cmd)
    _act(cmd, "pause_server", _server(ctx, cmd).pause)


@directive("resume_server")
def resume_server(ctx: Interpreter, cmd: Command) -> None:
    _argument(ctx, cmd)
    _act(cmd, "resume_server", _server(ctx, cmd).resume)


def _proxy(ctx: Interpreter, cmd: Command, name: str) -> FaultProxy:
    ctx.session_named(name, cmd.location)  # "connection 'x' not found in connection pool"
    faults = ctx.connection_faults
    proxy = faults.proxy(name) if faults is not None else None
    if proxy is None:
        raise TestFailure(
            cmd.location,
            f"connection '{name}' does not go through tidbrun's fault proxy (a test's connections do when "
            "the test or a file it sources names cut_connection, delay_connection or heal_connection)",
        )
    return proxy


@directive("cut_connection")
def cut_connection(ctx: Interpreter, cmd: Command) -> None:
    (name,) = _argument(ctx, cmd)
    _proxy(ctx, cmd, name).cut()


@directive("delay_connection")
def delay_connection(ctx: Interpreter, cmd: Command) -> None:
    name, milliseconds = _argument(ctx, cmd)
    _proxy(ctx, cmd, name).set_delay(int(milliseconds.removesuffix("ms")) / 1000)


@directive("heal_connection")
def heal_connection(ctx: Interpreter, cmd: Command) -> None:
    (name,) = _argument(ctx, cmd)
    _proxy(ctx, cmd, name).heal()
