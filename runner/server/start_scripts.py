"""A test's ``-master.sh`` and ``-slave.sh``: shell scripts mysql-test-run.pl runs before it starts
the server whose config group says ``#!run-master-sh`` or ``#!run-slave-sh`` (they prepare files the
server will read: a symlink in the vardir, a file removed from the datadir)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from runner.errors import ServerUnavailable


def run_script(script: Path, vardir: Path) -> None:
    """A test's ``-master.sh`` or ``-slave.sh``, as mysql-test-run.pl runs it before starting a server."""
    env = {**os.environ, "MYSQLTEST_VARDIR": str(vardir), "MYSQL_TMP_DIR": str(vardir / "tmp")}
    proc = subprocess.run(["/bin/sh", str(script)], env=env, capture_output=True, timeout=120, check=False)
    if proc.returncode != 0:
        output = (proc.stdout + proc.stderr).decode(errors="replace").strip()
        raise ServerUnavailable(f"{script.name} failed (exit {proc.returncode}): {output[-500:]}")
