"""Results kept as a patch: MTR stores a combination's result as ``<test>,<combination>.rdiff``,
a unified diff against the plain ``.result``. Applied and made with the ``patch`` and ``diff``
programs, as mysql-test-run.pl does (it skips such runs where ``patch`` is missing)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from runner.errors import TidbrunError
from runner.judge.compare import read_result
from runner.sessions.driver import ENCODING


class RdiffError(TidbrunError):
    """The patch does not apply, or a program is missing."""


def patched_result(base: Path, rdiff: Path) -> str:
    """The expected output: ``base`` with ``rdiff`` applied."""
    if read_result(base) is None:
        raise RdiffError(f"{rdiff}: its base result {base} does not exist")
    with tempfile.TemporaryDirectory(prefix="tidbrun-rdiff-") as folder:
        out = Path(folder) / "expected"
        try:
            # mysql-test-run.pl's own call (-f -r -: a hunk that does not apply is left out, with
            # no .rej), whose exit status it ignores: the test is judged on what patch wrote.
            proc = subprocess.run(
                ["patch", "-r", "-", "-f", "-s", "-o", str(out), str(base), str(rdiff)],
                capture_output=True, timeout=60, check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise RdiffError(f"cannot apply {rdiff}: {exc}") from None
        if not out.is_file():
            why = (proc.stdout + proc.stderr).decode(ENCODING).strip().splitlines()
            raise RdiffError(f"{rdiff} does not apply to {base}: {why[-1] if why else proc.returncode}")
        return out.read_bytes().decode(ENCODING)


def rdiff_of(base: Path, output: str, label: str) -> str:
    """A new ``.rdiff``: the unified diff from ``base`` to ``output``."""
    with tempfile.TemporaryDirectory(prefix="tidbrun-rdiff-") as folder:
        actual = Path(folder) / label
        actual.write_bytes(output.encode(ENCODING))
        proc = subprocess.run(["diff", "-u", str(base), str(actual)], capture_output=True, timeout=60, check=False)
        if proc.returncode > 1:
            raise RdiffError(f"diff failed: {proc.stderr.decode(ENCODING).strip()}")
        return proc.stdout.decode(ENCODING)
