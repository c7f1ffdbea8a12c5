"""The ``tidbrun`` command: options in, a RunConfig out, and the run started; nothing else."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from runner.config import DIALECTS, RunConfig, server_from_environment
from runner.errors import EXIT_USAGE, TestFileError, TidbrunError

HELP = """Run mysqltest-style .test files against a server and compare with their .result files.

With no --host/--port/--socket (and no TIDB_HOST), tidbrun starts a throwaway server of its own
from the binaries on PATH (tidb-server, else mariadbd/mysqld) and stops it afterwards.

Exit codes: 0 all tests passed or were skipped; 1 a test failed; 2 usage or input error
(a malformed .test, a missing file, a server that cannot be reached or started).
"""

app = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False, help=HELP)


@app.command(help=HELP)
def run(
    paths: Annotated[list[Path], typer.Argument(help="Test files, or folders of them (t/ subfolder is used).")],
    record: Annotated[bool, typer.Option("--record", help="Write .result files from this run.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Go on after a failing test.")] = False,
    dialect: Annotated[
        str | None, typer.Option(help="Result dialect: mysqltest or mysql-tester (default: by server flavour).")
    ] = None,
    parse_only: Annotated[bool, typer.Option("--parse-only", help="Check files, print their echo; no server.")] = False,
    host: Annotated[str | None, typer.Option(help="Server host (env TIDB_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Server port (env TIDB_PORT).")] = None,
    user: Annotated[str | None, typer.Option(help="User (env TIDB_USER; default root).")] = None,
    password: Annotated[str | None, typer.Option(help="Password (env TIDB_PASSWORD).", show_default=False)] = None,
    socket: Annotated[str | None, typer.Option(help="Unix socket of the server.")] = None,
    database: Annotated[str | None, typer.Option(help="Default database (env TIDB_DATABASE; default test).")] = None,
    basedir: Annotated[
        Path | None, typer.Option(help="mysql-test tree that `source include/...` resolves in.")
    ] = None,
    result_file: Annotated[Path | None, typer.Option(help="Result file for a single test.")] = None,
    reject_dir: Annotated[Path | None, typer.Option(help="Where .reject files go.")] = None,
    vardir: Annotated[Path | None, typer.Option(help="Working folder of the run (default: a temp dir).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show more on failures.")] = False,
) -> None:
    if dialect is not None and dialect not in DIALECTS:
        _usage(f"unknown dialect '{dialect}' (use {' or '.join(DIALECTS)})")
    missing = [p for p in paths if not p.exists()]
    if missing:
        _usage(f"no such test file or folder: {missing[0]}")
    if result_file is not None and len(paths) != 1:
        _usage("--result-file goes with exactly one test")
    if parse_only:
        from runner.lint import echo_lines
        from runner.render import dialect_named
        from runner.suite import find_basedir

        try:
            for path in paths:
                files = sorted(path.rglob("*.test")) if path.is_dir() else [path]
                for file in files:
                    base = basedir or find_basedir(file)
                    for line in echo_lines(file, dialect_named(dialect or "mysqltest"), base):
                        sys.stdout.buffer.write(line.encode("latin-1"))
        except TidbrunError as exc:
            print(f"{exc}", file=sys.stderr)
            raise typer.Exit(EXIT_USAGE) from None
        return
    config = RunConfig(
        paths=paths,
        server=server_from_environment(host, port, user, password, socket, database),
        dialect=dialect,
        record=record,
        force=force,
        basedir=basedir.resolve() if basedir else None,
        result_file=result_file,
        reject_dir=reject_dir,
        vardir=vardir,
        verbose=verbose,
    )
    from runner.main import execute

    raise typer.Exit(execute(config))


def _usage(message: str) -> None:
    print(f"tidbrun: {message}", file=sys.stderr)
    raise typer.Exit(EXIT_USAGE)


def main() -> None:
    try:
        app()
    except TestFileError as exc:
        print(str(exc), file=sys.stderr)
        sys.exit(EXIT_USAGE)
    except TidbrunError as exc:
        print(f"tidbrun: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        print("tidbrun: interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("TIDBRUN_DEBUG"):
            raise
        print(f"tidbrun: internal error: {type(exc).__name__}: {exc} (TIDBRUN_DEBUG=1 shows where)", file=sys.stderr)
        sys.exit(EXIT_USAGE)
