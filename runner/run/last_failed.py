"""``--last-failed``: the tests that failed in the previous run, as pytest's ``--lf``.

Every run remembers its failed tests in ``.tidbrun_cache/lastfailed.json`` of the current folder
(``TIDBRUN_CACHE_DIR`` moves it): a test that fails is added, one that passes or is skipped is
taken out, one not run stays as it was. When none of the tests collected failed last time, the run
keeps them all (and says so), as pytest does.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from runner.run.names import display_name
from runner.run.records import TestCase, TestReport

CACHE_ENV = "TIDBRUN_CACHE_DIR"
CACHE_FOLDER = ".tidbrun_cache"
FILE_NAME = "lastfailed.json"
# A cache folder marks itself so that git and backup tools leave it out (as pytest's does).
_GITIGNORE = "# Created by tidbrun: its cache (see the README's --last-failed).\n*\n"
_CACHEDIR_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# tidbrun's cache: https://bford.info/cachedir/\n"


def cache_folder(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    return Path(env.get(CACHE_ENV) or CACHE_FOLDER)


def _key(case: TestCase) -> str:
    return f"{os.path.realpath(case.path)}|{case.name}"


@dataclass(slots=True)
class LastFailed:
    """The failed tests of the runs so far: key (file and run name) → ``suite.test`` name."""

    folder: Path
    failed: dict[str, str] = field(default_factory=dict)
    _loaded: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path) -> LastFailed:
        try:
            data = json.loads((folder / FILE_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        failed = {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
        return cls(folder, dict(failed), dict(failed))

    def keep(self, cases: list[TestCase]) -> tuple[list[TestCase], str]:
        """The cases that failed last time, and a note for the user; all of them when none did."""
        kept = [case for case in cases if _key(case) in self.failed]
        if not kept:
            return cases, "--last-failed: no test here failed in the last run; running them all"
        return kept, f"--last-failed: {len(kept)} test(s) that failed in the last run"

    def update(self, reports: Iterable[TestReport]) -> None:
        for report in reports:
            if report.status in ("fail", "error"):
                self.failed[_key(report.case)] = display_name(report.case)
            elif report.status in ("pass", "skip"):
                self.failed.pop(_key(report.case), None)

    def save(self) -> None:
        """Written atomically, and only when it changed; a cache that cannot be written is no
        reason to fail a run."""
        if self.failed == self._loaded:
            return
        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            for name, text in ((".gitignore", _GITIGNORE), ("CACHEDIR.TAG", _CACHEDIR_TAG)):
                if not (self.folder / name).exists():
                    (self.folder / name).write_text(text, encoding="utf-8")
            fd, temp = tempfile.mkstemp(prefix=".lastfailed-", dir=self.folder)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(json.dumps(self.failed, indent=1, sort_keys=True) + "\n")
            os.replace(temp, self.folder / FILE_NAME)
            self._loaded = dict(self.failed)
