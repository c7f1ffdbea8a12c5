"""Which MTR suite a file belongs to, and the suite's folders.

MTR keeps three folders per suite (``process_suite`` in ``mtr_cases.pm``): ``dir`` (where
``disabled.def``, ``suite.opt`` and ``combinations`` live), ``tdir`` (``dir/t`` when it exists, else
``dir``) and ``rdir`` (``dir/r`` when it exists, else ``tdir``). The main suite is special:
its tests live in ``mysql-test/main`` but its ``suite.pm`` is ``mysql-test/suite.pm``, and the
keys of that ``suite.pm``'s ``skip_combinations`` are relative to ``mysql-test/`` itself.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

_MTR_SCRIPTS = ("mariadb-test-run.pl", "mysql-test-run.pl")


@dataclass(frozen=True, slots=True)
class Suite:
    name: str
    dir: Path  # MTR's $suite->{dir}
    tdir: Path  # where the .test files are
    rdir: Path  # where the .result/.rdiff files are
    pm_dir: Path  # folder of the suite.pm; skip_combinations keys are relative to it
    basedir: Path  # the mysql-test folder ($::glob_mysql_test_dir)
    # An overlay (plugin/<p>/<suite> extending suite <suite>) is named "<suite>-<p>"; MTR merges it
    # with its parent (files, options, combinations, results), which this package does not do.
    overlay_of: str | None = None

    @property
    def pm(self) -> Path:
        return self.pm_dir / "suite.pm"


def find_basedir(start: Path) -> Path | None:
    """The mysql-test folder above ``start`` (the one holding mysql-test-run.pl), physical path."""
    here = Path(os.path.realpath(start))
    for candidate in (here, *here.parents):
        if any((candidate / name).is_file() for name in _MTR_SCRIPTS) and (candidate / "lib").is_dir():
            return candidate
    return None


def is_build_tree(basedir: Path) -> bool:
    # mtr_cases.pm: `if (-d '../sql')`, evaluated in the mysql-test folder.
    return (basedir.parent / "sql").is_dir()


def _plugin_suitedir_regex(basedir: Path) -> str:
    if is_build_tree(basedir):
        return r"\b(?:storage|plugin|storage[/][^/]*)/\w+/mysql-test\b"
    return r"\bmysql-test/plugin/\w+\b"


def suite_for_file(path: Path, basedir: Path) -> tuple[str, Path]:
    """MTR's ``suite_for_file``: (suite name, folder whose suite.pm governs ``path``).

    Used by MTR for files outside the test's own suite folder (e.g. ``include/*.inc``), to find
    whose ``skip_combinations`` apply to them. Matching is on the path text, as in MTR.
    """
    text = str(path)
    plugin = _plugin_suitedir_regex(basedir)
    for pattern in (rf"^(.*/{plugin}/(\w+))/", r"^(.*/mysql-test/suite/(\w+))/"):
        match = re.match(pattern, text, re.ASCII)
        if match:
            return match.group(2), Path(match.group(1))
    match = re.match(r"^(.*/mysql-test)/", text, re.ASCII)
    if match:
        return "main", Path(match.group(1))
    # MTR dies here ("Cannot determine suite"); a tree not named mysql-test is governed by basedir.
    return "main", basedir


def make_suite(name: str, suite_dir: Path, basedir: Path, overlay_of: str | None = None) -> Suite:
    tdir = suite_dir / "t" if (suite_dir / "t").is_dir() else suite_dir
    rdir = suite_dir / "r" if (suite_dir / "r").is_dir() else tdir
    pm_dir = basedir if name == "main" else suite_dir
    return Suite(name=name, dir=suite_dir, tdir=tdir, rdir=rdir, pm_dir=pm_dir, basedir=basedir, overlay_of=overlay_of)


def suite_of_test(test: Path, basedir: Path | None = None) -> Suite:
    """The suite of a ``.test`` file, named as MTR names it (``main``, ``innodb``, ``spider/bugfix``)."""
    real = Path(os.path.realpath(test))
    base = Path(os.path.realpath(basedir)) if basedir is not None else find_basedir(real.parent)
    folder = real.parent
    suite_dir = folder.parent if folder.name == "t" else folder
    if base is None:
        return make_suite(suite_dir.name, suite_dir, suite_dir)
    if suite_dir == base / "main":
        return make_suite("main", suite_dir, base)
    try:
        relative = suite_dir.relative_to(base).parts
    except ValueError:
        relative = suite_dir.parts[-1:]
    if len(relative) >= 2 and relative[0] == "suite":
        name = "/".join(relative[1:])
    elif len(relative) >= 3 and relative[0] == "plugin":
        name = "/".join(relative[2:])
        if name == "main" or (base / "suite" / name).is_dir():
            # An overlay: MTR runs it as "<suite>-<plugin>" on top of the suite it extends.
            return make_suite(f"{name}-{relative[1]}", suite_dir, base, overlay_of=name)
    else:
        name = "/".join(relative) or suite_dir.name
    return make_suite(name, suite_dir, base)


def path_of_test(suite: Suite, tname: str) -> Path:
    """Where MTR expects test ``tname`` of ``suite``: ``"$tdir/$tname.test"``."""
    return suite.tdir / f"{tname}.test"


def suite_folders(name: str, basedir: Path) -> list[Path]:
    """The folders of the suite ``--suite NAME`` runs in the mysql-test tree ``basedir``:
    ``main``, ``suite/NAME`` and ``plugin/<plugin>/NAME`` (``spider/bugfix`` is a suite of the
    spider plugin); empty when the tree has no such suite."""
    candidates = [basedir / "main"] if name == "main" else [basedir / "suite" / name]
    plugins = basedir / "plugin"
    try:
        candidates += sorted(folder / name for folder in plugins.iterdir()) if plugins.is_dir() else []
    except OSError:
        pass
    # An overlay (plugin/<p>/main) is a suite of its own name here (main-<p>): not this one.
    return [folder for folder in candidates
            if folder.is_dir() and suite_of_test(folder / "x.test", basedir).name == name]
