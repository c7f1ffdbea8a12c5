import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest


def _load_lib() -> ModuleType:
    # tools/ is a folder of scripts, not a package (see test_conformance_tool.py).
    path = Path(__file__).resolve().parents[2] / "tools" / "bench_lib.py"
    spec = importlib.util.spec_from_file_location("bench_lib", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


lib = _load_lib()


def _run(side, index, wall, user=0.1, sys_=0.2, passed=True):
    return lib.Run(side, index, wall, user, sys_, 0 if passed else 1, passed)


def test_runs_alternate_side_by_side():
    assert lib.alternating(("reference", "tidbrun"), 2) == [
        ("reference", 1),
        ("tidbrun", 1),
        ("reference", 2),
        ("tidbrun", 2),
    ]


def test_series_medians_and_pass():
    series = lib.Series("tidbrun", [_run("tidbrun", i, wall) for i, wall in enumerate((3.0, 1.0, 2.0, 10.0, 2.5), 1)])
    assert series.median_wall == 2.5
    assert series.median_cpu == pytest.approx(0.3)
    assert series.all_passed
    series.runs.append(_run("tidbrun", 6, 1.0, passed=False))
    assert not series.all_passed
    assert not lib.Series("x").all_passed


def test_many_selects_ratio_is_tidbrun_over_reference():
    reference = lib.Series("reference", [_run("reference", 1, 2.0), _run("reference", 2, 4.0)])
    tidbrun = lib.Series("tidbrun", [_run("tidbrun", 1, 3.0, user=0.5), _run("tidbrun", 2, 4.0, user=0.5)])
    figures = lib.many_selects_figures(reference, tidbrun)
    assert figures.ratio == pytest.approx(3.5 / 3.0)
    assert figures.extra["paired ratios"] == [1.5, 1.0]
    assert figures.extra["cpu ratio tidbrun/reference (medians)"] == pytest.approx(0.7 / 0.3)
    text = "\n".join(figures.lines())
    assert "median wall ratio tidbrun/reference: 1.17x" in text
    assert figures.as_dict()["series"][1]["median_wall"] == 3.5


def test_tests50_ratio_is_mtr_over_tidbrun_and_missing_side_gives_none():
    mtr = lib.Series("mtr", [_run("mtr", 1, 20.0)])
    tidbrun = lib.Series("tidbrun", [_run("tidbrun", 1, 10.0)])
    assert lib.tests50_figures(mtr, tidbrun, tidbrun_command=["tidbrun"]).ratio == 2.0
    alone = lib.tests50_figures(mtr, lib.Series("tidbrun"), tidbrun_command=[])
    assert alone.ratio is None
    assert "  median wall ratio MTR/tidbrun: -" in alone.lines()
    assert not any("tidbrun command" in line for line in alone.lines())
    # A side with no runs is left out of the lines.
    assert not any(line.strip().startswith("tidbrun ") for line in alone.lines())


def test_test_names_from_the_list_file():
    assert lib.parse_test_names("1st\n# note\nmain.alias.test\n\n1st\nderived  # why\n") == ["1st", "alias", "derived"]


@pytest.mark.parametrize(
    ("help_text", "expected"),
    [
        ("  --force  Go on.\n  -j, --jobs <int range>  Run tests on N workers\n", True),
        ("  --jobs N  workers\n", True),
        ("  --force  Go on after a failing test.\n  --reject-dir <path>\n", False),
        ("  --major-jump  not it\n", False),
    ],
)
def test_tidbrun_jobs_option_is_found_in_its_help(help_text, expected):
    assert lib.supports_jobs(help_text) is expected


def test_mtr_outcome_needs_every_test_successful():
    assert lib.mtr_outcome(0, "Completed: All 50 tests were successful.\n", 50) == (
        True,
        "all 50 tests were successful",
    )
    assert lib.mtr_outcome(0, "Completed: All 48 tests were successful.\n", 50)[0] is False
    failed = lib.mtr_outcome(1, "Completed: Failed 2/50 tests, 96.00% were successful.\n", 50)
    assert failed == (False, "exit code 1, failed 2/50")
    assert lib.mtr_outcome(None, "", 50) == (False, "timed out")
    assert lib.mtr_outcome(2, "mysql-test-run: *** ERROR: boom\n", 50) == (False, "exit code 2, no summary line")


def test_tidbrun_totals_outcome():
    out = "x  [ pass ]  1 ms\n\n50 passed, 0 failed, 0 skipped in 12.3s\n"
    assert lib.tidbrun_totals_outcome(0, out, 50) == (True, "50 passed, 0 failed, 0 skipped")
    assert lib.tidbrun_totals_outcome(1, "48 passed, 2 failed, 0 skipped in 9s\n", 50)[0] is False
    # Skips exit 0 but are not what the benchmark measures.
    assert lib.tidbrun_totals_outcome(0, "49 passed, 0 failed, 1 skipped in 9s\n", 50)[0] is False
    assert lib.tidbrun_totals_outcome(2, "Traceback\n", 50) == (False, "exit code 2, no totals line")


def test_run_line_shows_times_verdict_and_own_clock():
    run = lib.Run("tidbrun", 2, 1.8, 0.79, 0.27, 0, True, reported=1.36)
    assert run.cpu == pytest.approx(1.06)
    line = lib.run_line(run)
    assert "tidbrun   run 2: wall   1.80 s" in line
    assert "own clock 1.36 s" in line
    assert "NOT PASSED" in lib.run_line(lib.Run("mtr", 1, 1.0, 0, 0, 1, False, "exit code 1"))
