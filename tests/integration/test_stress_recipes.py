"""Each recipe of suite/stress in its short form (the command in its header), against the
embedded server: seconds each, loose bounds. The long forms (minutes) are in docs/stress.md."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from runner.server.embedded import EmbeddedServer
from tests.conftest import REPO, run_tidbrun, server_args

pytestmark = pytest.mark.integration

RECIPES = sorted((REPO / "suite" / "stress").glob("*.test"))


def short_form(recipe: Path) -> list[str]:
    line = next(line for line in recipe.read_text().splitlines() if line.startswith("#   short: tidbrun stress "))
    return shlex.split(line.removeprefix("#   short: tidbrun stress "))


def test_there_are_recipes_for_the_strategy() -> None:
    assert {path.stem for path in RECIPES} >= {
        "memory_stability", "writers_and_readers", "cpu_at_rate", "memory_release", "latency_under_load",
        "graceful_degradation",
    }


@pytest.mark.parametrize("recipe", RECIPES, ids=[path.stem for path in RECIPES])
def test_a_recipe_runs_in_its_short_form(recipe: Path, tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    args = short_form(recipe)
    assert "#   long:  tidbrun stress" in recipe.read_text()
    report = tmp_path / "report.json"
    run = run_tidbrun("stress", *args, "--json", report, *server_args(embedded_server), cwd=REPO, timeout=180)
    assert run.returncode == 0, run.output
    figures = json.loads(report.read_text())
    assert figures["passed"] and figures["statements"] > 0 and figures["verdicts"]
    assert figures["memory"]["baseline"] > 0 and figures["cpu"]["server_average"] is not None
    if "--ramp" in args:
        assert figures["ramp"]["steps"] and figures["ramp"]["knee"] is not None
