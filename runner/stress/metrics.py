"""What the load measured: latency histograms per group, counts, errors by class, and the same per
interval for plots over time.

Latencies are HDR histograms (``hdrhistogram``) in microseconds, 1us to 10 minutes at 3 significant
digits. Workers record under one lock (a few microseconds against a statement's round trip); the
sampler closes an interval every tick and keeps only its figures.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from hdrh.histogram import HdrHistogram

from runner.faults.classify import classify, error_name

_LOWEST_US = 1
_HIGHEST_US = 600_000_000
_DIGITS = 3
ALL = "all"  # the histogram of every statement, whatever its group


def new_histogram() -> HdrHistogram:
    return HdrHistogram(_LOWEST_US, _HIGHEST_US, _DIGITS)


def error_class(errno: int, sqlstate: str | None) -> str:
    """``transient 2013 CR_SERVER_LOST``: the fault layer's kind, the number and its name."""
    name = error_name(errno)
    return f"{classify(errno, sqlstate)} {errno}" + (f" {name}" if name else "")


@dataclass(slots=True)
class Latency:
    """A latency summary in seconds."""

    count: int
    p50: float
    p95: float
    p99: float
    max: float
    mean: float

    @classmethod
    def of(cls, histogram: HdrHistogram) -> Latency:
        count = histogram.get_total_count()
        if not count:
            return cls(0, 0.0, 0.0, 0.0, 0.0, 0.0)
        at = histogram.get_value_at_percentile
        return cls(count, at(50) / 1e6, at(95) / 1e6, at(99) / 1e6, histogram.get_max_value() / 1e6,
                   histogram.get_mean_value() / 1e6)


@dataclass(slots=True)
class Interval:
    """One tick of the load: when it ended (seconds since the load started) and what it saw."""

    at: float
    seconds: float
    statements: int
    errors: int
    latency: Latency

    @property
    def throughput(self) -> float:
        return self.statements / self.seconds if self.seconds > 0 else 0.0


@dataclass
class Recorder:
    """Shared by the workers of one load; thread-safe."""

    started: float = field(default_factory=time.monotonic)
    histograms: dict[str, HdrHistogram] = field(default_factory=dict)
    errors: dict[str, Counter[str]] = field(default_factory=dict)  # group -> error class -> count
    intervals: list[Interval] = field(default_factory=list)
    statements: int = 0
    failed: int = 0
    _interval: HdrHistogram = field(default_factory=new_histogram)
    _interval_errors: int = 0
    _interval_start: float = field(default_factory=time.monotonic)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, group: str, seconds: float, errno: int | None = None, sqlstate: str | None = None) -> None:
        """One statement of ``group`` that took ``seconds`` (an error too: it took that long to fail)."""
        micros = min(max(int(seconds * 1e6), _LOWEST_US), _HIGHEST_US)
        with self._lock:
            histogram = self.histograms.get(group)
            if histogram is None:
                histogram = self.histograms[group] = new_histogram()
            histogram.record_value(micros)
            self._interval.record_value(micros)
            self.statements += 1
            if errno is not None:
                self.failed += 1
                self._interval_errors += 1
                self.errors.setdefault(group, Counter())[error_class(errno, sqlstate)] += 1

    def tick(self) -> Interval:
        """Close the current interval and start the next."""
        now = time.monotonic()
        with self._lock:
            histogram, self._interval = self._interval, new_histogram()
            errors, self._interval_errors = self._interval_errors, 0
            start, self._interval_start = self._interval_start, now
        interval = Interval(now - self.started, now - start, histogram.get_total_count(), errors, Latency.of(histogram))
        self.intervals.append(interval)
        return interval

    def latency(self, group: str = ALL) -> Latency:
        with self._lock:
            if group != ALL:
                return Latency.of(self.histograms.get(group) or new_histogram())
            total = new_histogram()
            for histogram in self.histograms.values():
                total.add(histogram)
            return Latency.of(total)

    def errors_by_class(self) -> Counter[str]:
        with self._lock:
            total: Counter[str] = Counter()
            for counts in self.errors.values():
                total.update(counts)
            return total


def merged(recorders: list[Recorder]) -> Recorder:
    """One recorder holding what several recorded (a ramp's steps, for the whole run's figures)."""
    total = Recorder()
    for recorder in recorders:
        with recorder._lock:
            for group, histogram in recorder.histograms.items():
                total.histograms.setdefault(group, new_histogram()).add(histogram)
            for group, counts in recorder.errors.items():
                total.errors.setdefault(group, Counter()).update(counts)
            total.statements += recorder.statements
            total.failed += recorder.failed
    return total
