"""A stress run on the console: latency per group, errors by class, resources, the ramp, verdicts."""

from __future__ import annotations

from tabulate import tabulate

from runner.language.quantities import format_bytes, format_seconds
from runner.stress.chaos import ChaosReport
from runner.stress.metrics import Latency
from runner.stress.run import StressResult


def _latency_row(name: str, latency: Latency, seconds: float, errors: int) -> list[str]:
    rate = latency.count / seconds if seconds > 0 else 0.0
    return [name, str(latency.count), f"{rate:.1f}", str(errors), format_seconds(latency.p50),
            format_seconds(latency.p95), format_seconds(latency.p99), format_seconds(latency.max)]


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}%"


def _bytes(value: int | None) -> str:
    return "n/a" if value is None else format_bytes(value)


def _offset(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.2f}s"


def chaos_lines(report: ChaosReport) -> list[str]:
    """The schedule's actions as they went (times from the start of the load) and the ledger check."""
    rows = [[f"{outcome.action.at:g}s", outcome.action.describe(), _offset(outcome.applied),
             _offset(outcome.took), _offset(outcome.ended),
             outcome.problem or ("not seen" if outcome.ended is not None and outcome.recovered is None
                                 else _offset(outcome.recovered))]
            for outcome in report.actions]
    lines = [f"chaos: {report.schedule}",
             tabulate(rows, headers=["at", "action", "applied", "took", "over at", "recovered in"],
                      disable_numparse=True),
             f"ledger: {report.writers} writer(s), {report.acknowledged} acknowledged writes, {report.unsure} unsure "
             f"(answer lost), {report.refused} refused; {report.verdict_text()}"]
    if report.missing:
        lines += ["acknowledged writes missing:", *(f"  {line}" for line in report.listed_missing())]
    return lines


def render(result: StressResult) -> str:
    lines = [f"tidbrun stress {result.workload} on {result.server}"]
    options = result.options.load
    mode = "ramp" if result.ramp is not None else (f"open loop, {options.rate:g}/s" if options.rate else "closed loop")
    lines.append(f"{options.connections} connection(s), {mode}, {result.seconds:.1f}s, "
                 f"{result.statements} statements, {result.throughput:.1f}/s")
    failed = {name: sum(counts.values()) for name, counts in result.recorder.errors.items()}
    rows = [_latency_row(name, latency, result.seconds, failed.get(name, 0)) for name, latency in result.groups.items()]
    if len(rows) != 1:
        rows.append(_latency_row("all", result.overall, result.seconds, result.recorder.failed))
    headers = ["group", "statements", "per s", "errors", "p50", "p95", "p99", "max"]
    lines += ["", tabulate(rows, headers=headers, disable_numparse=True)]
    if result.errors:
        by_count = [[name, str(count)] for name, count in result.errors.most_common()]
        lines += ["", tabulate(by_count, headers=["error class", "count"], disable_numparse=True)]
    memory, cpu = result.memory, result.cpu
    resources = [
        ["server RSS", f"{_bytes(memory.baseline)} -> {_bytes(memory.end)} ({_percent(memory.growth)})",
         f"after {result.options.cool_down:g}s cool-down: {_bytes(memory.after_cool_down)} "
         f"({_percent(memory.retained)})" if result.options.cool_down > 0 else ""],
        ["server CPU", f"average {_percent(cpu.server_average)}", f"peak {_percent(cpu.server_peak)}"],
        ["tidbrun CPU", f"average {_percent(cpu.own_average)}",
         "per statement " + (format_seconds(cpu.own_per_statement) if cpu.own_per_statement is not None else "n/a")],
    ]
    lines += ["", tabulate(resources, tablefmt="plain", disable_numparse=True)]
    if result.ramp is not None:
        steps = [[f"{step.rate:.0f}", f"{step.achieved:.1f}", format_seconds(step.latency.p95),
                  format_seconds(step.latency.p99), str(step.errors), "held" if step.held else step.why]
                 for step in result.ramp.steps]
        knee = result.ramp.knee
        lines += ["", tabulate(steps, headers=["rate/s", "achieved/s", "p95", "p99", "errors", ""],
                               disable_numparse=True),
                  f"knee: {knee:.0f} statements/s" if knee is not None else "knee: none (the first step broke)"]
    if result.chaos is not None:
        lines += ["", *chaos_lines(result.chaos)]
    notes = []
    if result.lagging:
        notes.append("note: the load fell behind its rate (statements were sent late; their latency counts from "
                     "when they were due)")
    if result.reconnects:
        notes.append(f"note: {result.reconnects} reconnect(s) after the server dropped a connection")
    if result.fatal:
        notes.append(f"stopped: {result.fatal}")
    if notes:
        lines += ["", *notes]
    if result.verdicts:
        lines += ["", tabulate([[v.name, v.limit, v.measured, "pass" if v.passed else "FAIL"] for v in result.verdicts],
                               headers=["criterion", "limit", "measured", ""], disable_numparse=True)]
    lines.append("")
    lines.append("PASSED" if result.passed else "FAILED")
    return "\n".join(lines) + "\n"
