"""``--ramp``: raise the open-loop rate step by step until the server stops keeping up; the knee
is the last rate that held.

A step holds when it had no error, its p95 stayed within the latency bound, and the load reached
at least ``KEEP_UP`` of the rate asked for (below that, the statements queue: the server, or the
connections, are saturated). The ramp stops at the first step that does not hold, at
``max_steps``, or when the run's time is used up.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from runner.server.address import ServerAddress
from runner.stress.loop import Load, LoadOptions, LoadResult, OnStatement
from runner.stress.metrics import Latency, Recorder
from runner.stress.workload import Workload

KEEP_UP = 0.9
DEFAULT_LATENCY_BOUND = 1.0  # seconds of p95, when no --max-p95 is given


@dataclass(frozen=True, slots=True)
class RampOptions:
    start: float = 50.0  # statements per second of the first step
    factor: float = 1.5  # each step's rate is the last one's times this
    step_seconds: float = 5.0
    max_p95: float = DEFAULT_LATENCY_BOUND
    max_steps: int = 40


@dataclass(slots=True)
class RampStep:
    rate: float  # asked for
    achieved: float
    latency: Latency
    errors: int
    held: bool
    why: str  # why it did not hold ("" when it did)


@dataclass(slots=True)
class RampResult:
    steps: list[RampStep]

    @property
    def knee(self) -> float | None:
        """The highest rate that held (None: not even the first)."""
        held = [step.rate for step in self.steps if step.held]
        return max(held) if held else None


def run_ramp(
    workload: Workload,
    address: ServerAddress,
    options: LoadOptions,
    ramp: RampOptions,
    *,
    total_seconds: float,
    on_recorder: Callable[[Recorder], None] | None = None,
    on_statement: OnStatement | None = None,
) -> tuple[RampResult, list[LoadResult]]:
    """The ramp's steps, each a load of ``ramp.step_seconds`` at its rate; ``on_recorder`` is told
    of each step's recorder before it starts (the sampler follows it)."""
    deadline = time.monotonic() + total_seconds
    steps: list[RampStep] = []
    loads: list[LoadResult] = []
    rate = ramp.start
    for _ in range(ramp.max_steps):
        seconds = min(ramp.step_seconds, deadline - time.monotonic())
        if seconds < min(1.0, ramp.step_seconds):
            break
        recorder = Recorder()
        if on_recorder is not None:
            on_recorder(recorder)
        step_options = replace(options, rate=rate, duration=seconds, requests=None)
        result = Load(workload, address, step_options, recorder=recorder, on_statement=on_statement).start().wait()
        loads.append(result)
        step = judge_step(rate, result, ramp.max_p95)
        steps.append(step)
        if not step.held or result.fatal is not None:
            break
        rate *= ramp.factor
    return RampResult(steps), loads


def judge_step(rate: float, result: LoadResult, max_p95: float) -> RampStep:
    latency = result.recorder.latency()
    errors = result.recorder.failed
    achieved = result.throughput
    why = ""
    if errors:
        why = f"{errors} error(s)"
    elif latency.p95 > max_p95:
        why = f"p95 {latency.p95 * 1e3:.1f}ms > {max_p95 * 1e3:.0f}ms"
    elif achieved < KEEP_UP * rate:
        why = f"reached {achieved:.0f}/s of {rate:.0f}/s"
    return RampStep(rate, achieved, latency, errors, not why, why)
