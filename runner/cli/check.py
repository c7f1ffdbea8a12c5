"""``tidbrun check``: can a run start here? The steps before a run's first test, shown one by one."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from runner.cli.options import resolve_typed
from runner.config.run_config import SERVER_BINARY_ENV, SERVER_ENV, server_from_environment
from runner.config.settings import settle
from runner.config.sources import Resolution
from runner.errors import EXIT_OK, EXIT_TEST_FAILED, EXIT_USAGE, TidbrunError
from runner.run.check import FAILED, OK, CheckReport, Step, Workflow, timed

HELP = """Check that tidbrun can run here, step by step with timings: configuration resolved, the
embedded server started (when no server is named), connecting (retrying transient errors as a run
does, for --connect-timeout seconds), SELECT 1, the database exists, version and flavour.

Options, variables and config files as for a run (tidbrun config show). Exit codes: 0 every step
passed; 1 a step failed (the server cannot be started, reached or used); 2 the configuration
cannot be read (a bad option, variable or config file).
"""

app = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False, help=HELP)


@app.command(help=HELP)
def check(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the steps as one JSON object (for machines).")]
    = False,
    host: Annotated[str | None, typer.Option(help="Server host (env TIDB_HOST); none: start an embedded one.")]
    = None,
    port: Annotated[int | None, typer.Option(help="Server port (env TIDB_PORT).")] = None,
    user: Annotated[str | None, typer.Option(help="User (env TIDB_USER; default root).")] = None,
    password: Annotated[str | None, typer.Option(help="Password (env TIDB_PASSWORD).", show_default=False)] = None,
    socket: Annotated[str | None, typer.Option(help="Unix socket of the server (env TIDB_SOCKET).")] = None,
    database: Annotated[str | None, typer.Option(help="Database that must exist (env TIDB_DATABASE; default test).")]
    = None,
    connect_timeout: Annotated[
        float | None, typer.Option(help="Seconds to keep trying to reach the server (default 5).")
    ] = None,
    server_kind: Annotated[
        str | None, typer.Option("--server", help="The embedded server: tidb, mariadb or mysql (env TIDB_SERVER).")
    ] = None,
    server_binary: Annotated[Path | None, typer.Option(help="The embedded server's program.")] = None,
    config_path: Annotated[Path | None, typer.Option("--config", help="Config file (TOML or JSON).")] = None,
    plugin: Annotated[list[str] | None, typer.Option("--plugin", metavar="MODULE", help="Load a plugin.")] = None,
) -> None:
    configuration = Step("configuration")
    resolved: Resolution | None = None
    with timed(configuration):
        try:
            resolved = resolve_typed(ctx)
            settings = settle(resolved)
        except TidbrunError as exc:
            configuration.status, configuration.detail = FAILED, str(exc)
    if resolved is None or configuration.status == FAILED:
        _finish(Workflow(server_from_environment(None, None, None, None, None, None, environ={}),
                         connect_timeout=1.0, configuration=configuration,
                         on_step=None if as_json else _show).run(), as_json, EXIT_USAGE)
        return
    values = resolved.values
    # As a run passes them on: through the environment, read where the server is started.
    if values["server_kind"] is not None:
        os.environ[SERVER_ENV] = values["server_kind"]
    if values["server_binary"] is not None:
        os.environ[SERVER_BINARY_ENV] = str(Path(values["server_binary"]).resolve())
    server = server_from_environment(values["host"], values["port"], values["user"], settings.password,
                                     values["socket"], values["database"], environ={})
    file = f"config file {resolved.file.path}" if resolved.file is not None else "no config file"
    where = server.socket or (f"{server.host or '127.0.0.1'}:{server.port or 3306}" if server.external else
                              "embedded")
    configuration.status = OK
    configuration.detail = f"{file}; server {where}; user {server.user}; password {settings.faults.password_source}"
    workflow = Workflow(server, connect_timeout=settings.faults.connect_timeout, configuration=configuration,
                        on_step=None if as_json else _show)
    report = workflow.run()
    _finish(report, as_json, EXIT_OK if report.ok else EXIT_TEST_FAILED)


def _show(step: Step) -> None:
    mark = {"ok": "ok", "failed": "FAILED", "skipped": "skipped"}[step.status]
    timing = f"{step.seconds * 1000:8.1f} ms" if step.status != "skipped" else " " * 11
    print(f"  {step.name:<20} {mark:<8} {timing}  {step.detail}".rstrip(), flush=True)


def _finish(report: CheckReport, as_json: bool, code: int) -> None:
    if as_json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        for step in report.steps:
            if step.status == "skipped":
                _show(step)
        failed = report.failed_step
        if failed is None:
            print(f"tidbrun check: all {len(report.steps)} steps passed in {report.seconds:.2f} s")
        else:
            print(f"tidbrun check: failed at '{failed.name}': {failed.detail}", file=sys.stderr)
    raise typer.Exit(code)
