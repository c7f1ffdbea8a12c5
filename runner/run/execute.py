"""One run from start to end: collect the tests, run them on one server or on workers, report."""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from runner.config.run_config import RunConfig
from runner.errors import EXIT_OK, EXIT_TEST_FAILED, EXIT_USAGE
from runner.judge.tree_rejects import tree_reject_folder
from runner.plugins import activate as activate_plugins
from runner.report import json_file
from runner.report.banner import banner_line
from runner.report.collect import list_collected
from runner.report.console import ConsoleReport
from runner.report.files import write_reports
from runner.report.github import write_github
from runner.report.junit import ServerFacts
from runner.run.last_failed import LastFailed, cache_folder
from runner.run.outcome import ListFeed, ServerBanner, ServerRun
from runner.run.rerun import repeated
from runner.run.schedule import Durations, Scheduler, default_durations_path, in_setup_order
from runner.run.select import select
from runner.run.server_run import run_on_server, setup_of
from runner.run.shard import take_shard
from runner.run.suite import TestReport, discover, find_basedir
from runner.sessions.driver import HAVE_CEXT

log = logging.getLogger("tidbrun.cache")

# A throwaway vardir goes to memory when there is room (mysql-test-run.pl's --mem): the server's
# fsyncs then cost nothing, which takes about a third off the run time of a typical suite here.
MEMORY_FOLDER = Path("/dev/shm")
MEMORY_MIN_FREE = 2 << 30


def _scratch_root() -> str | None:
    if os.environ.get("TIDBRUN_NO_MEM") or os.environ.get("TMPDIR"):
        return None  # asked not to, or a temp folder was chosen
    try:
        stats = os.statvfs(MEMORY_FOLDER)
    except OSError:
        return None
    if stats.f_bavail * stats.f_frsize < MEMORY_MIN_FREE or not os.access(MEMORY_FOLDER, os.W_OK):
        return None
    return str(MEMORY_FOLDER)


def mysql_test_dir_of(config: RunConfig) -> Path | None:
    """The mysql-test tree the run is in (--basedir, or above the tests), else None."""
    candidates = [config.basedir] if config.basedir else [find_basedir(p) for p in config.paths]
    for candidate in candidates:
        if candidate is not None and (candidate / "include" / "mtr_warnings.sql").is_file():
            return candidate
    return None


def execute(config: RunConfig) -> int:
    # The plugins first: their kinds of test files are found too.
    cases = activate_plugins(config.plugins).kinds.expand(discover(config.paths, config.result_file), config.matrix)
    if not cases:
        print("tidbrun: no .test files found", file=sys.stderr)
        return EXIT_USAGE
    if not HAVE_CEXT:
        print("tidbrun: note: mysql-connector-python's C extension is not loaded; running on pure Python",
              file=sys.stderr)
    mysql_test_dir = mysql_test_dir_of(config)
    if mysql_test_dir is not None and config.result_file is None and not config.plain:
        from runner.run.cases import plan_tests

        cases = plan_tests(cases, mysql_test_dir, big_test=config.big_test, external=config.server.external)
    cases, deselected = select(cases, config.selection)
    if not cases:
        print(f"tidbrun: no test selected ({deselected} deselected)", file=sys.stderr)
        return EXIT_USAGE
    last_failed = LastFailed.load(cache_folder())
    if config.last_failed:
        everything = len(cases)
        cases, note = last_failed.keep(cases)
        deselected += everything - len(cases)
        print(f"tidbrun: {note}", file=sys.stderr)
    durations = Durations.load(default_durations_path())
    if config.shard is not None:
        everything = len(cases)
        cases = take_shard(cases, config.shard, durations.guess)
        deselected += everything - len(cases)
        if not cases and not config.collect_only:  # more parts than tests: nothing to do in this one
            print(f"tidbrun: shard {config.shard[0]}/{config.shard[1]} has no test ({everything} in all)",
                  file=sys.stderr)
            return EXIT_OK
    plugins = activate_plugins(config.plugins)
    plugins.call("tidbrun_collection_modifyitems", config=config, cases=cases)
    if config.collect_only:
        return list_collected(cases, deselected)
    cases = repeated(cases, config.repeat)
    own_vardir = config.vardir is None
    vardir = (
        Path(tempfile.mkdtemp(prefix="tidbrun-", dir=_scratch_root()))
        if own_vardir
        else Path(config.vardir).resolve()  # type: ignore[arg-type]
    )
    (vardir / "tmp").mkdir(parents=True, exist_ok=True)
    config = replace(config, tree_reject_dir=tree_reject_folder(vardir, throwaway=own_vardir))
    report = ConsoleReport(color=config.color, verbose=config.verbose, progress_total=len(cases))
    # The clock the cache's marks of use are on; a second early, as a file's time may lag the clock.
    began = time.time() - 1.0
    started = time.perf_counter()
    reports: list[TestReport] = []

    def show(result: TestReport) -> None:
        report.test(result)
        reports.append(result)

    def announce(banner: ServerBanner) -> None:
        report.banner(banner_line(replace(banner, vardir=vardir), config.jobs))

    try:
        if config.jobs > 1 and len(cases) > 1:
            from runner.run.workers import run_parallel

            scheduler = Scheduler(list(cases), setup_of, durations.guess,
                                  keep_order_within_setup=mysql_test_dir is not None)
            outcome = run_parallel(config, cases, vardir, mysql_test_dir, show, scheduler, announce)
        else:
            outcome = run_on_server(config, ListFeed(in_setup_order(cases, setup_of)), vardir, mysql_test_dir, show,
                                    announce)
    finally:
        report.close()
        if own_vardir:
            shutil.rmtree(vardir, ignore_errors=True)
        durations.update(reports)
        durations.save()
        last_failed.update(reports)
        last_failed.save()
    wall = time.perf_counter() - started
    report.summary(wall, not_run=len(cases) - outcome.ran)
    code = exit_code(outcome, reports, fail_on_flaky=config.fail_on_flaky)
    write_github(reports, wall=wall, server=f"{outcome.flavour or 'unknown'} {outcome.version or ''}".strip(),
                 environ=os.environ, stream=sys.stdout)
    if config.faults.report_file is not None:
        json_file.write(config.faults.report_file, reports, wall=wall, exit_code=code,
                        transitions=outcome.transitions, notes=outcome.notes)
    write_reports(config, reports, wall=wall, exit_code=code,
                  server=ServerFacts(flavour=outcome.flavour, version=outcome.version))
    plugins.call("tidbrun_report", reports=reports, wall=wall, exit_code=code)
    if not config.server.external and config.cache_max_size:
        bound_templates(config.cache_max_size, used_since=began)
    return code


def bound_templates(max_size: int, *, used_since: float) -> None:
    """Keep the cached server templates within ``max_size`` bytes, least recently used first.

    Nothing else removes them, and a CI runner's persistent cache would fill its disk. The
    templates this run used (marked since ``used_since``) stay. The run's outcome is decided by
    now: a prune that fails is only logged."""
    from runner.language.quantities import format_bytes
    from runner.server.bootstrap import default_cache_dir
    from runner.server.cache_store import TEMPLATE, prune

    cache_dir = default_cache_dir()
    try:
        result = prune(cache_dir, max_size=max_size, kinds=(TEMPLATE,), keep_used_since=used_since)
    except Exception as exc:  # a full disk, a permission: the tests' verdict must not change
        log.warning("cache: could not prune %s: %s", cache_dir, exc)
        return
    if result.removed:
        log.info("cache: removed %d least recently used template(s) of %s, %s freed, to keep them under %s",
                 len(result.removed), cache_dir, format_bytes(result.freed), format_bytes(max_size))
    for entry, reason in result.failed:
        log.warning("cache: could not remove %s: %s", entry.path, reason)


def exit_code(outcome: ServerRun, reports: list[TestReport], *, fail_on_flaky: bool = False) -> int:
    if outcome.signal_exit is not None:
        return outcome.signal_exit  # 130 after SIGINT, 143 after SIGTERM
    unavailable = any(r.status == "not run" and "server unavailable" in r.message for r in reports)
    if outcome.input_error or outcome.unavailable_at_start or unavailable:
        return EXIT_USAGE
    if fail_on_flaky and any(r.flaky for r in reports):
        return EXIT_TEST_FAILED
    return EXIT_TEST_FAILED if outcome.failed else EXIT_OK
