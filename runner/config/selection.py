"""Which collected tests a run keeps (the options; ``runner.run.select`` applies them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Selection:
    do_test: tuple[str, ...] = ()  # --do-test REGEX (repeatable)
    skip_test: tuple[str, ...] = ()  # --skip-test REGEX (repeatable)
    keyword: str | None = None  # -k EXPR
    # (test file, full name) of each combination named as an argument: that file runs only those.
    only: tuple[tuple[str, str], ...] = ()
    suites: tuple[str, ...] = ()  # --suite NAME[,NAME]: only tests of these suites

    @property
    def active(self) -> bool:
        return bool(self.do_test or self.skip_test or self.keyword or self.only or self.suites)
