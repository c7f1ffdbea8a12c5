"""Test arguments: paths, or ``suite.test`` names as tidbrun prints them, or ``--suite`` names of
a mysql-test tree; with the selection options, what the run keeps."""

from __future__ import annotations

import os
from pathlib import Path

from runner.config.selection import Selection
from runner.mtr.suites import find_basedir, suite_folders
from runner.run.names import resolve_name
from runner.run.select import check


def resolve_arguments(
    paths: list[Path],
    basedir: Path | None,
    do_test: list[str],
    skip_test: list[str],
    keyword: str | None,
    suites: list[str] | None = None,
) -> tuple[list[Path], Selection]:
    """Paths for the arguments (a ``suite.test`` name becomes its file; with ``--suite``, no
    argument or the tree itself becomes the suites' folders, and a bare test name is looked for
    in them) and the selection.

    ValueError with a one-line message for a name that is no test or several, a suite the tree
    does not have, or a pattern or expression that cannot be read."""
    roots = [basedir] if basedir is not None else []
    roots.append(Path.cwd())
    wanted = _suite_names(suites or [])
    tree = _tree(basedir, paths) if wanted else None
    folders = _folders(wanted, tree) if tree is not None else []
    if tree is not None:
        roots.append(tree)
    if not paths and not wanted:
        raise ValueError("give test files or folders, suite.test names, or --suite NAME")
    resolved: list[Path] = list(folders) if not paths else []
    only: list[tuple[str, str]] = []
    for path in paths:
        try:
            if path.exists():
                is_tree = tree is not None and Path(os.path.realpath(path)) == tree
                resolved.extend(folders if is_tree else [path])
                continue
        except OSError as exc:  # a name too long for the file system, a folder we may not enter...
            raise ValueError(f"cannot use the test argument {str(path)[:200]}: {exc.strerror or exc}") from None
        text = str(path)
        if wanted and "." not in text.split(" ", 1)[0]:  # mysql-test-run.pl's `--suite=x test`
            file, full = _in_suites(text, wanted, roots)
        else:
            file, full = resolve_name(text, roots)
        resolved.append(file)
        if full is not None:
            only.append((os.path.realpath(file), full))
    selection = Selection(tuple(do_test), tuple(skip_test), keyword, tuple(only), tuple(wanted))
    check(selection)
    return resolved, selection


def _suite_names(values: list[str]) -> list[str]:
    names: list[str] = []
    for value in values:
        names += [name.strip() for name in value.split(",") if name.strip() and name.strip() not in names]
    return names


def _tree(basedir: Path | None, paths: list[Path]) -> Path:
    """The mysql-test tree ``--suite`` names a suite of: --basedir's, else a named path's, else
    the current folder's."""
    for start in ([basedir] if basedir else []) + [p for p in paths if _exists(p)] + [Path.cwd()]:
        tree = find_basedir(start if start.is_dir() else start.parent)
        if tree is not None:
            return tree
    raise ValueError("--suite names suites of a mysql-test tree: give --basedir, or a path in the tree, "
                     "or run in it")


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # a name too long to be a file: the loop over the arguments says so
        return False


def _folders(names: list[str], tree: Path) -> list[Path]:
    folders: list[Path] = []
    for name in names:
        found = suite_folders(name, tree)
        if not found:
            raise ValueError(f"--suite {name}: no such suite in {tree}")
        folders += found
    return folders


def _in_suites(test: str, suites: list[str], roots: list[Path]) -> tuple[Path, str | None]:
    name, _, combination = test.partition(" ")
    for suite in suites:
        try:
            return resolve_name(f"{suite}.{name}" + (f" {combination}" if combination else ""), roots)
        except ValueError:
            continue
    raise ValueError(f"no test {test} in the suites {', '.join(suites)}")


def names_a_test(paths: list[Path]) -> bool:
    """Whether the arguments name a test (a file, or a ``suite.test`` name resolved to its file)
    rather than only folders: mysql-test-run.pl then turns ``--big-test`` on, since a test asked
    for by name is meant to run."""
    return any(not path.is_dir() for path in paths)
