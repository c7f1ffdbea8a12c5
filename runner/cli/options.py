"""The command line's part in resolving options: which were typed, and a typer command whose
parameters arrive resolved (command line > ``TIDB_*`` environment > config file > default).

A command declared with ``cls=ResolvedCommand`` gets, for each parameter the schema knows, the
resolved value instead of typer's default; the whole resolution (with every value's origin, and the
options plugins added) is ``resolution(ctx)`` inside the command. A secret (the password) is not put
into the parameters: only a typed one is there; the rest is for ``runner.config.settings.settle``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from typer.core import TyperCommand

from runner.config.schema import OPTIONS
from runner.config.settings import config_path, resolve_options
from runner.config.sources import Resolution

_META_KEY = "tidbrun.resolution"
BUILTIN_NAMES = frozenset(option.name for option in OPTIONS)


def typed(ctx: typer.Context) -> tuple[dict[str, Any], dict[str, str]]:
    """The parameters given on the command line: their values, and the option as spelt (for origins)."""
    values: dict[str, Any] = {}
    names: dict[str, str] = {}
    for param in ctx.command.params:
        name = param.name
        if name is None or name not in ctx.params:
            continue
        source = ctx.get_parameter_source(name)
        if source is not None and source.name == "COMMANDLINE":
            values[name] = ctx.params[name]
            names[name] = max(param.opts, key=len)
    return values, names


def resolve_typed(ctx: typer.Context) -> Resolution:
    """The options of ``ctx``'s command line, resolved with the plugins' options (the plugins are
    themselves an option: they are resolved first, then loaded)."""
    from runner import plugins

    cli, names = typed(ctx)
    given = ctx.params.get("config_path")
    path = config_path(Path(given) if given is not None else None)
    first = resolve_options(cli, config=path, strict=False)
    schema = plugins.activate(first["plugin"] or ()).options
    return resolve_options(cli, config=path, schema=schema, cli_names=names)


class ResolvedCommand(TyperCommand):
    """A typer command whose schema parameters are resolved before it runs."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        resolved = resolve_typed(ctx)
        ctx.meta[_META_KEY] = resolved
        for name, value in resolved.values.items():
            if name in ctx.params and not resolved.schema[name].secret:
                ctx.params[name] = value
        return super().invoke(ctx)

    def format_epilog(self, ctx: typer.Context, formatter: Any) -> None:  # type: ignore[override]
        """--help ends with the options installed plugins add (from their variable or the file;
        a --plugin module's are listed by ``tidbrun config show --plugin MODULE``)."""
        super().format_epilog(ctx, formatter)
        from runner import plugins

        added = [option for option in plugins.current().options if option.name not in BUILTIN_NAMES]
        if added:
            with formatter.section("Options plugins add (set in the config file or the environment)"):
                formatter.write_dl([(f"{option.place}, {option.variable}", option.help) for option in added])


def resolution(ctx: typer.Context) -> Resolution:
    """The resolution of a ``ResolvedCommand``, inside it."""
    resolved: Resolution = ctx.meta[_META_KEY]
    return resolved


def plugin_values(resolved: Resolution) -> dict[str, Any]:
    """The values of the options plugins added (``RunConfig.options``)."""
    return {name: value for name, value in resolved.values.items() if name not in BUILTIN_NAMES}
