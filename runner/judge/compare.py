"""Where a test's result lives, how a run's output is compared with it, and how it is recorded."""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from runner.errors import TestFileError
from runner.judge.tree_rejects import tree_reject_path
from runner.sessions.driver import ENCODING


def result_path_for(test: Path, flavour: str | None = None, *, stem: str | None = None) -> Path:
    """``x.test`` → ``x.result`` beside it (MariaDB's layout), or in the sibling ``r/`` of a ``t/``.

    Subfolders below ``t/`` are kept below ``r/``. A flavour-specific ``x.<flavour>.result`` wins
    when it exists. ``stem``: the test's name when it is not the file's stem (its kind's).
    """
    stem = test.stem if stem is None else stem
    base = _result_dir(test)
    if flavour:
        specific = base / f"{stem}.{flavour}.result"
        if specific.exists():
            return specific
    return base / f"{stem}.result"


def is_collation_test(name: str) -> bool:
    """mysql-tester's collation tests: the last part of the name starts with ``collation``."""
    return name.rsplit("/", 1)[-1].startswith("collation")


def collation_result_path(result: Path, *, disabled: bool) -> Path:
    """mysql-tester's result of a collation test: ``r/<name>_disabled.result`` when run with
    new collations disabled (``--collation-disable``), else ``r/<name>_enabled.result``."""
    stem = result.name[: -len(".result")] if result.name.endswith(".result") else result.name
    return result.with_name(f"{stem}{'_disabled' if disabled else '_enabled'}.result")


def _result_dir(test: Path) -> Path:
    parts = test.parent.parts
    for index in range(len(parts) - 1, -1, -1):
        if parts[index] == "t":
            return Path(*parts[:index], "r", *parts[index + 1 :])
    return test.parent


def read_result(path: Path) -> str | None:
    """The recorded result (any bytes: latin-1 maps each to one character), None when there is none.
    A result that exists but cannot be read (a folder, no permission) is a TestFileError."""
    try:
        return path.read_bytes().decode(ENCODING)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise TestFileError(None, f"cannot read the result file {path}: {exc.strerror or exc}") from None


@dataclass(frozen=True, slots=True)
class Mismatch:
    diff: str
    first_line: int  # 1-based line of the result where they first differ


def compare(expected: str, actual: str, *, expected_name: str, actual_name: str) -> Mismatch | None:
    if expected == actual:
        return None
    import difflib  # only a mismatch needs it

    old = expected.splitlines(keepends=True)
    new = actual.splitlines(keepends=True)
    lines = difflib.unified_diff(old, new, fromfile=expected_name, tofile=actual_name, n=3)
    diff = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
    first = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new)))
    return Mismatch(diff, first + 1)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` so that ``path`` holds either its old content or the new, never a part."""
    write_bytes_atomically(path, text.encode(ENCODING))


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """``path`` holds its old content or the new, never a part (a CI job may be killed any time)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
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


def reject_path(result: Path, reject_dir: Path | None, tree_rejects: Path | None = None) -> Path:
    """Where the ``.reject`` goes: the reject folder when given; for a result in a mysql-test tree,
    the run's ``tree_rejects`` (runner.judge.tree_rejects: the tree is never written); else beside
    the result (where the result would be, for a new test: its folder is made), else, for a suite
    that cannot be written, the user's own ``~/.cache/tidbrun/rejects`` (a shared temporary folder
    would mix users and runs)."""
    name = result.name[: -len(".result")] + ".reject" if result.name.endswith(".result") else result.name + ".reject"
    if reject_dir is not None:
        return reject_dir / name
    if tree_rejects is not None:
        in_tree = tree_reject_path(result, tree_rejects, name)
        if in_tree is not None:
            return in_tree
    folder = result.parent
    existing = next((p for p in (folder, *folder.parents) if p.exists()), folder)
    if os.access(existing, os.W_OK):
        return folder / name
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "tidbrun" / "rejects" / name


def remove_reject(result: Path, reject_dir: Path | None, tree_rejects: Path | None = None) -> None:
    """A test that passes leaves no ``.reject`` of an earlier failure behind."""
    with contextlib.suppress(OSError):
        reject_path(result, reject_dir, tree_rejects).unlink(missing_ok=True)


def flavour_result_path(default: Path, flavour: str) -> Path:
    """``r/x.result`` → ``r/x.<flavour>.result`` (whether it exists or not)."""
    stem = default.name[: -len(".result")] if default.name.endswith(".result") else default.name
    return default.with_name(f"{stem}.{flavour}.result")


def expected_result_path(default: Path, flavour: str | None) -> Path:
    """The result a run on a ``flavour`` server compares with: the flavour's own when it exists."""
    if flavour:
        specific = flavour_result_path(default, flavour)
        if specific.exists():
            return specific
    return default


@dataclass(frozen=True, slots=True)
class Recorded:
    path: Path  # the result that now holds the run's output
    note: str  # what --record did, for the report ("" when it wrote the default as always)


def record_result(default: Path, flavour: str | None, output: str, *, split: bool = False) -> Recorded:
    """``--record`` with per-flavour results. The result the test compares with is rewritten: the
    flavour's own ``x.<flavour>.result`` when it exists, else the default ``x.result``. A flavour
    file is written only when its content differs from the default — created on request (``split``,
    ``--record-flavour``), removed when it comes to equal the default (the default serves)."""
    if not flavour:
        write_atomically(default, output)
        return Recorded(default, "")
    specific = flavour_result_path(default, flavour)
    base = read_result(default)
    if base is None or (not split and not specific.exists()):
        write_atomically(default, output)
        return Recorded(default, "")
    if base == output:
        if specific.exists():
            specific.unlink()
            return Recorded(default, f"same as {default.name}: removed {specific.name}")
        return Recorded(default, f"unchanged {default.name}")
    write_atomically(specific, output)
    return Recorded(specific, f"{specific.name}: differs from {default.name}")
