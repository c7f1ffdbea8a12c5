"""Where a failing test of a mysql-test tree leaves its ``.reject``: never in the tree.

mysql-test-run.pl points mysqltest's ``--logdir`` into its vardir, and mysqltest then writes the
``.reject`` there rather than beside the result. tidbrun does the same for any test whose result
lies in a mysql-test tree (an installed tree is often writable, as root): the run's reject folder
mirrors the tree (``suite/period/r/alter.reject``, ``main/alter.reject``), so tests of the same
name in different suites keep their own file. The folder is made only when a test fails.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from runner.mtr.suites import find_basedir as mysql_test_root


def tree_reject_folder(vardir: Path, throwaway: bool) -> Path:
    """The run's folder for a tree's rejects: ``<vardir>/rejects``, or beside a throwaway vardir
    (which is deleted at the end of the run) in the system's temp folder."""
    if throwaway:
        return Path(tempfile.gettempdir()) / f"{vardir.name}-rejects"
    return vardir / "rejects"


def tree_reject_path(result: Path, folder: Path, name: str) -> Path | None:
    """``name`` (the reject's file name) for ``result`` under ``folder``; None outside a tree."""
    root = mysql_test_root(result.parent)
    if root is None:
        return None
    where = Path(os.path.realpath(result.parent)).relative_to(root)
    return folder / where / name
