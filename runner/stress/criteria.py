"""Pass criteria of a stress run: each a limit the user set, the figure measured, and the verdict."""

from __future__ import annotations

from dataclasses import dataclass

from runner.language.quantities import format_seconds


@dataclass(frozen=True, slots=True)
class Criteria:
    max_p95: float | None = None  # seconds, over every statement of the load or of p95_group's
    p95_group: str | None = None
    max_errors: int | None = None  # failed statements, whatever their class
    max_memory_growth: float | None = None  # percent of the server's RSS, baseline -> end of the load
    max_memory_retained: float | None = None  # percent, baseline -> after the cool-down
    max_cpu: float | None = None  # percent of one core, the server's average during the load


@dataclass(frozen=True, slots=True)
class Verdict:
    name: str
    limit: str
    measured: str
    passed: bool


@dataclass(frozen=True, slots=True)
class Figures:
    """The measured values the criteria look at (None: not measured, e.g. a remote server)."""

    p95: float
    errors: int
    memory_growth: float | None
    memory_retained: float | None
    cpu: float | None


def judge(criteria: Criteria, figures: Figures) -> list[Verdict]:
    verdicts: list[Verdict] = []
    if criteria.max_p95 is not None:
        name = "p95 latency" + (f" of {criteria.p95_group}" if criteria.p95_group else "")
        verdicts.append(Verdict(name, format_seconds(criteria.max_p95), format_seconds(figures.p95),
                                figures.p95 <= criteria.max_p95))
    if criteria.max_errors is not None:
        verdicts.append(Verdict("errors", str(criteria.max_errors), str(figures.errors),
                                figures.errors <= criteria.max_errors))
    for name, limit, value in (
        ("server memory growth", criteria.max_memory_growth, figures.memory_growth),
        ("server memory after cool-down", criteria.max_memory_retained, figures.memory_retained),
        ("server CPU (average)", criteria.max_cpu, figures.cpu),
    ):
        if limit is None:
            continue
        if value is None:
            # A limit that cannot be checked fails: a pass would claim what nobody measured.
            verdicts.append(Verdict(name, f"{limit:g}%", "not measured (server not on this machine?)", False))
        else:
            verdicts.append(Verdict(name, f"{limit:g}%", f"{value:.1f}%", value <= limit))
    return verdicts
