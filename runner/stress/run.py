"""A whole stress run on a server that is already up: setup, baseline, the load (or the ramp) with
the sampler going, the figures at its end, the cool-down, cleanup, and the verdicts."""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol

from runner.errors import ServerUnavailable, TestFileError, TidbrunError
from runner.server.address import ServerAddress
from runner.server.connect import AdminError, open_connection
from runner.server.process_stats import ProcessSample, sample
from runner.stress.criteria import Criteria, Figures, Verdict, judge
from runner.stress.loop import Load, LoadOptions, LoadResult, OnStatement, run_load, run_steps
from runner.stress.metrics import Interval, Latency, Recorder, merged
from runner.stress.ramp import RampOptions, RampResult, run_ramp
from runner.stress.sampler import ResourceSample, Sampler
from runner.stress.workload import Workload

if TYPE_CHECKING:
    from runner.stress.chaos import ChaosReport


@dataclass(frozen=True, slots=True)
class StressOptions:
    load: LoadOptions
    criteria: Criteria = field(default_factory=Criteria)
    cool_down: float = 5.0  # seconds without load before memory is measured again
    # Seconds of load before the baseline, not measured: caches and buffer pools fill first, so that
    # memory growth means memory kept, not memory warmed up.
    warm_up: float = 0.0
    sample_interval: float = 1.0
    ramp: RampOptions | None = None
    ramp_seconds: float = 300.0  # the whole ramp at most


@dataclass(slots=True)
class Memory:
    """The server's RSS in bytes (None: not measured)."""

    baseline: int | None = None
    end: int | None = None
    after_cool_down: int | None = None

    @staticmethod
    def _percent(later: int | None, baseline: int | None) -> float | None:
        if later is None or not baseline:
            return None
        return 100.0 * (later - baseline) / baseline

    @property
    def growth(self) -> float | None:
        return self._percent(self.end, self.baseline)

    @property
    def retained(self) -> float | None:
        return self._percent(self.after_cool_down, self.baseline)


@dataclass(slots=True)
class Cpu:
    """Percent of one core during the load; own_per_statement in seconds of tidbrun's CPU."""

    server_average: float | None = None
    server_peak: float | None = None
    own_average: float | None = None
    own_per_statement: float | None = None


@dataclass(slots=True)
class StressResult:
    workload: str
    server: str  # what it ran against, for the reports
    options: StressOptions
    recorder: Recorder
    seconds: float
    groups: dict[str, Latency]
    overall: Latency
    errors: Counter[str]
    memory: Memory
    cpu: Cpu
    samples: list[ResourceSample] = field(default_factory=list)
    intervals: list[Interval] = field(default_factory=list)
    ramp: RampResult | None = None
    verdicts: list[Verdict] = field(default_factory=list)
    reconnects: int = 0
    lagging: bool = False
    stopped_by: str = ""
    fatal: str | None = None
    chaos: ChaosReport | None = None  # --chaos: the actions as they went, recovery times, the ledger check

    @property
    def statements(self) -> int:
        return self.recorder.statements

    @property
    def throughput(self) -> float:
        return self.statements / self.seconds if self.seconds > 0 else 0.0

    @property
    def passed(self) -> bool:
        return self.fatal is None and all(verdict.passed for verdict in self.verdicts)


def run_stress(
    workload: Workload,
    address: ServerAddress,
    options: StressOptions,
    *,
    server_pid: int | None,
    server: str,
    on_statement: OnStatement | None = None,
    alongside: Alongside | None = None,
) -> StressResult:
    """Run ``workload`` on the server at ``address`` (its process ``server_pid`` when local);
    ``alongside`` is started with the load and stopped when it ends (a chaos schedule)."""
    database = options.load.database
    if workload.setup:
        run_steps(workload.setup, address, database)
    if options.warm_up > 0:
        rate = options.ramp.start if options.ramp is not None else options.load.rate
        warm = run_load(workload, address, replace(options.load, duration=options.warm_up, requests=None, rate=rate))
        if warm.fatal is not None:
            raise _as_error(warm.fatal)
    memory = Memory()
    server_before = _sample(server_pid)
    memory.baseline = server_before.rss_bytes if server_before else None
    own_before = sample(os.getpid())
    sampler = Sampler(server_pid, interval=options.sample_interval).start()
    started = time.monotonic()
    ramp_result: RampResult | None = None
    try:
        if options.ramp is not None:

            def follow(recorder: Recorder) -> None:
                sampler.recorder = recorder

            ramp_result, loads = run_ramp(workload, address, options.load, options.ramp,
                                          total_seconds=options.ramp_seconds, on_recorder=follow,
                                          on_statement=on_statement)
            recorder = merged([load.recorder for load in loads])
            result = _summary(loads, recorder)
        else:
            load = Load(workload, address, options.load, on_statement=on_statement)
            sampler.recorder = load.recorder
            if alongside is not None:
                alongside.start()
            load.start()
            try:
                result = load.wait()
            except KeyboardInterrupt:
                load.stop()
                load.wait()
                raise
            finally:
                if alongside is not None:
                    alongside.stop()
            recorder = result.recorder
        seconds = time.monotonic() - started
        server_after, own_after = _sample(server_pid), sample(os.getpid())
        memory.end = server_after.rss_bytes if server_after else None
        if options.cool_down > 0:
            sampler.recorder = None
            time.sleep(options.cool_down)
            cooled = _sample(server_pid)
            memory.after_cool_down = cooled.rss_bytes if cooled else None
    finally:
        sampler.stop()
    if workload.cleanup:
        run_steps(workload.cleanup, address, database)
    if isinstance(result.fatal, TestFileError):  # a value the workload made that cannot be used
        raise result.fatal
    cpu = _cpu(server_before, server_after, own_before, own_after, seconds, recorder.statements, sampler)
    overall = recorder.latency()
    stress = StressResult(
        workload=str(workload.path), server=server, options=options, recorder=recorder, seconds=seconds,
        groups={name: recorder.latency(name) for name in sorted(recorder.histograms)}, overall=overall,
        errors=recorder.errors_by_class(), memory=memory, cpu=cpu, samples=sampler.samples,
        intervals=sampler.intervals, ramp=ramp_result, reconnects=result.reconnects, lagging=result.lagging,
        stopped_by=result.stopped_by, fatal=str(result.fatal) if result.fatal is not None else None,
    )
    group = options.criteria.p95_group
    p95 = recorder.latency(group).p95 if group else overall.p95
    figures = Figures(p95, recorder.failed, memory.growth, memory.retained, cpu.server_average)
    if options.ramp is not None:
        # The ramp goes until something breaks: its p95 bound ends the ramp and is no verdict. What
        # must hold is that the server slowed down gracefully: it kept its connections and still serves.
        criteria = replace(options.criteria, max_p95=None, max_errors=None)
        serving = _serving(address, database)
        stress.verdicts = [
            Verdict("server kept serving", "no dropped connection", f"{stress.reconnects} reconnect(s), "
                    f"{'answers' if serving else 'does not answer'} after the ramp", serving and not stress.reconnects),
            *judge(criteria, figures),
        ]
    else:
        stress.verdicts = judge(options.criteria, figures)
    return stress


class Alongside(Protocol):
    """Something that runs while the load does (``runner.stress.chaos.Chaos``)."""

    def start(self) -> None: ...
    def stop(self) -> None: ...


def _serving(address: ServerAddress, database: str) -> bool:
    try:
        conn = open_connection(address, database=database, connect_timeout=5)
    except AdminError:
        return False
    try:
        return conn.ping()
    finally:
        conn.close()


def _as_error(exc: Exception) -> TidbrunError:
    return exc if isinstance(exc, TidbrunError) else ServerUnavailable(f"stress: {exc}")


def _sample(pid: int | None) -> ProcessSample | None:
    return sample(pid) if pid is not None else None


def _summary(loads: list[LoadResult], recorder: Recorder) -> LoadResult:
    last = loads[-1] if loads else None
    return LoadResult(
        recorder, sum(load.seconds for load in loads), sum(load.reconnects for load in loads),
        any(load.lagging for load in loads), "ramp", last.fatal if last is not None else None,
    )


def _cpu(
    server_before: ProcessSample | None, server_after: ProcessSample | None, own_before: ProcessSample | None,
    own_after: ProcessSample | None, seconds: float, statements: int, sampler: Sampler,
) -> Cpu:
    cpu = Cpu()
    if seconds <= 0:
        return cpu
    if server_before is not None and server_after is not None:
        cpu.server_average = 100.0 * (server_after.cpu_seconds - server_before.cpu_seconds) / seconds
        peaks = sampler.cpu(server=True)
        cpu.server_peak = max(peaks) if peaks else None
    if own_before is not None and own_after is not None:
        used = own_after.cpu_seconds - own_before.cpu_seconds
        cpu.own_average = 100.0 * used / seconds
        cpu.own_per_statement = used / statements if statements else None
    return cpu
