"""Where a test's result lives, how a run's output is compared with it, and how it is recorded."""

from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from runner.driver import ENCODING


def result_path_for(test: Path, flavour: str | None = None) -> Path:
    """``x.test`` → ``x.result`` beside it (MariaDB's layout), or in the sibling ``r/`` of a ``t/``.

    Subfolders below ``t/`` are kept below ``r/``. A flavour-specific ``x.<flavour>.result`` wins
    when it exists.
    """
    stem = test.name[: -len(".test")] if test.name.endswith(".test") else test.stem
    base = _result_dir(test)
    if flavour:
        specific = base / f"{stem}.{flavour}.result"
        if specific.exists():
            return specific
    return base / f"{stem}.result"


def _result_dir(test: Path) -> Path:
    parts = test.parent.parts
    for index in range(len(parts) - 1, -1, -1):
        if parts[index] == "t":
            return Path(*parts[:index], "r", *parts[index + 1 :])
    return test.parent


def read_result(path: Path) -> str | None:
    try:
        return path.read_bytes().decode(ENCODING)
    except FileNotFoundError:
        return None


@dataclass(frozen=True, slots=True)
class Mismatch:
    diff: str
    first_line: int  # 1-based line of the result where they first differ


def compare(expected: str, actual: str, *, expected_name: str, actual_name: str) -> Mismatch | None:
    if expected == actual:
        return None
    old = expected.splitlines(keepends=True)
    new = actual.splitlines(keepends=True)
    lines = difflib.unified_diff(old, new, fromfile=expected_name, tofile=actual_name, n=3)
    diff = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
    first = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new)))
    return Mismatch(diff, first + 1)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` so that ``path`` holds either its old content or the new, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode(ENCODING))
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def reject_path(result: Path, reject_dir: Path | None) -> Path:
    """Where the ``.reject`` goes: the reject folder when given or when the suite is read-only."""
    name = result.name[: -len(".result")] + ".reject" if result.name.endswith(".result") else result.name + ".reject"
    if reject_dir is not None:
        return reject_dir / name
    if os.access(result.parent, os.W_OK):
        return result.parent / name
    return Path(tempfile.gettempdir()) / "tidbrun-reject" / name
