"""Which expected-result file mysql-test-run.pl compares a run with.

For test ``t`` run in combinations ``{a,b}``, the candidates are ``t,a,b``, ``t,a``, ``t,b`` and
``t``, each as ``.result`` or ``.rdiff``, in the suite's result folder. MTR prefers more
combination names, then names in alphabetical order, then ``.result`` over ``.rdiff``. An
``.rdiff`` is a patch applied to the next ``.result`` down that list; without a ``patch``
program MTR skips the run ("requires patch executable"). Overlays are not handled here.
"""

from __future__ import annotations

import bisect
import os
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class ResultChoice:
    result: Path | None  # the .result or .rdiff MTR picked; None: no result yet (MTR records one)
    base: Path | None = None  # for an .rdiff, the .result it patches

    @property
    def is_rdiff(self) -> bool:
        return self.result is not None and self.result.suffix == ".rdiff"


class ResultError(ValueError):
    """An ``.rdiff`` with no ``.result`` under it (MTR stops the run)."""


_listings: dict[tuple[str, int], tuple[str, ...]] = {}


def _listing(folder: Path) -> tuple[str, ...]:
    # A result folder (main/ has ~3,000 entries) is listed once per change, not once per run.
    try:
        key = (str(folder), folder.stat().st_mtime_ns)
        if key not in _listings:
            _listings[key] = tuple(sorted(os.listdir(folder)))
        return _listings[key]
    except OSError:
        return ()


def choose_result(rdir: Path, tname: str, combinations: Sequence[str]) -> ResultChoice:
    """MTR's choice among ``<rdir>/<tname>[,comb...].{result,rdiff}`` for a run in ``combinations``."""
    names = "|".join(combinations)
    # The test and combination names are used as regular expressions, as MTR does.
    combos = f"(?:,(?:{names}))*" if combinations else ""
    pattern = re.compile(rf"^{tname}({combos})\.(rdiff|result)$")
    ranked: list[tuple[str, Path]] = []
    listing = _listing(rdir)
    for entry in listing[bisect.bisect_left(listing, tname) :]:
        if not entry.startswith(tname):
            break
        if not entry.endswith((".rdiff", ".result")):
            continue
        match = pattern.match(entry)
        if match is None:
            continue
        picked = sorted(part for part in match.group(1).split(",") if part)
        key = "~".join((str(99 - len(picked)), ",".join(picked), "1", "1" if match.group(2) == "result" else "2"))
        ranked.append((key, rdir / entry))
    ranked.sort(key=lambda item: item[0])
    if not ranked:
        return ResultChoice(result=None)
    first = ranked[0][1]
    if first.suffix != ".rdiff":
        return ResultChoice(result=first)
    for _, candidate in ranked[1:]:
        if candidate.suffix == ".result":
            return ResultChoice(result=first, base=candidate)
    raise ResultError(f"{first} has no corresponding .result file")


def patch_available() -> bool:
    """MTR: ``$exe_patch='patch' if `patch -v```."""
    return shutil.which("patch") is not None
