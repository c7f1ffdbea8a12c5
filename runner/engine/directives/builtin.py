"""tidbrun's own directives, registered through the plugin hook a plugin uses."""

from __future__ import annotations

from typing import TYPE_CHECKING

from runner.engine.directives import (
    blocking,
    budgets,
    chaos,
    connections,
    files,
    flow,
    optimizer_trace,
    output,
    queries,
    replication,
    server,
    tidb,
)
from runner.hooks import hookimpl

if TYPE_CHECKING:
    from runner.engine.directives.registry import Registering

MODULES = (queries, connections, flow, output, files, tidb, blocking, server, replication, optimizer_trace, budgets,
           chaos)


@hookimpl
def tidbrun_add_directives(directives: Registering) -> None:
    # Every dialect falls back to these for a command it has no handler of its own for.
    for module in MODULES:
        directives.add_module(module)
