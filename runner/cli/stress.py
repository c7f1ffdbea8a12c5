"""``tidbrun stress``: options in, the server started or reached, the stress run, its reports."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from runner.config.run_config import SERVER_CHOICES, SERVER_ENV, server_from_environment
from runner.errors import EXIT_TEST_FAILED, EXIT_USAGE, ServerUnavailable, TidbrunError
from runner.server.address import ServerAddress

if TYPE_CHECKING:
    from runner.server.embedded import EmbeddedServer
    from runner.stress.chaos_schedule import Schedule
    from runner.stress.loop import OnStatement
    from runner.stress.run import Alongside, StressOptions, StressResult
    from runner.stress.workload import Workload

HELP = """Run a workload (a .test-style file) in a loop on N connections and measure the server.

The workload's statements run with their $variables expanded; `--group NAME weight=W` sections
are picked by weight, `--setup` and `--cleanup` run once (see docs/stress.md). The run is always
bounded: --duration (default 10s without --requests), --requests, and a hard cap of 6 hours.
Measured: latency per group (p50/p95/p99/max), throughput, errors by class, the server's RSS and
CPU from /proc (when it runs on this machine), memory growth, memory after a cool-down.

With no --host/--port/--socket (and no TIDB_HOST), tidbrun starts a throwaway server of its own.
Load goes to this machine only (loopback).

Exit codes: 0 every criterion held; 1 one broke (or the load could not go on); 2 usage or input error.
"""

DEFAULT_DURATION = 10.0
DEFAULT_RAMP_DURATION = 120.0

app = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False, help=HELP)
T = TypeVar("T")


@app.command(help=HELP)
def stress(
    workload_path: Annotated[Path, typer.Argument(metavar="WORKLOAD", help="The workload file.")],
    connections: Annotated[int, typer.Option("--connections", "-c", min=1, max=1000,
                                             help="Connections, each running the loop.")] = 4,
    duration: Annotated[str | None, typer.Option(
        metavar="TIME", help="How long the load runs: 30s, 5m (default 10s).")] = None,
    requests: Annotated[int | None, typer.Option(min=1, help="Statements to run in all, then stop.")] = None,
    rate: Annotated[float | None, typer.Option(
        min=0.001, help="Open loop: statements per second in all (latency counts from when each was due). "
        "Default: closed loop.")] = None,
    ramp: Annotated[bool, typer.Option("--ramp", help="Raise the rate step by step until an error, the p95 "
                                       "bound (--max-p95, else 1s) or saturation; report the knee.")] = False,
    ramp_start: Annotated[float, typer.Option(min=0.001, help="--ramp: the first step's rate.")] = 50.0,
    ramp_factor: Annotated[float, typer.Option(min=1.01, help="--ramp: each step's rate times this.")] = 1.5,
    ramp_step: Annotated[str, typer.Option(
        metavar="TIME", help="--ramp: how long each step runs.")] = "5s",
    max_p95: Annotated[str | None, typer.Option(
        metavar="[GROUP=]TIME", help="Fail when the p95 latency (of every statement, or of GROUP's) is above: "
        "500ms, read=200ms.")] = None,
    max_errors: Annotated[int | None, typer.Option(min=0, help="Fail when more statements than this failed.")] = None,
    max_memory_growth: Annotated[str | None, typer.Option(
        metavar="PERCENT", help="Fail when the server's RSS grew more than this from baseline to the end: 10%.",
    )] = None,
    max_memory_retained: Annotated[str | None, typer.Option(
        metavar="PERCENT", help="Fail when, after the cool-down, the RSS is still this much above baseline: 15%.",
    )] = None,
    max_cpu: Annotated[str | None, typer.Option(
        metavar="PERCENT", help="Fail when the server's average CPU (100% = one core) is above: 80%.")] = None,
    cool_down: Annotated[str, typer.Option(
        metavar="TIME", help="Idle time after the load before memory is measured again.")] = "5s",
    warm_up: Annotated[str, typer.Option(
        metavar="TIME", help="Load before the baseline is taken, not measured (caches fill first): 30s.")] = "0s",
    sample_interval: Annotated[str, typer.Option(
        metavar="TIME", help="How often resources and latency are sampled.")] = "1s",
    statement_timeout: Annotated[int, typer.Option(
        min=1, help="Seconds a statement may wait for its answer; then it fails and its connection is "
        "opened again.")] = 30,
    seed: Annotated[int | None, typer.Option(help="Seed of the workload's random values (repeatable runs).")] = None,
    json_file: Annotated[Path | None, typer.Option("--json", metavar="FILE", help="Write the figures as JSON.")] = None,
    html_file: Annotated[Path | None, typer.Option("--html", metavar="FILE",
                                                   help="Write a self-contained HTML page with plots.")] = None,
    host: Annotated[str | None, typer.Option(help="Server host (env TIDB_HOST); loopback only.")] = None,
    port: Annotated[int | None, typer.Option(help="Server port (env TIDB_PORT).")] = None,
    user: Annotated[str | None, typer.Option(help="User (env TIDB_USER; default root).")] = None,
    password: Annotated[str | None, typer.Option(help="Password (env TIDB_PASSWORD).", show_default=False)] = None,
    socket: Annotated[str | None, typer.Option(help="Unix socket of the server.")] = None,
    database: Annotated[str | None, typer.Option(help="Database (env TIDB_DATABASE; default test).")] = None,
    server_kind: Annotated[str | None, typer.Option(
        "--server", help="Which server tidbrun starts when no --host is given: tidb, mariadb or mysql.")] = None,
    chaos: Annotated[str | None, typer.Option(
        metavar="SCHEDULE", help="Faults while the load runs, e.g. '10s kill; 12s restart; 30s pause 5s; 45s cut 3s; "
        "60s delay 200ms 5s'; afterwards every acknowledged ledger write must be there (docs/stress.md).")] = None,
    ledger_writers: Annotated[int, typer.Option(min=1, max=32, help="--chaos: connections writing the ledger.")] = 2,
) -> None:
    from runner.language.quantities import parse_duration, parse_percent
    from runner.stress.criteria import Criteria
    from runner.stress.loop import LoadOptions
    from runner.stress.ramp import DEFAULT_LATENCY_BOUND, RampOptions
    from runner.stress.run import StressOptions
    from runner.stress.workload import read_workload

    if server_kind is not None and server_kind not in SERVER_CHOICES:
        _usage(f"unknown server '{server_kind}' (use {', '.join(SERVER_CHOICES)})")
    if ramp and rate is not None:
        _usage("--ramp sets the rate itself: leave out --rate (use --ramp-start)")
    for option, report in (("--json", json_file), ("--html", html_file)):
        if report is not None and report.is_dir():
            _usage(f"{option} {report}: a folder, not a file")
    seconds = _parsed("--duration", duration, parse_duration) if duration is not None else None
    if seconds is not None and not 0 < seconds <= 6 * 3600:
        _usage("--duration must be above 0 and at most 6h")
    if seconds is None and requests is None:
        seconds = DEFAULT_RAMP_DURATION if ramp else DEFAULT_DURATION
    p95_group, _, p95_text = max_p95.rpartition("=") if max_p95 else ("", "", "")
    p95 = _parsed("--max-p95", p95_text, lambda text: parse_duration(text, default_unit="ms")) if max_p95 else None
    criteria = Criteria(
        max_p95=p95,
        p95_group=p95_group or None,
        max_errors=max_errors,
        max_memory_growth=_parsed("--max-memory-growth", max_memory_growth, parse_percent)
        if max_memory_growth else None,
        max_memory_retained=_parsed("--max-memory-retained", max_memory_retained, parse_percent)
        if max_memory_retained else None,
        max_cpu=_parsed("--max-cpu", max_cpu, parse_percent) if max_cpu else None,
    )
    settings = server_from_environment(host, port, user, password, socket, database)
    load = LoadOptions(connections=connections, duration=None if ramp else seconds, requests=requests, rate=rate,
                       database=settings.database, seed=seed, statement_timeout=statement_timeout)
    options = StressOptions(
        load=load, criteria=criteria, cool_down=_parsed("--cool-down", cool_down, parse_duration),
        warm_up=_parsed("--warm-up", warm_up, parse_duration),
        sample_interval=max(0.05, _parsed("--sample-interval", sample_interval, parse_duration)),
        ramp=RampOptions(start=ramp_start, factor=ramp_factor, step_seconds=_parsed("--ramp-step", ramp_step,
                                                                                   parse_duration),
                         max_p95=p95 or DEFAULT_LATENCY_BOUND) if ramp else None,
        ramp_seconds=seconds or DEFAULT_RAMP_DURATION,
    )
    schedule = _chaos_schedule(chaos, ramp, seconds, settings.external) if chaos is not None else None
    workload = read_workload(workload_path)  # a malformed file: file:line: message, exit 2
    if p95_group and p95_group not in {group.name for group in workload.groups}:
        _usage(f"--max-p95: the workload has no group '{p95_group}'")
    if server_kind is not None:
        os.environ[SERVER_ENV] = server_kind
    with _server(settings.external, settings.host, settings.port, settings.socket, settings.user,
                 settings.password) as (address, pid, server):
        if schedule is None:
            result = _run(workload, address, pid, options)
        else:
            result = _run_with_chaos(workload, address, pid, server, options, schedule, ledger_writers)
    sys.stdout.write(_console(result))
    _write_reports(result, json_file, html_file)
    raise typer.Exit(0 if result.passed else EXIT_TEST_FAILED)


def _run(workload: Workload, address: ServerAddress, pid: int | None, options: StressOptions,
         on_statement: OnStatement | None = None, alongside: Alongside | None = None,
         through: ServerAddress | None = None) -> StressResult:
    """``through``: where the load connects instead of ``address`` (the chaos fault proxy)."""
    from runner.server.connect import AdminError, open_connection
    from runner.server.flavour import server_version
    from runner.stress.run import run_stress

    where = address.socket or f"{address.host}:{address.port}"
    try:
        conn = open_connection(address)
        try:
            version = server_version(conn)
        finally:
            conn.close()
    except AdminError as exc:
        raise ServerUnavailable(f"stress: cannot connect to {where}: {exc}") from None
    described = f"{version} at {where}" + (f" (pid {pid})" if pid is not None else " (not on this machine: no /proc)")
    if through is not None:
        described += ", through tidbrun's fault proxy"
    return run_stress(workload, through or address, options, server_pid=pid, server=described,
                      on_statement=on_statement, alongside=alongside)


def _chaos_schedule(text: str, ramp: bool, seconds: float | None, external: bool) -> Schedule:
    from runner.stress.chaos_schedule import ScheduleError, check_fits, parse_schedule

    if ramp:
        _usage("--chaos and --ramp: one at a time")
    if seconds is None:
        _usage("--chaos needs --duration (the schedule's times are within it)")
    try:
        schedule = parse_schedule(text)
        check_fits(schedule, seconds or 0.0)
    except ScheduleError as exc:
        _usage(f"--chaos: {exc}")
        raise AssertionError("unreachable") from None
    if external and schedule.touches_server:
        _usage("--chaos: kill, restart and pause need the server tidbrun starts itself (leave out --host, "
               "--port and --socket); cut and delay work on any server on this machine")
    return schedule


def _run_with_chaos(
    workload: Workload, address: ServerAddress, pid: int | None, server: EmbeddedServer | None,
    options: StressOptions, schedule: Schedule, writers: int,
) -> StressResult:
    """The load through a fault proxy, the schedule applied meanwhile, the ledger checked after."""
    from runner.stress.chaos import chaos_for, verdict

    with chaos_for(schedule, address, server, writers=writers) as (chaos, relayed):
        result = _run(workload, address, pid, options, on_statement=chaos.observe, alongside=chaos, through=relayed)
        result.chaos = chaos.finish()
    result.verdicts.append(verdict(result.chaos))
    return result


def _console(result: StressResult) -> str:
    from runner.report.stress_console import render

    return render(result)


def _write_reports(result: StressResult, json_file: Path | None, html_file: Path | None) -> None:
    from runner.judge.compare import write_bytes_atomically
    from runner.report.stress_html import build as build_html
    from runner.report.stress_json import build as build_json

    for option, path, build in (("--json", json_file, build_json), ("--html", html_file, build_html)):
        if path is None:
            continue
        try:
            write_bytes_atomically(path, build(result))
        except OSError as exc:
            raise TidbrunError(f"cannot write the {option} report {path}: {exc.strerror or exc}") from None


@contextlib.contextmanager
def _server(
    external: bool, host: str | None, port: int | None, socket: str | None, user: str, password: str
) -> Iterator[tuple[ServerAddress, int | None, EmbeddedServer | None]]:
    """The server's address, its pid (None when it cannot be read from /proc), and the server
    when tidbrun started it."""
    from runner.server.process_stats import find_server_pid, is_local

    if external:
        if not is_local(host):
            _usage(f"--host {host}: tidbrun stress sends load to this machine only (a loopback address)")
        address = ServerAddress(host=host or "127.0.0.1", port=port or 3306, socket=socket, user=user,
                                password=password)
        yield address, find_server_pid(port=None if socket else address.port, socket_path=socket), None
        return
    from runner.server.embedded import EmbeddedServer

    server = EmbeddedServer()
    try:
        address = server.start()
        yield address, server.pid, server
    finally:
        server.stop()


def _parsed(option: str, text: str, parse: Callable[[str], T]) -> T:
    try:
        return parse(text)
    except ValueError as exc:
        _usage(f"{option}: {exc}")
        raise AssertionError("unreachable") from None


def _usage(message: str) -> None:
    print(f"tidbrun stress: {message}", file=sys.stderr)
    raise typer.Exit(EXIT_USAGE)
