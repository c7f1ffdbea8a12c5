"""What lies in tidbrun's cache folder, when each piece was last used, and pruning it.

Nothing else ever removes a bootstrapped template (~95 MB each, one per server binary and
bootstrap option set), so a machine whose cache persists (a CI runner's) fills its disk. Each use
of a template touches a marker in it (``mark_used``); pruning removes the least recently used
first. What costs much to rebuild (the TiDB build, ~10 CPU-minutes) is kept unless asked for, and
what is not a cache at all (``durations.json``, the scheduler's memory) or not tidbrun's own to
know (anything unrecognised, such as tools' builds) is never removed.

Pruning is safe beside a running tidbrun: an entry used within the last ``IN_USE_SECONDS`` is
kept (a run copies a template right after it marks it used), and a folder is first renamed to a
``.trash-*`` name and only then deleted, so a concurrent copy of that template either finds it
whole or not at all (and then builds it again).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

# Kinds of entry.
TEMPLATE = "template"  # <kind>-<key>/: a bootstrapped data directory (bootstrap.ensure_template)
BOOTSTRAP_SQL = "bootstrap-sql"  # bootstrap-<key>.sql: MTR's bootstrap text (mtr_env.ensure_bootstrap_sql)
TIDB_BUILD = "tidb-build"  # tidb/<version>/: `make tidb`'s build
FACTS = "facts"  # facts/: a server binary's --help output, per binary
REJECTS = "rejects"  # rejects/: .reject files of results in folders that could not be written
DURATIONS = "durations"  # durations.json (+ .lock): how long each test took, for -j and --shard
BUILDING = "building"  # .build-*: a template being bootstrapped (or an abandoned one, see bootstrap)
TRASH = "trash"  # .trash-*: what a prune renamed away and did not finish deleting
OTHER = "other"  # anything else: not tidbrun's to judge

# Pruned by age or size: rebuilt on demand in about a second.
REBUILDABLE = frozenset({TEMPLATE, BOOTSTRAP_SQL})
# Also removed by `clean --all`: small, rebuilt on demand (or, for rejects, leftovers of old failures).
DISPOSABLE = REBUILDABLE | {FACTS, REJECTS}

# A run marks a template used and copies it within milliseconds; minutes leave room for a slow disk.
IN_USE_SECONDS = 120.0

USED_MARKER = ".last-used"
SIZE_RECORD = ".size"

_TEMPLATE_NAME = re.compile(r"[a-z]+-[0-9a-f]{20}")
_BOOTSTRAP_SQL_NAME = re.compile(r"bootstrap-[0-9a-f]{20}\.sql")
_KIND_ORDER = (TEMPLATE, BOOTSTRAP_SQL, TIDB_BUILD, FACTS, REJECTS, DURATIONS, BUILDING, TRASH, OTHER)


@dataclass(frozen=True, slots=True)
class Entry:
    """One piece of the cache: removed, kept and counted as a whole."""

    kind: str
    name: str  # relative to the cache folder
    path: Path
    size: int  # bytes on disk (sparse files count what they take, not their length)
    last_used: float  # seconds since the epoch


@dataclass(slots=True)
class PruneResult:
    """What a prune removed (or, dry, would remove), and what it had chosen but kept."""

    removed: list[Entry] = field(default_factory=list)
    kept_in_use: list[Entry] = field(default_factory=list)  # chosen, but used too recently to remove
    failed: list[tuple[Entry, str]] = field(default_factory=list)

    @property
    def freed(self) -> int:
        return sum(entry.size for entry in self.removed)


def mark_used(path: Path) -> None:
    """Record that a cache entry was used now: its marker's time for a folder, its own for a file.

    A folder's own time changes whenever something is written into it, so a template keeps its
    last use in a marker file. Never fails: a read-only cache is still usable, only not pruned
    by use.
    """
    with contextlib.suppress(OSError):
        if not path.is_dir():
            os.utime(path)
            return
        marker = path / USED_MARKER
        try:
            os.utime(marker)
        except FileNotFoundError:
            marker.touch()


def last_used(path: Path) -> float:
    """When ``path`` was last used (its marker's time; without one, the time it was written)."""
    with contextlib.suppress(OSError):
        return (path / USED_MARKER).stat().st_mtime
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def entries(cache_dir: Path, kinds: Iterable[str] | None = None) -> list[Entry]:
    """The entries of ``cache_dir`` (only those of ``kinds``, when given), by kind, then most
    recently used first. A missing folder has none."""
    wanted = frozenset(kinds) if kinds is not None else None
    found = list(_scan(cache_dir, wanted))
    found.sort(key=lambda entry: (_KIND_ORDER.index(entry.kind), -entry.last_used, entry.name))
    return found


def _scan(cache_dir: Path, wanted: frozenset[str] | None) -> Iterator[Entry]:
    try:
        children = sorted(cache_dir.iterdir())
    except OSError:
        return
    for child in children:
        if child.name == "tidb" and child.is_dir() and not child.is_symlink():
            if wanted is None or wanted & {TIDB_BUILD, BUILDING}:
                yield from (entry for entry in _tidb_builds(child) if wanted is None or entry.kind in wanted)
            continue
        kind = _kind_of(child)
        if wanted is not None and kind not in wanted:
            continue
        entry = _entry(cache_dir, child, kind)
        if entry is not None:
            yield entry


def _kind_of(path: Path) -> str:
    name = path.name
    is_dir = path.is_dir() and not path.is_symlink()
    if is_dir and _TEMPLATE_NAME.fullmatch(name):
        return TEMPLATE
    if _BOOTSTRAP_SQL_NAME.fullmatch(name) and not is_dir:
        return BOOTSTRAP_SQL
    if name in ("durations.json", "durations.json.lock"):
        return DURATIONS
    if name == "facts" and is_dir:
        return FACTS
    if name == "rejects" and is_dir:
        return REJECTS
    if name.startswith(".build-"):
        return BUILDING
    if name.startswith(".trash-"):
        return TRASH
    return OTHER


def _entry(cache_dir: Path, path: Path, kind: str) -> Entry | None:
    try:
        if kind == TEMPLATE:
            size, used = _template_size(path), last_used(path)
        elif path.is_dir() and not path.is_symlink():
            size, used = _tree_size(path), _newest(path)
        else:
            stat = path.lstat()
            size, used = stat.st_blocks * 512, stat.st_mtime
    except OSError:
        return None  # removed while we looked
    return Entry(kind, str(path.relative_to(cache_dir)), path, size, used)


def _tidb_builds(root: Path) -> Iterator[Entry]:
    """``tidb/<version>/``, each its own entry; one without ``.built`` is a build under way."""
    for build in sorted(root.iterdir()):
        if not build.is_dir():
            continue
        stamp = build / ".built"
        kind = TIDB_BUILD if stamp.is_file() else BUILDING
        try:
            used = _build_used(build) if kind == TIDB_BUILD else _newest(build)
            yield Entry(kind, f"tidb/{build.name}", build, _tree_size(build), used)
        except OSError:
            continue


def _build_used(build: Path) -> float:
    """A TiDB build's last use: its marker (the embedded server picked it), else when it was
    finished (the folder's own time changes with what a build or a test writes inside)."""
    with contextlib.suppress(OSError):
        return (build / USED_MARKER).stat().st_mtime
    return (build / ".built").stat().st_mtime


def _tree_size(path: Path) -> int:
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(folder, name)).st_blocks * 512
    return total


def _newest(path: Path) -> float:
    """The latest time something directly in ``path`` changed (a folder's own time misses
    files rewritten in place)."""
    newest = path.stat().st_mtime
    with contextlib.suppress(OSError):
        for child in os.scandir(path):
            with contextlib.suppress(OSError):
                newest = max(newest, child.stat(follow_symlinks=False).st_mtime)
    return newest


def _template_size(path: Path) -> int:
    """A template's size, walked once and then kept beside it: a template never changes after
    it is renamed into place, and walking 60 of them after every run would cost a tenth of a second."""
    record = path / SIZE_RECORD
    with contextlib.suppress(OSError, ValueError):
        return int(record.read_text(encoding="ascii"))
    size = _tree_size(path)
    with contextlib.suppress(OSError):
        before = path.stat()
        partial = path / f"{SIZE_RECORD}.{os.getpid()}"
        partial.write_text(str(size), encoding="ascii")
        os.replace(partial, record)
        # Writing the record must not look like a use of a template that has no marker yet.
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    return size


def prune(
    cache_dir: Path,
    *,
    older_than: float | None = None,
    max_size: int | None = None,
    everything: bool = False,
    include_tidb: bool = False,
    kinds: Iterable[str] | None = None,
    keep_used_since: float | None = None,
    grace: float = IN_USE_SECONDS,
    dry_run: bool = False,
    now: float | None = None,
) -> PruneResult:
    """Remove entries, least recently used first.

    ``older_than``: those last used more than that many seconds ago. ``max_size``: then as many
    more as it takes for the entries that may be removed to total at most that many bytes (what is
    never removed is not counted: a limit must not be spent on the TiDB build). ``everything``:
    all that may be removed (also the small ``facts`` and ``rejects``). ``kinds`` narrows what
    may be removed (a run bounds only its templates); ``include_tidb`` adds the TiDB build.

    Never removed: an entry used within ``grace`` seconds or since ``keep_used_since`` (a run's
    own templates), ``durations.json``, a build in progress, anything unrecognised. Leftovers of
    an interrupted prune (``.trash-*``) always go.
    """
    now = time.time() if now is None else now
    allowed = set(DISPOSABLE if everything else REBUILDABLE)
    if include_tidb:
        allowed.add(TIDB_BUILD)
    if kinds is not None:
        allowed &= set(kinds)
    listed = entries(cache_dir, allowed | {TRASH})
    result = PruneResult()
    for trash in (entry for entry in listed if entry.kind == TRASH):
        if not dry_run:
            _remove(cache_dir, trash)
    candidates = sorted((entry for entry in listed if entry.kind in allowed), key=lambda entry: entry.last_used)

    def protected(entry: Entry) -> bool:
        used = entry.last_used
        return now - used < grace or (keep_used_since is not None and used >= keep_used_since)

    chosen: list[Entry] = []
    if everything:
        chosen = list(candidates)
    else:
        if older_than is not None:
            chosen = [entry for entry in candidates if now - entry.last_used > older_than]
        if max_size is not None:
            total = sum(entry.size for entry in candidates) - sum(entry.size for entry in chosen)
            for entry in candidates:
                if total <= max_size:
                    break
                if entry in chosen or protected(entry):
                    continue
                chosen.append(entry)
                total -= entry.size
    for entry in sorted(chosen, key=lambda entry: entry.last_used):
        # Looked at again just before: a run may have used it since the listing.
        current = Entry(entry.kind, entry.name, entry.path, entry.size, _current_use(entry))
        if protected(current):
            result.kept_in_use.append(current)
            continue
        if dry_run:
            result.removed.append(current)
            continue
        error = _remove(cache_dir, current)
        if error is None:
            result.removed.append(current)
        else:
            result.failed.append((current, error))
    return result


def _current_use(entry: Entry) -> float:
    try:
        if entry.kind == TEMPLATE:
            return max(entry.last_used, last_used(entry.path))
        if entry.kind == TIDB_BUILD:
            return max(entry.last_used, _build_used(entry.path))
        return max(entry.last_used, entry.path.stat().st_mtime)
    except OSError:
        return entry.last_used


def _remove(cache_dir: Path, entry: Entry) -> str | None:
    """Remove one entry; the reason it could not be, else None. A folder is renamed out of the
    way first, so that nobody copies a half-deleted template; one already gone counts as removed."""
    path = entry.path
    try:
        if path.is_dir() and not path.is_symlink():
            if entry.kind == TRASH:
                shutil.rmtree(path)
                return None
            trash = cache_dir / f".trash-{entry.name.replace('/', '-')}-{os.getpid()}-{time.monotonic_ns()}"
            os.rename(path, trash)
            shutil.rmtree(trash)
        else:
            path.unlink()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return exc.strerror or str(exc)
    return None
