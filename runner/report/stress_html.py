"""``tidbrun stress --html FILE``: the run as one self-contained page: the figures, the verdicts,
and plots of latency, throughput, server memory and CPU over time (``stress_plots``).

jinja2 with autoescaping on: names, statements and messages are text, never markup; the plots are
PNG data: URLs in ``img`` elements.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from runner.language.quantities import format_bytes
from runner.report.stress_console import render
from runner.report.stress_json import document
from runner.report.stress_plots import plots
from runner.stress.run import StressResult


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["size"] = lambda value: "n/a" if value is None else format_bytes(value)
    return environment


def build(result: StressResult) -> bytes:
    page = _environment().get_template("stress.html.j2").render(
        result=result, doc=document(result), plots=plots(result), summary=render(result),
    )
    return page.encode("utf-8")
