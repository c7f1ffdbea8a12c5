"""shutdown_server [timeout]: stop the server the current connection is on, as mysqltest does;
send_shutdown: only ask it to stop.

mysqltest (``do_shutdown_server``) asks the server for its pid file (``SHOW VARIABLES LIKE
'pid_file'``), reads the pid from it, sends a shutdown and waits up to ``timeout`` seconds (60 by
default) for the process to go; then SIGABRT and up to ``max(timeout, 5)`` more seconds, then
SIGKILL. ``timeout`` 0 kills the server at once with SIGKILL. So it works on any server on this
machine whose pid file tidbrun can read — the embedded one or one given with --host/--socket.

Whether the server comes back is not this command's business: under mysql-test-run.pl's
protocol the test has written an expect file first, and whoever runs the server restarts it
(``runner.server.expect`` for tidbrun's embedded server).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import time
from pathlib import Path
from typing import TYPE_CHECKING

from runner.engine.directives.files import command_outcome
from runner.engine.directives.registry import directive
from runner.engine.outcomes import TestFailure

if TYPE_CHECKING:
    from runner.engine.interpreter import Interpreter
    from runner.language.records import Command

DEFAULT_TIMEOUT = 60  # mysqltest: --wait-for-pos-timeout (300) / 5
POLL_SECONDS = 0.05
_ATOI = re.compile(r"\s*([+-]?\d+)")


@directive("shutdown_server")
def shutdown_server(ctx: Interpreter, cmd: Command) -> None:
    timeout = _timeout(ctx, cmd)
    pid = _server_pid(ctx, cmd)
    session = ctx.session(cmd.location)
    if timeout:
        # mysql_shutdown(): an error goes through --error like a statement's.
        expected = ctx.take_expected()
        outcome = session.execute("SHUTDOWN")
        if outcome.error is not None:
            chunks: list[str] = []
            try:
                ctx.accept_error(outcome.error, expected, ctx.view(), chunks, f"query '{cmd.text}'", cmd.location)
            finally:
                ctx.out.extend(chunks)
            return
    if not _stop(ctx, pid, timeout):
        return
    # The server said its last words on this connection as it went (1927, "Connection was killed").
    # MariaDB's client library never reads them: the next statement finds the connection gone
    # (2006/2013). MySQL's (the C driver's) reads them as the next statement's answer: read them
    # here, so that the test's next statement sees what mysqltest's does.
    with contextlib.suppress(Exception):
        session.connection.execute("SELECT 1")


@directive("send_shutdown")
def send_shutdown(ctx: Interpreter, cmd: Command) -> None:
    """mysql_shutdown() on the current connection, and nothing more: the test waits for the server
    to go (``include/wait_until_disconnected.inc``) and for the restart its expect file asks for."""
    # mysqltest checks mysql_shutdown()'s return value, 1 on any error, against --error.
    failed = ctx.session(cmd.location).execute("SHUTDOWN").error is not None
    command_outcome(ctx, cmd, 1 if failed else 0, 0, -1)


def _stop(ctx: Interpreter, pid: int, timeout: int) -> bool:
    """The shutdown sent (``timeout`` > 0): wait, then SIGABRT, then SIGKILL. Whether it went."""
    if timeout and _wait_until_dead(ctx, pid, timeout):
        return True
    if timeout:
        _signal(pid, signal.SIGABRT)
        if _wait_until_dead(ctx, pid, max(timeout, 5)):
            return True
    _signal(pid, signal.SIGKILL)
    return _wait_until_dead(ctx, pid, 5)


def _timeout(ctx: Interpreter, cmd: Command) -> int:
    text = ctx.expand(cmd.argument).strip()
    if not text:
        return DEFAULT_TIMEOUT
    word = text.split()[0]
    if re.fullmatch(r"[+-]?\d+", word) is None:  # strtol, and nothing may follow the number
        raise TestFailure(cmd.location, f"Illegal argument for timeout: '{word}'")
    return max(int(word), 0)


def _server_pid(ctx: Interpreter, cmd: Command) -> int:
    outcome = ctx.session(cmd.location).execute("SHOW VARIABLES LIKE 'pid_file'")
    if outcome.error is not None:
        error = outcome.error
        raise TestFailure(
            cmd.location,
            f"'SHOW VARIABLES LIKE 'pid_file'' failed: {error.errno} {error.message}; "
            "Failed to get pid_file from server",
        )
    rows = next((result.rows for result in outcome.results if result.columns is not None), [])
    if not rows or len(rows[0]) < 2:
        raise TestFailure(cmd.location, "Failed to get pid_file from server")
    name = str(rows[0][1])
    try:
        with Path(name).open("rb") as handle:
            head = handle.read(32)
    except OSError:
        raise TestFailure(cmd.location, f"Failed to open file '{name}'") from None
    if not head:
        raise TestFailure(cmd.location, "pid file was empty")
    number = _ATOI.match(head.decode("latin-1"))
    pid = int(number.group(1)) if number is not None else 0
    if pid <= 0:  # atoi's 0; a negative pid would signal a process group
        raise TestFailure(cmd.location, "Pidfile didn't contain a valid number")
    return pid


def _wait_until_dead(ctx: Interpreter, pid: int, seconds: int) -> bool:
    """Whether ``pid`` is gone within ``seconds`` (mysqltest looks once a second; more often here)."""
    deadline = time.monotonic() + seconds
    while _alive(pid):
        if time.monotonic() >= deadline:
            return False
        ctx.sleep(POLL_SECONDS)
    return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process, still there
    # A child of tidbrun (the embedded server) that ended stays a zombie until it is waited
    # for: it has stopped all the same. (A zombie main thread whose other threads still run is
    # a process still ending.)
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="latin-1")
        threads = len(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return True
    return stat[stat.rfind(")") + 2 :][:1] not in ("Z", "X") or threads > 1


def _signal(pid: int, signum: signal.Signals) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass
