"""Test arguments: paths, or ``suite.test`` names as tidbrun prints them; with the selection
options, what the run keeps."""

from __future__ import annotations

import os
from pathlib import Path

from runner.config.selection import Selection
from runner.run.names import resolve_name
from runner.run.select import check


def resolve_arguments(
    paths: list[Path], basedir: Path | None, do_test: list[str], skip_test: list[str], keyword: str | None
) -> tuple[list[Path], Selection]:
    """Paths for the arguments (a ``suite.test`` name becomes its file) and the selection.

    ValueError with a one-line message for a name that is no test or several, or a pattern or
    expression that cannot be read."""
    roots = [basedir] if basedir is not None else []
    roots.append(Path.cwd())
    resolved: list[Path] = []
    only: list[tuple[str, str]] = []
    for path in paths:
        try:
            if path.exists():
                resolved.append(path)
                continue
        except OSError as exc:  # a name too long for the file system, a folder we may not enter...
            raise ValueError(f"cannot use the test argument {str(path)[:200]}: {exc.strerror or exc}") from None
        file, full = resolve_name(str(path), roots)
        resolved.append(file)
        if full is not None:
            only.append((os.path.realpath(file), full))
    selection = Selection(tuple(do_test), tuple(skip_test), keyword, tuple(only))
    check(selection)
    return resolved, selection


def names_a_test(paths: list[Path]) -> bool:
    """Whether the arguments name a test (a file, or a ``suite.test`` name resolved to its file)
    rather than only folders: mysql-test-run.pl then turns ``--big-test`` on, since a test asked
    for by name is meant to run."""
    return any(not path.is_dir() for path in paths)
