"""The two built-in dialects, and mysql-tester's own commands, registered through the plugin hooks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from runner.dialects.mysql_tester import commands as tester_commands
from runner.dialects.mysql_tester.reader import TESTER_IMPLEMENTED
from runner.dialects.profile import MYSQL_TESTER, MYSQLTEST
from runner.hooks import hookimpl

if TYPE_CHECKING:
    from runner.engine.directives.registry import Registering
    from runner.plugins import DialectRegistering


@hookimpl
def tidbrun_add_dialects(dialects: DialectRegistering) -> None:
    dialects.add(MYSQLTEST)
    dialects.add(MYSQL_TESTER)


@hookimpl
def tidbrun_add_directives(directives: Registering) -> None:
    # mysql-tester's handlers for the commands it implements; for the others it knows (which it
    # skips), and tidbrun's own, the dialect falls back to the shared mysqltest handlers.
    for name in sorted(TESTER_IMPLEMENTED):
        entry = tester_commands.lookup(name)
        if entry is not None:
            directives.add(name, entry.handler, dialects=[MYSQL_TESTER.name], internal=True)
