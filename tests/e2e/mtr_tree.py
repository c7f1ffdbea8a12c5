"""A private mysql-test tree for tests that run tidbrun on a tree: the installed tree's framework
(``lib/``, ``include/``, ``std_data/``, ``suite.pm``, the MTR script) copied, and suites of the
test's own under ``suite/`` — a tree the test may fail in and check afterwards."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from tests.integration.conftest import MYSQL_TEST_DIR

FRAMEWORK = ("lib", "include", "std_data", "suite.pm", "mariadb-test-run.pl", "mysql-test-run.pl")


def have_installed_tree() -> bool:
    return (MYSQL_TEST_DIR / "mariadb-test-run.pl").is_file() and (MYSQL_TEST_DIR / "lib").is_dir()


def make_tree(root: Path, suites: tuple[str, ...] = ()) -> Path:
    """``root`` as a mysql-test tree holding copies of the installed ``suites`` (``period``)."""
    root.mkdir(parents=True, exist_ok=True)
    for name in FRAMEWORK:
        source = MYSQL_TEST_DIR / name
        if source.is_dir():
            shutil.copytree(source, root / name, symlinks=True)
        elif source.exists():
            shutil.copy2(source, root / name, follow_symlinks=True)
    for suite in suites:
        shutil.copytree(MYSQL_TEST_DIR / "suite" / suite, root / "suite" / suite, symlinks=True)
    return root


def fingerprint(root: Path) -> dict[str, str]:
    """Every file and link under ``root`` with a hash of its bytes (a link: of its target's name),
    and every folder: what a run must leave as it found it."""
    found: dict[str, str] = {}
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        for name in dirs:
            found[str((here / name).relative_to(root)) + "/"] = "folder"
        for name in files:
            path = here / name
            key = str(path.relative_to(root))
            if path.is_symlink():
                found[key] = "link " + os.readlink(path)
            else:
                found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found
