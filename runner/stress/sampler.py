"""Resource figures over time: the server's RSS and CPU from /proc (when it runs on this machine),
tidbrun's own, and the load's interval figures, sampled on one background thread every tick.

CPU is in percent of one core (100% = one core busy all the time), as ``top`` shows it.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, replace

from runner.server.process_stats import ProcessSample, sample
from runner.stress.metrics import Interval, Recorder


@dataclass(slots=True)
class ResourceSample:
    at: float  # seconds since the sampler started
    server_rss: int | None
    server_cpu: float | None
    own_rss: int | None
    own_cpu: float | None


class Sampler:
    """Samples every ``interval`` seconds until ``stop()``; ``recorder`` (when given) gets a tick
    at each sample, so that its intervals line up with the resource samples."""

    def __init__(self, server_pid: int | None, *, interval: float = 1.0, recorder: Recorder | None = None) -> None:
        self.server_pid = server_pid
        self.interval = interval
        self.recorder = recorder
        self.samples: list[ResourceSample] = []
        self.intervals: list[Interval] = []
        self._origin = time.monotonic()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last: dict[int, tuple[float, ProcessSample]] = {}

    def start(self) -> Sampler:
        self._take()  # the first: CPU figures start from here
        self._thread = threading.Thread(target=self._run, name="tidbrun-stress-sampler", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._take()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._take()

    def _take(self) -> None:
        now = time.monotonic()
        server_rss, server_cpu = self._process(self.server_pid, now)
        own_rss, own_cpu = self._process(os.getpid(), now)
        self.samples.append(ResourceSample(now - self._origin, server_rss, server_cpu, own_rss, own_cpu))
        if self.recorder is not None and len(self.samples) > 1:
            self.intervals.append(replace(self.recorder.tick(), at=now - self._origin))

    def _process(self, pid: int | None, now: float) -> tuple[int | None, float | None]:
        if pid is None:
            return None, None
        current = sample(pid)
        if current is None:
            return None, None
        previous = self._last.get(pid)
        self._last[pid] = (now, current)
        if previous is None or now <= previous[0]:
            return current.rss_bytes, None
        return current.rss_bytes, 100.0 * (current.cpu_seconds - previous[1].cpu_seconds) / (now - previous[0])

    # -- summaries -------------------------------------------------------------------------------

    def server_rss(self) -> list[int]:
        return [s.server_rss for s in self.samples if s.server_rss is not None]

    def cpu(self, server: bool = True) -> list[float]:
        values = (s.server_cpu if server else s.own_cpu for s in self.samples)
        return [v for v in values if v is not None]
