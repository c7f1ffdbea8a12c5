"""The stress report's plots, drawn with matplotlib (no pyplot: no global state, no display) as
PNG images for a data: URL, so that the page needs no other file."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from runner.stress.run import StressResult

_SIZE = (8.0, 2.6)
_DPI = 100

Series = tuple[str, Sequence[float], Sequence[float | None]]
Mark = tuple[str, float, float | None]  # a chaos action: its name, when it began, when it was over


def _png(title: str, ylabel: str, series: Sequence[Series], *, bars: bool = False,
         marks: Sequence[Mark] = ()) -> str:
    figure = Figure(figsize=_SIZE, dpi=_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    for label, start, end in marks:
        # The chaos schedule's faults: a line for a kill or restart, a band for what lasts.
        if end is None or end - start < 0.05:
            axes.axvline(start, color="#b3261e", linewidth=0.8, alpha=0.6)
        else:
            axes.axvspan(start, end, color="#b3261e", alpha=0.12)
        axes.annotate(label, (start, 1.0), xycoords=("data", "axes fraction"), fontsize=7, color="#b3261e",
                      rotation=90, va="top", ha="right")
    for label, xs, ys in series:
        points = [(x, y) for x, y in zip(xs, ys, strict=True) if y is not None]
        if not points:
            continue
        px, py = zip(*points, strict=True)
        if bars:
            axes.bar(px, py, width=0.8, label=label)
        else:
            axes.plot(px, py, label=label, linewidth=1.2)
    axes.set_title(title, fontsize=10)
    axes.set_xlabel("seconds", fontsize=8)
    axes.set_ylabel(ylabel, fontsize=8)
    axes.tick_params(labelsize=8)
    axes.grid(True, alpha=0.3)
    if any(len(s[1]) for s in series) and len(series) > 1:
        axes.legend(fontsize=8, loc="upper left")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def plots(result: StressResult) -> list[tuple[str, str]]:
    """(alt text, data: URL) of each plot."""
    at = [i.at for i in result.intervals]
    marks: list[Mark] = [] if result.chaos is None else [
        (outcome.action.kind, outcome.applied, outcome.ended if outcome.action.seconds else None)
        for outcome in result.chaos.actions if outcome.applied is not None
    ]
    latency = _png("Latency per interval", "ms", [
        (name, at, [getattr(i.latency, name) * 1e3 if i.statements else None for i in result.intervals])
        for name in ("p50", "p95", "p99")
    ], marks=marks)
    throughput = _png("Throughput", "statements/s", [
        ("statements/s", at, [i.throughput for i in result.intervals]),
        ("errors/s", at, [i.errors / i.seconds if i.seconds > 0 else 0.0 for i in result.intervals]),
    ], marks=marks)
    sat = [s.at for s in result.samples]
    memory = _png("Server RSS", "MB", [
        ("server", sat, [s.server_rss / 2**20 if s.server_rss is not None else None for s in result.samples]),
    ])
    cpu = _png("CPU (100% = one core)", "%", [
        ("server", sat, [s.server_cpu for s in result.samples]),
        ("tidbrun", sat, [s.own_cpu for s in result.samples]),
    ])
    return [("latency over time", latency), ("throughput over time", throughput),
            ("server memory over time", memory), ("CPU over time", cpu)]
