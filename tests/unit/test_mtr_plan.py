"""The whole plan for the installed main suite, against mysql-test-run.pl's own verdicts."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest

from runner.mtr.features import mysqld_features
from runner.mtr.options import expand_env, opts_from_file
from runner.mtr.plan import PlannedRun, Planner
from runner.mtr.suite_rules import mtr_install_basedir, mtr_plugindir

MYSQL_TEST = Path("/usr/share/mysql/mysql-test")
VERDICTS = Path("/work/shared/reference/main_mtr_verdicts.tsv")
MARIADBD = shutil.which("mariadbd") or ("/usr/sbin/mariadbd" if Path("/usr/sbin/mariadbd").is_file() else None)

pytestmark = pytest.mark.skipif(
    not (MYSQL_TEST / "main").is_dir() or MARIADBD is None or shutil.which("perl") is None,
    reason="needs the mariadb-test tree, mariadbd and perl",
)


def _mtr_environment() -> dict[str, str]:
    """The part of MTR's environment suite.pm files look at: <PLUGIN>_SO for each plugin file."""
    env = dict(os.environ)
    plugins = mtr_plugindir(mtr_install_basedir(MYSQL_TEST))
    for path in sorted(plugins.glob("*.so")) if plugins else []:
        env[f"{path.stem.upper()}_SO"] = path.name
    return env


@pytest.fixture(scope="module")
def main_runs() -> list[PlannedRun]:
    assert MARIADBD is not None
    planner = Planner(MYSQL_TEST, mysqld_features(Path(MARIADBD)), env=_mtr_environment())
    return [run for test in sorted((MYSQL_TEST / "main").glob("*.test")) for run in planner.plan(test)]


@pytest.fixture(scope="module")
def verdicts() -> dict[tuple[str, str], dict[str, str]]:
    if not VERDICTS.is_file():
        pytest.skip(f"{VERDICTS} is not here (the shared reference measurements)")
    with VERDICTS.open(newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return {(row["test"], row["combination"]): row for row in rows}


def _key(run: PlannedRun) -> tuple[str, str]:
    return run.tname, run.combination


def test_runs_and_combination_names_match_mtr(main_runs: list[PlannedRun], verdicts: dict) -> None:
    ours = [_key(run) for run in main_runs]
    assert len(ours) == len(set(ours))
    assert set(ours) == set(verdicts)


def _captured_wrongly(reason: str) -> bool:
    # The reference table took a worker's warning line instead of the reason for one test.
    return "mysql-test-run: WARNING" in reason


def test_static_skips_match_mtr(main_runs: list[PlannedRun], verdicts: dict) -> None:
    by_key = {_key(run): run for run in main_runs}
    for run in main_runs:
        if run.skip is None:
            continue
        row = verdicts[_key(run)]
        assert row["verdict"] == ("disabled" if run.skip.disabled else "skipped"), run.display
        if not _captured_wrongly(row["reason"]):
            assert row["reason"] == run.skip.reason, run.display
    # Reasons only collection can give: every such reference verdict is found statically.
    static_reasons = {"Requires debug build", "Test needs --big-test"}
    for key, row in verdicts.items():
        if row["verdict"] == "disabled" or row["reason"] in static_reasons:
            skip = by_key[key].skip
            assert skip is not None, key
            assert skip.disabled == (row["verdict"] == "disabled")


def test_opt_files_reach_the_server_options(main_runs: list[PlannedRun]) -> None:
    checked = 0
    for run in main_runs:
        if run.options is None:
            continue
        common = opts_from_file(run.path.with_suffix(".opt"))
        own = common + opts_from_file(run.path.with_name(run.tname + "-master.opt"))
        slave = common + opts_from_file(run.path.with_name(run.tname + "-slave.opt"))
        # MTR reads --timezone from the master's options, then from the slave's: the last one wins.
        zones = [o.removeprefix("--timezone=") for o in own + slave if o.startswith("--timezone=")]
        if zones:
            assert run.options.timezone == expand_env(zones[-1], dict(os.environ, **(run.environment or {})))
        assert not any(opt.startswith("--timezone=") for opt in run.options.mysqld)
        wanted = [opt for opt in own if not opt.startswith("--timezone=")]
        if wanted:
            # The test's own options come last (after combinations and includes), unexpanded here.
            assert list(run.raw_options[-len(wanted) :]) == wanted, run.display
            checked += 1
    assert checked > 100


def test_results_and_order(main_runs: list[PlannedRun]) -> None:
    for run in main_runs:
        if run.options is None:
            continue
        if run.result.result is not None:
            assert run.result.result.is_file()
        if run.result.result is not None and run.result.is_rdiff:
            assert run.result.base is not None and run.result.base.suffix == ".result"
            assert set(run.result.result.stem.split(",")[1:]) <= set(run.combinations)
    ordered = sorted(main_runs, key=PlannedRun.order_key)
    first_runnable = next(i for i, run in enumerate(ordered) if run.skip is None)
    assert all(run.skip is not None for run in ordered[:first_runnable])
    assert all(run.skip is None for run in ordered[first_runnable:])


def test_an_opt_file_may_name_the_suite_and_the_test(tmp_path: Path) -> None:
    # MTR sets $MTR_SUITE_DIR and $MTR_TEST_NAME before it starts the servers (run_testcase), so
    # encryption.filekeys_encfile's .opt finds its key file in its own suite folder.
    assert MARIADBD is not None
    test = MYSQL_TEST / "suite" / "encryption" / "t" / "filekeys_encfile.test"
    if not test.is_file():
        pytest.skip("needs the encryption suite")
    planner = Planner(MYSQL_TEST, mysqld_features(Path(MARIADBD)), env=_mtr_environment())
    (run,) = planner.plan(test)
    assert run.options is not None
    wanted = f"--loose-file-key-management-filename={MYSQL_TEST}/suite/encryption/t/filekeys-data.enc"
    assert wanted in run.options.mysqld
