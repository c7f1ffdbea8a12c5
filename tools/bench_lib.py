"""The pure part of tools/bench: one measured run, the figures of a series, the tests50 list, the
printed lines and the JSON document. Nothing here starts a process, so all of it is unit-tested.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

# tidbrun's help lists ``-j, --jobs`` once the option exists; until then the benchmark leaves it out.
_JOBS_OPTION = re.compile(r"(?:^|[\s,])(?:-j|--jobs)\b", re.MULTILINE)
# mysql-test-run.pl's last words (lib/mtr_report.pm), after a "Completed: " or similar prefix:
# "All 50 tests were successful." or "Failed 2/50 tests, 96.00% were successful."
_MTR_ALL_PASSED = re.compile(r"(?:^|: )All (\d+) tests were successful", re.MULTILINE)
_MTR_FAILED = re.compile(r"(?:^|: )Failed (\d+)/(\d+) tests", re.MULTILINE)
# tidbrun's last line: "50 passed, 0 failed, 0 skipped in 12.3s"
_TIDBRUN_TOTALS = re.compile(r"^(\d+) passed, (\d+) failed, (\d+) skipped\b", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Run:
    """One measured process: its wall time and the CPU of it and the children it waited for."""

    side: str  # "reference", "tidbrun", "mtr"
    index: int  # 1-based within its side
    wall: float
    user: float
    sys: float
    exit_code: int | None  # None: killed at the timeout
    passed: bool
    note: str = ""  # why it did not pass, or the runner's own totals
    reported: float | None = None  # the runner's own timing of its tests (without process start-up)

    @property
    def cpu(self) -> float:
        return self.user + self.sys


@dataclass(slots=True)
class Series:
    """The runs of one side of one benchmark."""

    side: str
    runs: list[Run] = field(default_factory=list)

    def _median(self, values: Iterable[float]) -> float | None:
        taken = list(values)
        return statistics.median(taken) if taken else None

    @property
    def median_wall(self) -> float | None:
        return self._median(run.wall for run in self.runs)

    @property
    def median_user(self) -> float | None:
        return self._median(run.user for run in self.runs)

    @property
    def median_sys(self) -> float | None:
        return self._median(run.sys for run in self.runs)

    @property
    def median_cpu(self) -> float | None:
        return self._median(run.cpu for run in self.runs)

    @property
    def all_passed(self) -> bool:
        return bool(self.runs) and all(run.passed for run in self.runs)

    def as_dict(self) -> dict[str, Any]:
        return {
            "side": self.side,
            "runs": [asdict(run) for run in self.runs],
            "median_wall": _round(self.median_wall),
            "median_user": _round(self.median_user),
            "median_sys": _round(self.median_sys),
            "median_cpu": _round(self.median_cpu),
            "all_passed": self.all_passed,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def paired_ratios(top: Series, bottom: Series) -> list[float]:
    """Run i of ``top`` over run i of ``bottom``: alternating runs make neighbours share the noise."""
    return [a.wall / b.wall for a, b in zip(top.runs, bottom.runs, strict=False) if b.wall > 0]


def alternating(sides: Sequence[str], runs: int) -> list[tuple[str, int]]:
    """The order of the runs: each side once per round, ``runs`` rounds."""
    return [(side, round_ + 1) for round_ in range(runs) for side in sides]


def parse_test_names(text: str) -> list[str]:
    """Test names, one a line; ``#`` comments and blank lines ignored, ``main.`` and ``.test`` dropped."""
    names: list[str] = []
    for raw in text.splitlines():
        name = raw.split("#", 1)[0].strip()
        if not name:
            continue
        name = name.removeprefix("main.").removesuffix(".test")
        names.append(name)
    return list(dict.fromkeys(names))


def supports_jobs(help_text: str) -> bool:
    """Whether tidbrun's ``--help`` lists a ``-j``/``--jobs`` option."""
    return _JOBS_OPTION.search(help_text) is not None


def mtr_outcome(exit_code: int | None, output: str, expected: int) -> tuple[bool, str]:
    """(passed, note) of one mysql-test-run.pl run over ``expected`` tests."""
    if exit_code is None:
        return False, "timed out"
    match = _MTR_ALL_PASSED.search(output)
    if match:
        count = int(match.group(1))
        if exit_code == 0 and count == expected:
            return True, f"all {count} tests were successful"
        return False, f"exit code {exit_code}, {count} of {expected} tests successful"
    match = _MTR_FAILED.search(output)
    if match:
        return False, f"exit code {exit_code}, failed {match.group(1)}/{match.group(2)}"
    return False, f"exit code {exit_code}, no summary line"


def tidbrun_totals_outcome(exit_code: int | None, output: str, expected: int) -> tuple[bool, str]:
    """(passed, note) of one tidbrun run over ``expected`` tests: exit 0 and every test passed
    (a skip is not a pass here: the benchmark's tests all pass under the reference)."""
    if exit_code is None:
        return False, "timed out"
    matches = _TIDBRUN_TOTALS.findall(output)
    if not matches:
        return False, f"exit code {exit_code}, no totals line"
    passed, failed, skipped = (int(n) for n in matches[-1])
    note = f"{passed} passed, {failed} failed, {skipped} skipped"
    return exit_code == 0 and passed == expected and not failed, note


def _secs(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def _times(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def run_line(run: Run) -> str:
    verdict = "pass" if run.passed else "NOT PASSED"
    text = (
        f"  {run.side:<9} run {run.index}: wall {run.wall:6.2f} s  cpu {run.user:5.2f} user + {run.sys:5.2f} sys"
        f"  exit {run.exit_code}  {verdict}"
    )
    if run.reported is not None:
        text += f"  (own clock {run.reported:.2f} s)"
    return text + (f"  ({run.note})" if run.note else "")


def series_line(series: Series) -> str:
    return (
        f"  {series.side:<9} median wall {_secs(series.median_wall)}, cpu {_secs(series.median_cpu)} "
        f"({_secs(series.median_user)} user + {_secs(series.median_sys)} sys)"
        + ("" if series.all_passed else "  [NOT EVERY RUN PASSED]")
    )


@dataclass(slots=True)
class Figures:
    """One benchmark's result: its series and the headline ratio."""

    name: str
    series: list[Series]
    ratio_name: str
    ratio: float | None
    extra: dict[str, Any] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = [f"{self.name}:"]
        out += [series_line(series) for series in self.series if series.runs]
        out.append(f"  {self.ratio_name}: {_times(self.ratio)}")
        for key, value in self.extra.items():
            if isinstance(value, float):
                value = f"{value:.2f}"
            elif isinstance(value, list):
                value = ", ".join(f"{v:.2f}" if isinstance(v, float) else str(v) for v in value)
            out.append(f"  {key}: {value}")
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "series": [series.as_dict() for series in self.series],
            "ratio_name": self.ratio_name,
            "ratio": _round(self.ratio),
            **self.extra,
        }


def many_selects_figures(reference: Series, tidbrun: Series) -> Figures:
    pairs = paired_ratios(tidbrun, reference)
    return Figures(
        name="(a) many_selects.test, one server, tidbrun vs reference mariadb-test",
        series=[reference, tidbrun],
        ratio_name="median wall ratio tidbrun/reference",
        ratio=ratio(tidbrun.median_wall, reference.median_wall),
        extra={
            "median of paired ratios tidbrun/reference": statistics.median(pairs) if pairs else None,
            "paired ratios": [round(p, 3) for p in pairs],
            "cpu ratio tidbrun/reference (medians)": ratio(tidbrun.median_cpu, reference.median_cpu),
        },
    )


def tests50_figures(mtr: Series, tidbrun: Series, *, tidbrun_command: Sequence[str]) -> Figures:
    return Figures(
        name="(b) the tests50 list: mysql-test-run.pl --parallel=2 vs tidbrun",
        series=[mtr, tidbrun],
        ratio_name="median wall ratio MTR/tidbrun",
        ratio=ratio(mtr.median_wall, tidbrun.median_wall),
        extra={"tidbrun command": " ".join(tidbrun_command)} if tidbrun_command else {},
    )
