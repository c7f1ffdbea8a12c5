"""mariadb-test's ``--optimizer_trace``: the next statement runs with the optimizer trace on, and
the trace (``information_schema.optimizer_trace``) is shown after its result.

Measured on mariadb-test 10.11: the command switches the trace on at once, on the current
connection, saving ``@@optimizer_trace`` each time (a second command before the first was used up
saves "enabled=on", and that is what comes back). The next statement that succeeds uses it up:
with the result log on, the trace follows that statement's result and warnings, in its view
(replace_*, sorted_result, vertical, info); then the saved value is restored (with
``enable_info`` the restore prints its own ``affected rows: 0``). A statement that fails leaves
the trace waiting for the next one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from runner.engine.directives.registry import directive
from runner.engine.outcomes import TestFailure

if TYPE_CHECKING:
    from runner.engine.interpreter import Interpreter
    from runner.language.records import Command
    from runner.render.base import View
    from runner.sessions.session import Session

# mariadb-test's own statements, spelling ("optimzer") included: a test may read the variable.
ENABLE = 'set @mysqltest_save_optimzer_trace=@@optimizer_trace,@@optimizer_trace="enabled=on"'
SHOW = "SELECT * from information_schema.optimizer_trace"
RESTORE = "set @@optimizer_trace=@mysqltest_save_optimzer_trace"


@directive("optimizer_trace")
def optimizer_trace(ctx: Interpreter, cmd: Command) -> None:
    outcome = ctx.session(cmd.location).execute(ENABLE)
    if outcome.error is not None:
        raise TestFailure(cmd.location, f"optimizer_trace: cannot switch the trace on: {outcome.error.message}")
    if show_trace not in ctx.after_statement:
        ctx.after_statement.append(show_trace)


def show_trace(ctx: Interpreter, session: Session, view: View, chunks: list[str]) -> None:
    ctx.after_statement.remove(show_trace)
    if view.result_log:
        trace = session.execute(SHOW)
        if trace.error is None:
            chunks.append(ctx.dialect.outcome(trace, None, view))
    restore = session.execute(RESTORE)
    if view.result_log and view.info and restore.error is None:
        chunks.append(ctx.dialect.results(restore.results, view))
