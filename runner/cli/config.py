"""``tidbrun config init|show``: write a commented config file, or print the resolved options and
where each came from. Both take any run option (as ``tidbrun`` takes it) after their own."""

from __future__ import annotations

import copy
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

import typer

from runner.cli.app import app as run_app
from runner.cli.options import resolve_typed, typed
from runner.config.credentials.password import split_short_option
from runner.config.render import render
from runner.errors import EXIT_USAGE

HELP = """Write or show tidbrun's configuration.

Every run option has a place in a config file ([section] key), a TIDB_<NAME> variable and a
default; the command line goes over the environment, which goes over the file. Options that
plugins add (--plugin, or installed ones) are listed too.
"""

# Run options follow the subcommand's own: `tidbrun config init --format json --host db -j 4`.
_EXTRA = {"allow_extra_args": True, "ignore_unknown_options": True}

app = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False, help=HELP,
                  no_args_is_help=True)


@app.command(context_settings=_EXTRA, help="""Write a config file with the run options given (and every other option,
commented out with its default and help). TOML has # comments; JSON has none, so each option's help
is a "$key" entry next to it (keys starting with $ are ignored when the file is read). A file that
exists is kept unless --force; one that holds a password is made readable by its owner only.
Any option of `tidbrun --help` may follow.""")
def init(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help="toml or json (default: by --output's extension, else toml).")]
    = "",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Where to write it; - for stdout (default ./tidbrun.<format>)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite a file that exists.")] = False,
) -> None:
    run_options = parse_run_options(ctx.args, ctx.command_path)
    given, _ = typed(run_options)
    resolved = resolve_typed(run_options)
    chosen = fmt or ("json" if output is not None and output.suffix.lower() == ".json" else "toml")
    if chosen not in ("toml", "json"):
        _usage(f"--format {chosen!r}: use toml or json")
    values = {name: resolved[name] for name in given if name in resolved.schema}
    text = render(resolved.schema, values, chosen)
    if output is not None and str(output) == "-":
        sys.stdout.write(text)
        return
    target = output or Path(f"tidbrun.{chosen}")
    if target.exists() and not force:
        _usage(f"{target} exists (--force overwrites it)")
    secret = any(resolved.schema[name].secret for name in values)
    _write(target, text, private=secret)
    print(f"tidbrun: wrote {target}" + (" (mode 600: it holds a password)" if secret else ""), file=sys.stderr)


@app.command(context_settings=_EXTRA, help="""Print every option's resolved value and where it came from: cli (the
option as typed), env (the variable), file (file:line) or default. A password is shown only as set or
not, with its source. Any option of `tidbrun --help` may follow.""")
def show(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="As one JSON object, for machines.")] = False,
) -> None:
    resolved = resolve_typed(parse_run_options(ctx.args, ctx.command_path))
    source = str(resolved.file.path) if resolved.file is not None else None
    if as_json:
        document: dict[str, Any] = {"file": source, "options": {}}
        for option in resolved.schema:
            value: Any = resolved.shown(option.name) if option.secret else _jsonable(resolved[option.name])
            document["options"][option.name] = {
                "value": value, "from": resolved.origin(option.name), "place": option.place,
                "env": option.variable,
            }
        print(json.dumps(document, indent=2))
        return
    from tabulate import tabulate

    print(f"# config file: {source or '(none)'}")
    for section in resolved.schema.sections:
        rows = [(option.file_key, resolved.shown(option.name), resolved.origin(option.name))
                for option in resolved.schema if option.section == section]
        print(f"[{section}]")
        print(tabulate(rows, tablefmt="plain", disable_numparse=True))


def _jsonable(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    return value


def _write(target: Path, text: str, *, private: bool) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
        if private:
            os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(text)
    except OSError as exc:
        _usage(f"cannot write {target}: {exc.strerror}")


def _usage(message: str) -> None:
    print(f"tidbrun: {message}", file=sys.stderr)
    raise typer.Exit(EXIT_USAGE)


def parse_run_options(
    args: Iterable[str], name: str = "tidbrun config", skip: Iterable[str] = ("paths", "version")
) -> typer.Context:
    """``args`` read with the run command's own option declarations (no test paths): what
    ``tidbrun config init/show`` take."""
    command = copy.copy(typer.main.get_command(run_app))
    left_out = set(skip)
    command.params = [param for param in command.params if param.name not in left_out]
    context: typer.Context = command.make_context(name, split_short_option(list(args)))  # type: ignore[assignment]
    return context
