"""wait_for_blocked: go on once a sent statement waits for a lock (no polling loop in the test)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from runner.engine.directives.registry import directive
from runner.engine.outcomes import TestInputError
from runner.engine.waits import parse_timeout, wait_for_blocked

if TYPE_CHECKING:
    from runner.engine.interpreter import Interpreter
    from runner.language.records import Command


@directive("wait_for_blocked")
def wait_for_blocked_(ctx: Interpreter, cmd: Command) -> None:
    words = ctx.expand(cmd.argument).split()
    if not words or len(words) > 2:
        raise TestInputError(cmd.location, "wait_for_blocked needs a connection name and optionally a timeout "
                                           "in seconds: wait_for_blocked con1 [10]")
    session = ctx.session_named(words[0], cmd.location)
    try:
        timeout = parse_timeout(words[1] if len(words) > 1 else "", ctx.reap_timeout, "wait_for_blocked")
    except ValueError as exc:
        raise TestInputError(cmd.location, str(exc)) from None
    wait_for_blocked(ctx, session, timeout, cmd.location)
