"""A run's settings, merged from their sources: command line > TIDB_* environment > defaults."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner.config.selection import Selection

DIALECTS = ("mysqltest", "mysql-tester")

# Which server the embedded default starts, and from which binary: the command line's --server and
# --server-binary set these, so that worker processes (-j) inherit the choice.
SERVER_ENV = "TIDBRUN_SERVER"
SERVER_BINARY_ENV = "TIDBRUN_SERVER_BINARY"
SERVER_CHOICES = ("tidb", "mariadb", "mysql")

# What the cached server templates may take after a run on tidbrun's own server (~50 templates).
DEFAULT_CACHE_MAX_SIZE = 5 << 30


@dataclass(slots=True)
class ServerSettings:
    host: str | None = None
    port: int | None = None
    user: str = "root"
    password: str = field(default="", repr=False)
    socket: str | None = None
    database: str = "test"
    status_port: int | None = None  # TiDB's status port (failpoints); None: 10080, or the embedded server's

    @property
    def external(self) -> bool:
        """A server was named; otherwise tidbrun starts its own."""
        return bool(self.host or self.socket or self.port)


@dataclass(slots=True)
class RunConfig:
    paths: list[Path]
    server: ServerSettings = field(default_factory=ServerSettings)
    dialect: str | None = None  # None: chosen by the server's flavour
    record: bool = False
    record_flavour: bool = False  # --record may create r/x.<flavour>.result when output differs
    force: bool = False
    basedir: Path | None = None
    result_file: Path | None = None
    reject_dir: Path | None = None
    # Set by the run: where the .reject of a test of a mysql-test tree goes without --reject-dir
    # (runner.judge.tree_rejects), so that a run leaves the tree as it found it.
    tree_reject_dir: Path | None = None
    vardir: Path | None = None
    verbose: bool = False
    color: bool | None = None  # None: when stdout is a terminal
    # mysql-tester's --collation-disable: collation* tests compare with r/<name>_disabled.result
    # (else _enabled), and the embedded TiDB bootstraps with new collations off.
    collation_disable: bool = False
    variables: dict[str, str] = field(default_factory=dict)  # --var NAME=VALUE: mysqltest $NAME at the start
    matrix: dict[str, list[str]] = field(default_factory=dict)  # --matrix NAME=V1,V2: templated tests' parameters
    reap_timeout: float = 60.0  # --reap-timeout: seconds reap and wait_for_blocked wait at most
    faults: FaultSettings = field(default_factory=lambda: FaultSettings())
    jobs: int = 1  # -j: workers, each with its own embedded server (or its own database on a named one)
    big_test: bool = False  # --big-test: run tests that source include/big_test.inc
    # --plain: a mysql-test tree's tests as mysqltest alone runs them against a plain server, without
    # what mysql-test-run.pl adds (per-test options, combinations, suite.pm skips, plugins off).
    plain: bool = False
    plugins: tuple[str, ...] = ()  # --plugin modules (the entry-point group loads besides them)
    junit: Path | None = None  # --junit FILE
    html: Path | None = None  # --html FILE
    selection: Selection = field(default_factory=Selection)  # --do-test, --skip-test, -k, names
    collect_only: bool = False  # list what would run, start no server
    shard: tuple[int, int] | None = None  # --shard K/N: run the K-th of N parts
    repeat: int = 1  # --repeat N: each test N times in a row
    retry_failure: int = 0  # --retry-failure N: a failed test runs again up to N times (a pass then: flaky)
    fail_on_flaky: bool = False  # a flaky test fails the run
    max_test_fail: int | None = None  # --max-test-fail N: after N failed tests the rest is not run
    last_failed: bool = False  # --last-failed: only the tests that failed in the previous run
    # --cache-max-size: after a run on the embedded server, least recently used templates are
    # removed until the cached ones take at most this many bytes (0: no limit)
    cache_max_size: int = DEFAULT_CACHE_MAX_SIZE
    options: dict[str, Any] = field(default_factory=dict)  # the values of options plugins added


@dataclass(slots=True)
class FaultSettings:
    """Timeouts, retries, where the log and the report go, and how the password may be asked for."""

    statement_timeout: float | None = None  # seconds; the statement is killed on the server
    testcase_timeout: float | None = None
    suite_timeout: float | None = None
    connect_timeout: float = 5.0  # all attempts to reach the server together
    log_file: Path | None = None
    report_file: Path | None = None
    password_source: str = "none"  # where the password came from (never the password)
    may_prompt: bool = False  # ask for a password when the server wants one (a terminal, no --no-password-prompt)
    log_level: str | None = None  # None: debug into the log file, warning on stderr
    log_format: str = "text"  # or "json": one object a line


def server_from_environment(
    host: str | None,
    port: int | None,
    user: str | None,
    password: str | None,
    socket: str | None,
    database: str | None,
    environ: dict[str, str] | None = None,
    status_port: int | None = None,
) -> ServerSettings:
    env = os.environ if environ is None else environ
    env_port = env.get("TIDB_PORT")
    env_status = env.get("TIDB_STATUS_PORT")
    return ServerSettings(
        host=host or env.get("TIDB_HOST") or None,
        port=port or (int(env_port) if env_port and env_port.isdigit() else None),
        user=user or env.get("TIDB_USER") or "root",
        password=password if password is not None else env.get("TIDB_PASSWORD", ""),
        socket=socket or None,
        database=database or env.get("TIDB_DATABASE") or "test",
        status_port=status_port or (int(env_status) if env_status and env_status.isdigit() else None),
    )


_VARIABLE_NAME = re.compile(r"[A-Za-z0-9_]+")


def parse_variables(items: list[str]) -> dict[str, str]:
    """``--var NAME=VALUE`` options → {NAME: VALUE}; a later one wins. ValueError for a bad one."""
    variables: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip().lstrip("$")
        if not sep or not _VARIABLE_NAME.fullmatch(name):
            raise ValueError(f"--var needs NAME=VALUE with a name of letters, digits and _: {item!r}")
        variables[name] = value
    return variables
