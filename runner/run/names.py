"""Tests by name: ``suite.test`` (``main.alias``, ``main.innodb_ext_key 'covering,on'``) as
mysql-test-run.pl prints them, and back from such a name to the test file.

The suite is MTR's in a mysql-test tree (``main``, ``innodb``, ``spider/bugfix``); elsewhere it is the
folder that holds the test's ``t/`` (``suite/t/isolation.test`` is ``suite.isolation``), or the
test's own folder.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from runner.mtr.suites import find_basedir, suite_of_test
from runner.plugins import current as current_plugins
from runner.run.records import TestCase


@functools.lru_cache(maxsize=4096)
def _mtr_suite(folder: str, file: str) -> str | None:
    base = find_basedir(Path(folder))
    if base is None:
        return None
    return suite_of_test(Path(file), base).name


def suite_name(path: Path, name: str) -> str:
    """The suite of the test file ``path`` whose run is named ``name`` (its combination ignored)."""
    absolute = Path(os.path.abspath(path))
    mtr = _mtr_suite(str(absolute.parent), str(absolute))
    if mtr is not None:
        return mtr
    # A name with folders (``executor/delete``) sits that many folders below its t/.
    depth = name.split(" ", 1)[0].count("/")
    parents = absolute.parents
    folder = parents[min(depth, len(parents) - 1)]
    if folder.name == "t":
        folder = folder.parent
    return folder.name or "tests"


def display_name(case: TestCase) -> str:
    """``suite.test``, with the combination when the run is one: the name to paste back."""
    return f"{suite_name(case.path, case.name)}.{case.name}"


class UnknownTestName(ValueError):
    """A ``suite.test`` argument that names no test, or more than one."""


def split_name(text: str) -> tuple[str, str, str | None] | None:
    """(suite, test, combination or None) of ``suite.test ['combination']``; None: not that form."""
    if text.endswith(_suffixes()) or text.startswith(("/", "./", "../", "~")):
        return None  # a file's name, not a test's
    head, _, combination = text.partition(" ")
    suite, dot, test = head.partition(".")
    if not dot or not suite or not test:
        return None
    combo: str | None = None
    if combination:
        combination = combination.strip()
        if len(combination) < 2 or combination[0] != "'" or combination[-1] != "'":
            return None
        combo = combination[1:-1]
    return suite, test, combo


def _candidates(root: Path, suite: str, test: str) -> list[Path]:
    return [path for suffix in _suffixes() for path in _candidates_of(root, suite, f"{test}{suffix}")]


def _suffixes() -> tuple[str, ...]:
    """The endings of the registered kinds' test files (``.test``, ``.py``, ``.test.j2``...)."""
    return tuple(kind.suffix for kind in current_plugins().kinds.all)


def _candidates_of(root: Path, suite: str, file: str) -> list[Path]:
    found = [
        root / suite / "t" / file, root / suite / file,
        root / "suite" / suite / "t" / file, root / "suite" / suite / file,
    ]
    if suite == "main":
        found += [root / "main" / file, root / "t" / file]
    if root.name == suite:
        found += [root / "t" / file, root / file]
    try:
        plugins = sorted((root / "plugin").iterdir()) if (root / "plugin").is_dir() else []
    except OSError:
        plugins = []
    for plugin in plugins:
        found += [plugin / suite / "t" / file, plugin / suite / file]
    return found


def resolve_name(text: str, roots: list[Path]) -> tuple[Path, str | None]:
    """The test file a ``suite.test`` name stands for, looked for under ``roots`` (and the
    mysql-test tree of each), and the run's full name when a combination was named.

    UnknownTestName when no file or several have that name."""
    parts = split_name(text)
    if parts is None:
        raise UnknownTestName(f"no such test file or folder: {text}")
    suite, test, combination = parts
    wanted = f"{suite}.{test}"
    searched: list[Path] = []
    for root in roots:
        tree = find_basedir(root)
        for folder in (root, root / "mysql-test", tree):
            if folder is not None and folder.is_dir() and folder.resolve() not in searched:
                searched.append(folder.resolve())
    matches: dict[Path, Path] = {}
    for root in searched:
        for candidate in _candidates(root, suite, test):
            try:
                if not candidate.is_file():
                    continue
            except OSError:  # a name too long to be a file: not this candidate
                continue
            real = candidate.resolve()
            if real in matches:
                continue
            name = _bare_name(candidate)
            if f"{suite_name(candidate, name)}.{name}" == wanted:
                matches[real] = candidate
    if not matches:
        raise UnknownTestName(f"no such test file or folder, nor a test named so: {text}")
    if len(matches) > 1:
        listed = ", ".join(str(path) for path in matches.values())
        raise UnknownTestName(f"{wanted} names more than one test: {listed}")
    path = next(iter(matches.values()))
    return path, (f"{wanted} '{combination}'" if combination is not None else None)


def _bare_name(path: Path) -> str:
    from runner.run.suite import discover

    return discover([path])[0].name
