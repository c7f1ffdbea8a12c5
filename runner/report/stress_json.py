"""``tidbrun stress --json FILE``: the run's figures, for scripts and dashboards.

Times are in seconds, memory in bytes, CPU in percent of one core.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from runner.stress.chaos import ChaosReport
from runner.stress.metrics import Latency
from runner.stress.run import StressResult


def _latency(latency: Latency) -> dict[str, Any]:
    return asdict(latency)


def _chaos(report: ChaosReport) -> dict[str, Any]:
    """The schedule's actions (seconds from the start of the load) and the ledger check."""
    return {
        "schedule": report.schedule,
        "actions": [{"at": o.action.at, "action": o.action.kind, "seconds": o.action.seconds,
                     "latency": o.action.latency, "applied": o.applied, "took": o.took, "over_at": o.ended,
                     "recovered_in": o.recovered, "problem": o.problem} for o in report.actions],
        "ledger": {"writers": report.writers, "acknowledged": report.acknowledged, "unsure": report.unsure,
                   "refused": report.refused, "missing": [list(key) for key in report.missing]},
        "problem": report.problem,
        "passed": report.passed,
    }


def document(result: StressResult) -> dict[str, Any]:
    options = result.options
    return {
        "workload": result.workload,
        "server": result.server,
        "options": {
            "connections": options.load.connections, "duration": options.load.duration,
            "requests": options.load.requests, "rate": options.load.rate, "cool_down": options.cool_down,
            "ramp": asdict(options.ramp) if options.ramp is not None else None,
        },
        "seconds": result.seconds,
        "statements": result.statements,
        "throughput": result.throughput,
        "latency": _latency(result.overall),
        "groups": {
            name: {**_latency(latency), "errors": dict(result.recorder.errors.get(name, {}))}
            for name, latency in result.groups.items()
        },
        "errors": dict(result.errors),
        "memory": {**asdict(result.memory), "growth_percent": result.memory.growth,
                   "retained_percent": result.memory.retained},
        "cpu": asdict(result.cpu),
        "samples": [asdict(sample) for sample in result.samples],
        "intervals": [{"at": i.at, "seconds": i.seconds, "statements": i.statements, "errors": i.errors,
                       "throughput": i.throughput, "latency": _latency(i.latency)} for i in result.intervals],
        "ramp": None if result.ramp is None else {
            "knee": result.ramp.knee,
            "steps": [{"rate": s.rate, "achieved": s.achieved, "errors": s.errors, "held": s.held, "why": s.why,
                       "latency": _latency(s.latency)} for s in result.ramp.steps],
        },
        "reconnects": result.reconnects,
        "lagging": result.lagging,
        "stopped_by": result.stopped_by,
        "fatal": result.fatal,
        "chaos": _chaos(result.chaos) if result.chaos is not None else None,
        "verdicts": [asdict(verdict) for verdict in result.verdicts],
        "passed": result.passed,
    }


def build(result: StressResult) -> bytes:
    return (json.dumps(document(result), indent=2) + "\n").encode("utf-8")
