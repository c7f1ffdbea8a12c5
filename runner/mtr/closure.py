"""The files a test sources, found statically the way mysql-test-run.pl finds them.

A port of ``get_tags_from_file`` in ``mtr_cases.pm``. A line (not starting with ``#``) that
matches ``^\\s*(--)?\\s*source\\s+([^;\\s]+)`` names an include; it is looked up, first hit wins,
in: the including file's folder, the suite folder, the mysql-test folder. Names that do not exist
there (``$VAR/x.inc``, files made at run time) are ignored, as MTR ignores them. Lines under an
``if`` or inside ``{ }`` on the same line as other text are not seen, exactly as MTR does not see them.

The same scan gives MTR's tags: a line mentioning ``include/big_test.inc``,
``include/master-slave.inc`` or ``include/long_test.inc`` anywhere in the closure.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from runner.mtr.suites import Suite

# Perl's [[:space:]] on bytes: ASCII whitespace only.
_SPACE = rb"[ \t\n\r\f\v]"
_SOURCE = re.compile(rb"^" + _SPACE + rb"*(--)?" + _SPACE + rb"*source" + _SPACE + rb"+([^; \t\n\r\f\v]+)")
_TAG = re.compile(rb"include/(big_test|master-slave|long_test)\.inc")
# mtr_cases.pm's $tags_map: the include file's name -> the tinfo flag it sets.
TAG_OF_INCLUDE = {"big_test": "big_test", "master-slave": "rpl_test", "long_test": "long_test"}


@dataclass(frozen=True, slots=True)
class FileScan:
    includes: tuple[str, ...]  # names after `source`, in line order
    tags: tuple[str, ...]  # tinfo flags set by lines of this file alone


@dataclass(frozen=True, slots=True)
class Closure:
    """A test and everything it sources, as MTR sees it statically."""

    test: Path
    suite: Suite
    files: tuple[Path, ...]  # the test first, then each sourced file once, in depth-first order
    sources: Mapping[Path, tuple[Path, ...]]  # each file's direct includes, in line order, repeats kept
    tags: frozenset[str]  # 'big_test', 'rpl_test', 'long_test'

    @property
    def includes(self) -> tuple[Path, ...]:
        return self.files[1:]


_scan_cache: dict[tuple[str, int, int], FileScan] = {}


def scan_file(path: Path) -> FileScan:
    """Include names and tags of one file; an unreadable file has neither (MTR would die)."""
    try:
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        cached = _scan_cache.get(key)
        if cached is not None:
            return cached
        data = path.read_bytes()
    except OSError:
        return FileScan((), ())
    includes: list[str] = []
    tags: list[str] = []
    for line in data.split(b"\n"):
        if line.startswith(b"#"):
            continue
        tag = _TAG.search(line)
        if tag:
            tags.append(TAG_OF_INCLUDE[tag.group(1).decode()])
        source = _SOURCE.match(line)
        if source:
            includes.append(os.fsdecode(source.group(2)))
    scan = FileScan(tuple(includes), tuple(tags))
    _scan_cache[key] = scan
    return scan


def resolve_include(name: str, including: Path, suite: Suite) -> Path | None:
    """Where MTR finds ``source name`` written in ``including``; None when it finds nothing."""
    if "$" in name:
        return None  # a variable: only mysqltest can expand it
    for folder in (including.parent, suite.dir, suite.basedir):
        candidate = Path(f"{folder}/{name}")
        if candidate == including:
            continue
        if candidate.exists():
            return candidate
    return None


def include_closure(test: Path, suite: Suite) -> Closure:
    files: list[Path] = []
    sources: dict[Path, tuple[Path, ...]] = {}
    tags: set[str] = set()
    in_progress: set[Path] = set()

    def visit(path: Path) -> None:
        files.append(path)
        in_progress.add(path)
        scan = scan_file(path)
        tags.update(scan.tags)
        found: list[Path] = []
        for name in scan.includes:
            target = resolve_include(name, path, suite)
            if target is None:
                continue
            found.append(target)
            # A cycle would make MTR recurse forever; each file is scanned once here.
            if target not in sources and target not in in_progress:
                visit(target)
        sources[path] = tuple(found)
        in_progress.discard(path)

    visit(test)
    return Closure(test=test, suite=suite, files=tuple(files), sources=sources, tags=frozenset(tags))


def include_files(test: Path, suite: Suite) -> list[Path]:
    """The ordered list of files ``test`` sources, directly or not (the test itself excluded)."""
    return list(include_closure(test, suite).includes)
