"""``tidbrun cache show|clean``: what tidbrun keeps in its cache folder, and removing it (options in,
the cache store asked; nothing else)."""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from typing import Annotated, Any, NoReturn

import typer

from runner.cli import values
from runner.errors import EXIT_USAGE
from runner.language.quantities import format_bytes
from runner.server import cache_store
from runner.server.bootstrap import default_cache_dir

HELP = """Show or clean tidbrun's cache ($XDG_CACHE_HOME/tidbrun, else ~/.cache/tidbrun).

It holds the bootstrapped data directories the embedded server starts from (templates, ~95 MB
each, one per server binary and bootstrap option set), MTR's bootstrap SQL, the durations of past
tests (durations.json, never removed) and `make tidb`'s build (removed only with --include-tidb).
A run on tidbrun's own server keeps its templates under --cache-max-size (default 5GB).
"""

app = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False, help=HELP,
                  no_args_is_help=True)


@app.command(help="""List the cache's entries, most recently used first within each kind: kind, name, size on
disk and last use; then the total.""")
def show(
    as_json: Annotated[bool, typer.Option("--json", help="As one JSON object, for machines.")] = False,
) -> None:
    cache_dir = default_cache_dir()
    found = cache_store.entries(cache_dir)
    total = sum(entry.size for entry in found)
    if as_json:
        document: dict[str, Any] = {
            "cache_dir": str(cache_dir),
            "total_bytes": total,
            "entries": [
                {"kind": entry.kind, "name": entry.name, "path": str(entry.path), "bytes": entry.size,
                 "last_used": _iso(entry.last_used)}
                for entry in found
            ],
        }
        print(json.dumps(document, indent=2))
        return
    print(f"# cache: {cache_dir}")
    if not found:
        print("(empty)")
        return
    from tabulate import tabulate

    now = time.time()
    rows = [(entry.kind, entry.name, format_bytes(entry.size), _when(entry.last_used, now)) for entry in found]
    print(tabulate(rows, headers=("kind", "name", "size", "last used"), tablefmt="simple", disable_numparse=True,
                   colalign=("left", "left", "right", "left")))
    templates = [entry for entry in found if entry.kind == cache_store.TEMPLATE]
    print(f"total: {format_bytes(total)} in {len(found)} entries "
          f"({len(templates)} templates: {format_bytes(sum(entry.size for entry in templates))})")


@app.command(help="""Remove cache entries, least recently used first: templates and bootstrap SQL (rebuilt on
demand in about a second), with --all also the small facts/ and rejects/, with --include-tidb also
`make tidb`'s build (about 10 CPU-minutes to rebuild). durations.json and anything unrecognised stay,
and so does an entry used in the last two minutes (a run may be copying it).""")
def clean(
    older_than: Annotated[
        float | None,
        typer.Option("--older-than", parser=values.duration, metavar="DURATION",
                     help="Remove entries last used longer ago than this: 12h, 7d, 2w."),
    ] = None,
    max_size: Annotated[
        int | None,
        typer.Option("--max-size", parser=values.size, metavar="SIZE",
                     help="Then remove the least recently used until the removable entries take at most "
                     "SIZE: 500MB, 2GB."),
    ] = None,
    everything: Annotated[bool, typer.Option("--all", help="Remove every entry that may be removed.")] = False,
    include_tidb: Annotated[
        bool, typer.Option("--include-tidb", help="May remove the TiDB build (tidb/<version>/) too.")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would be removed; remove nothing.")] = False,
) -> None:
    if everything and (older_than is not None or max_size is not None):
        _usage("--all removes every removable entry: give it without --older-than and --max-size")
    if not everything and older_than is None and max_size is None:
        _usage("say what to remove: --older-than DURATION, --max-size SIZE or --all")
    cache_dir = default_cache_dir()
    result = cache_store.prune(cache_dir, older_than=older_than, max_size=max_size, everything=everything,
                               include_tidb=include_tidb, dry_run=dry_run)
    verb = "would remove" if dry_run else "removed"
    now = time.time()
    for entry in result.removed:
        print(f"{verb} {entry.kind} {entry.name} ({format_bytes(entry.size)}, last used {_when(entry.last_used, now)})")
    for entry in result.kept_in_use:
        print(f"kept {entry.kind} {entry.name}: used {_when(entry.last_used, now)}, a run may be using it")
    for entry, reason in result.failed:
        print(f"tidbrun: could not remove {entry.path}: {reason}", file=sys.stderr)
    freed = "would free" if dry_run else "freed"
    print(f"{freed} {format_bytes(result.freed)} in {len(result.removed)} entries of {cache_dir}")
    if result.failed:
        raise typer.Exit(1)


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment).astimezone().isoformat(timespec="seconds")


def _when(moment: float, now: float) -> str:
    """``2026-12-06 07:32 (3h ago)``: the time to compare with a log, the age to judge by."""
    ago = max(0.0, now - moment)
    for unit, seconds in (("d", 86400), ("h", 3600), ("m", 60)):
        if ago >= seconds:
            age = f"{int(ago // seconds)}{unit} ago"
            break
    else:
        age = "just now"
    return f"{datetime.fromtimestamp(moment):%Y-%m-%d %H:%M} ({age})"


def _usage(message: str) -> NoReturn:
    print(f"tidbrun cache: {message}", file=sys.stderr)
    raise typer.Exit(EXIT_USAGE)

