"""``-j N``: tests on N worker processes, each with a server of its own.

Each worker is a process (tests change process-wide state: the environment ``exec`` sees, signal
handlers, the statement watch), with its own vardir ``<vardir>/<n>`` and its own embedded server,
as mysql-test-run.pl's ``--parallel`` gives each worker ``var/<n>``. On a named server every worker
uses that server: the mysql-tester dialect gives each test a database of its own already.

The parent schedules: a worker that is ready says which server setup it runs, and gets the next
test wanting that setup, else the next test in order (so servers restart rarely). Reports travel
back whole and are printed by the parent, one at a time: lines of different tests never mix.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import sys
import threading
from collections.abc import Callable, Hashable
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from runner.config.run_config import RunConfig
from runner.errors import PluginError
from runner.run.outcome import ServerBanner, ServerRun, merge
from runner.run.rerun import failure_limit_reason, reached
from runner.run.schedule import Scheduler
from runner.run.server_run import run_on_server
from runner.run.suite import TestCase, TestReport

# How often the parent looks at its workers while no message comes (a worker that died).
POLL_SECONDS = 0.5


class _WorkerFeed:
    """A worker's side of the scheduler: asks the parent for the next test."""

    def __init__(self, worker: int, tasks: Any, messages: Any) -> None:
        self._worker = worker
        self._tasks = tasks
        self._messages = messages

    def next_case(self, current: Hashable) -> TestCase | None:
        self._messages.put(("ready", self._worker, current))
        case: TestCase | None = self._tasks.get()
        return case

    def rest(self) -> list[TestCase]:
        self._messages.put(("rest", self._worker, None))
        cases: list[TestCase] = self._tasks.get()
        return cases


def _worker_main(config: RunConfig, worker: int, vardir: Path, mysql_test_dir: Path | None,
                 tasks: Any, messages: Any) -> None:
    def show(report: TestReport) -> None:
        messages.put(("report", worker, report))

    def announce(banner: ServerBanner) -> None:
        messages.put(("banner", worker, banner))

    (vardir / "tmp").mkdir(parents=True, exist_ok=True)
    try:
        outcome = run_on_server(config, _WorkerFeed(worker, tasks, messages), vardir, mysql_test_dir, show,
                                announce)
    except PluginError as exc:  # a broken plugin stops the whole run, as it does on one server
        messages.put(("plugin", worker, str(exc)))
        raise SystemExit(1) from None
    except BaseException as exc:  # the parent reports it; the worker's tests go to the others
        messages.put(("died", worker, f"{type(exc).__name__}: {exc}"))
        raise SystemExit(1) from None
    messages.put(("done", worker, outcome))


def _context() -> Any:  # a ForkContext or a SpawnContext
    # fork is fast and needs nothing picklable but the messages; it is safe while the parent has
    # no other threads (it has none at this point of a run).
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def run_parallel(
    config: RunConfig,
    cases: list[TestCase],
    vardir: Path,
    mysql_test_dir: Path | None,
    show: Callable[[TestReport], None],
    scheduler: Scheduler,
    announce: Callable[[ServerBanner], None] | None = None,
) -> ServerRun:
    """Run ``cases`` on ``config.jobs`` workers; ``show`` sees each report as it comes, and
    ``announce`` the first worker's server once it answers."""
    total = ServerRun()
    if config.server.external and config.jobs > 1 and (config.dialect or "mysqltest") == "mysqltest":
        print("tidbrun: -j with a named server needs the mysql-tester dialect (each test its own database); "
              "mysqltest tests share database `test`. Leave out --host/--port/--socket to run each worker "
              "on an embedded server of its own.", file=sys.stderr)
        total.input_error = True
        return total
    jobs = min(config.jobs, len(cases))
    context = _context()
    messages: Any = context.Queue()
    task_queues: list[Any] = [context.Queue() for _ in range(jobs)]
    workers: dict[int, BaseProcess] = {}
    in_flight: dict[int, TestCase | None] = {}
    for number in range(1, jobs + 1):
        process = context.Process(
            target=_worker_main,
            args=(config, number, vardir / str(number), mysql_test_dir, task_queues[number - 1], messages),
            name=f"tidbrun-worker-{number}",
            daemon=False,
        )
        process.start()
        workers[number] = process
        in_flight[number] = None
    finished: set[int] = set()
    stop_requested = False
    announced = False
    failures = 0

    def forward(signum: int, _frame: object) -> None:
        nonlocal stop_requested
        stop_requested = True
        scheduler.take_all()
        for number, process in workers.items():
            if number not in finished and process.pid is not None:
                try:
                    os.kill(process.pid, signum)
                except ProcessLookupError:
                    pass
        if total.signal_exit is None:
            total.signal_exit = 128 + signum

    previous = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        while len(finished) < jobs:
            try:
                kind, number, payload = messages.get(timeout=POLL_SECONDS)
            except queue.Empty:
                _reap_dead(workers, finished, in_flight, total, show)
                continue
            if kind == "ready":
                case = None if stop_requested else scheduler.next_for(payload)
                in_flight[number] = case
                task_queues[number - 1].put(case)
            elif kind == "rest":
                task_queues[number - 1].put(scheduler.take_all())
            elif kind == "banner":
                if announce is not None and not announced:
                    announce(payload)
                announced = True
            elif kind == "report":
                if in_flight.get(number) is not None and payload.case == in_flight[number]:
                    in_flight[number] = None
                show(payload)
                total.ran += 1
                if payload.status in ("fail", "error"):
                    failures += 1
                    total.failed = True
                    total.input_error = total.input_error or payload.status == "error"
                    if not config.force:
                        stop_requested = True
                        scheduler.take_all()
                    elif reached(failures, config.max_test_fail) and not stop_requested:
                        assert config.max_test_fail is not None
                        stop_requested = True
                        why = f"not run: {failure_limit_reason(config.max_test_fail)}"
                        for case in scheduler.take_all():
                            show(TestReport(case, "not run", 0.0, why))
                            total.ran += 1
            elif kind in ("done", "died", "plugin"):
                finished.add(number)
                case = in_flight[number]
                in_flight[number] = None
                if kind == "done":
                    merge(total, payload)
                elif kind == "plugin":
                    if not total.input_error:  # once, though every worker meets it
                        print(f"tidbrun: {payload}", file=sys.stderr)
                    total.failed = total.input_error = stop_requested = True
                    scheduler.take_all()
                    if case is not None:
                        show(TestReport(case, "error", 0.0, f"not run to its end: {payload}"))
                        total.ran += 1
                else:
                    print(f"tidbrun: worker {number} stopped: {payload}", file=sys.stderr)
                    total.failed = True
                    if case is not None:  # the test it was running gets the reason, not silence
                        show(TestReport(case, "error", 0.0, f"worker {number} stopped during this test: {payload}"))
                        total.ran += 1
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for process in workers.values():
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
                process.join()
    return total


def _reap_dead(
    workers: dict[int, BaseProcess],
    finished: set[int],
    in_flight: dict[int, TestCase | None],
    total: ServerRun,
    show: Callable[[TestReport], None],
) -> None:
    """A worker that died without saying so: its test in flight fails, the others go on."""
    for number, process in workers.items():
        if number in finished or process.is_alive():
            continue
        finished.add(number)
        case = in_flight.get(number)
        total.failed = True
        if case is not None:
            why = f"worker {number} died (exit code {process.exitcode}) during this test"
            show(TestReport(case, "error", 0.0, why))
            total.ran += 1
        print(f"tidbrun: worker {number} died (exit code {process.exitcode})", file=sys.stderr)


