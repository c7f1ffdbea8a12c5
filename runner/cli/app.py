"""The ``tidbrun`` command: options in, a RunConfig out, and the run started; nothing else."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from runner.cli import values
from runner.cli.options import ResolvedCommand, plugin_values, resolution
from runner.config.run_config import (
    DEFAULT_CACHE_MAX_SIZE,
    SERVER_BINARY_ENV,
    SERVER_CHOICES,
    SERVER_ENV,
    RunConfig,
    parse_variables,
    server_from_environment,
)
from runner.errors import EXIT_USAGE, TestFileError, TidbrunError
from runner.report.color import wants_color

HELP = """Run mysqltest-style .test files against a server and compare with their .result files.

With no --host/--port/--socket (and no TIDB_HOST), tidbrun starts a throwaway server of its own
from the binaries on PATH (tidb-server, else mariadbd/mysqld) and stops it afterwards.

Every option can also come from a TIDB_<NAME> variable or a config file (--config, else
./tidbrun.toml, ./tidbrun.json or [tool.tidbrun] in ./pyproject.toml), below the command line:
`tidbrun config show` prints each value and where it came from, `tidbrun config init` writes a file.
`tidbrun check` shows, step by step, whether a run can start here.

Exit codes: 0 all tests passed or were skipped; 1 a test failed; 2 usage or input error
(a malformed .test, a missing file, a server that cannot be reached or started).
"""

# `tidbrun NAME ...`: the module whose typer `app` runs it. Anything else is a run of test paths.
SUBCOMMANDS = {
    "jobs": "runner.cli.jobs",
    "config": "runner.cli.config",
    "check": "runner.cli.check",
    "stress": "runner.cli.stress",
    "cache": "runner.cli.cache",
}

# mysql-test-run.pl's timeouts are minutes; tidbrun's bare numbers are seconds, so say so.
DURATION_HELP = "90s, 15m, 1h; a bare number is seconds (mysql-test-run.pl's are minutes)."

# tidbrun's own server has root without a password and nobody else: an account given for it would
# be a mistake (a server meant to be named), never something to ignore.
OWN_SERVER_ACCOUNT = (
    "--user/--password name an account on a server given with --host, --port or --socket "
    "(or TIDB_HOST); tidbrun's own server is used as root"
)

# -h is the host, as the MySQL clients take it; -? is help, as theirs.
app = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False, help=HELP,
                  context_settings={"help_option_names": ["--help", "-?"]})


def show_version(value: bool | None) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as package_version

        try:
            number = package_version("tidbrun")
        except PackageNotFoundError:  # run from a source tree that was never installed
            number = "unknown"
        print(f"tidbrun {number} (Python {sys.version.split()[0]})")
        raise typer.Exit(0)


@app.command(help=HELP, cls=ResolvedCommand)
def run(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Test files, or folders of them (t/ subfolder is used), or suite.test names.",
                       show_default=False),
    ] = None,
    record: Annotated[bool, typer.Option("--record", help="Write .result files from this run.")] = False,
    record_flavour: Annotated[
        bool,
        typer.Option(
            "--record-flavour",
            help="With --record: write r/x.<flavour>.result when the output differs from r/x.result.",
        ),
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Go on after a failing test.")] = False,
    dialect: Annotated[
        str | None, typer.Option(help="Result dialect: mysqltest or mysql-tester (default: by server flavour).")
    ] = None,
    parse_only: Annotated[bool, typer.Option("--parse-only", help="Check files, print their echo; no server.")] = False,
    host: Annotated[str | None, typer.Option("--host", "-h", help="Server host (env TIDB_HOST).")] = None,
    port: Annotated[int | None, typer.Option("--port", "-P", help="Server port (env TIDB_PORT).")] = None,
    user: Annotated[str | None, typer.Option("--user", "-u", help="User (env TIDB_USER; default root).")] = None,
    password: Annotated[
        str | None,
        typer.Option(help="Password, also -pVALUE (env TIDB_PASSWORD, else the config file's, else MYSQL_PWD); "
                     "-p alone asks for it.", show_default=False),
    ] = None,
    socket: Annotated[str | None, typer.Option("--socket", "-S", help="Unix socket of the server.")] = None,
    database: Annotated[str | None, typer.Option(help="Default database (env TIDB_DATABASE; default test).")] = None,
    status_port: Annotated[
        int | None, typer.Option(help="TiDB's HTTP status port, for --failpoint (env TIDB_STATUS_PORT; default 10080).")
    ] = None,
    collation_disable: Annotated[
        bool,
        typer.Option(
            "--collation-disable",
            help="As mysql-tester's: collation* tests use r/<name>_disabled.result (else _enabled.result).",
        ),
    ] = False,
    basedir: Annotated[
        Path | None, typer.Option(help="mysql-test tree that `source include/...` resolves in.")
    ] = None,
    result_file: Annotated[Path | None, typer.Option(help="Result file for a single test.")] = None,
    reject_dir: Annotated[Path | None, typer.Option(help="Where .reject files go.")] = None,
    vardir: Annotated[Path | None, typer.Option(help="Working folder of the run (default: a temp dir).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show more on failures.")] = False,
    color: Annotated[
        str,
        typer.Option("--color", metavar="auto|always|never",
                     help="Colour the console: auto (default) on a terminal unless NO_COLOR is set."),
    ] = "auto",
    config_path: Annotated[
        Path | None,
        typer.Option("--config", help="Config file, TOML or JSON (env TIDB_CONFIG; default ./tidbrun.toml, "
                     "./tidbrun.json or [tool.tidbrun] in ./pyproject.toml); see the README."),
    ] = None,
    statement_timeout: Annotated[
        float | None,
        typer.Option(parser=values.duration, metavar="DURATION",
                     help="How long a statement may run; then it is killed (KILL QUERY), the test fails. "
                     + DURATION_HELP),
    ] = None,
    testcase_timeout: Annotated[
        float | None,
        typer.Option(parser=values.duration, metavar="DURATION",
                     help="How long a test may run; then it is stopped. " + DURATION_HELP),
    ] = None,
    suite_timeout: Annotated[
        float | None,
        typer.Option(parser=values.duration, metavar="DURATION",
                     help="How long the whole run may take; the rest is reported not run. " + DURATION_HELP),
    ] = None,
    connect_timeout: Annotated[
        float | None,
        typer.Option(parser=values.duration, metavar="DURATION",
                     help="How long to keep trying to reach the server (default 5s)."),
    ] = None,
    log_file: Annotated[Path | None, typer.Option(help="Write the run's log (retries, timeouts...) here.")] = None,
    log_level: Annotated[
        str | None,
        typer.Option(help="Lowest level logged: debug, info, warning, error (default: debug into --log-file, "
                     "warning on stderr)."),
    ] = None,
    log_format: Annotated[
        str, typer.Option(help="The log's format: text, or json (one object a line).")
    ] = "text",
    report_file: Annotated[Path | None, typer.Option(help="Write the run as JSON here.")] = None,
    ask_password: Annotated[bool, typer.Option("--ask-password", hidden=True)] = False,  # what -p alone becomes
    no_password_prompt: Annotated[
        bool, typer.Option("--no-password-prompt", help="Never ask for a password (CI).")
    ] = False,
    var: Annotated[
        list[str] | None,
        typer.Option("--var", metavar="NAME=VALUE", help="Set mysqltest's $NAME before each test (repeatable)."),
    ] = None,
    matrix: Annotated[
        list[str] | None,
        typer.Option("--matrix", metavar="NAME=V1,V2", help="A parameter of templated tests (x.test.j2): one run "
                     "per combination of the values (repeatable; replaces the file's own values for NAME)."),
    ] = None,
    reap_timeout: Annotated[
        float, typer.Option(min=0.001, help="Seconds reap and wait_for_blocked wait before the test fails.")
    ] = 60.0,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs", "-j", min=1,
            help="Run tests on N workers, each with its own embedded server (or, on a named server, "
            "its own database).",
        ),
    ] = 1,
    big_test: Annotated[
        bool, typer.Option("--big-test", help="Also run tests that source include/big_test.inc (always on "
                                         "when a test is named, as in mysql-test-run.pl).")
    ] = False,
    plain: Annotated[
        bool,
        typer.Option(
            "--plain",
            help="In a mysql-test tree, run tests as mysqltest alone would against a plain server: "
            "without mysql-test-run.pl's per-test options, combinations and suite.pm skips.",
        ),
    ] = False,
    server_kind: Annotated[
        str | None,
        typer.Option(
            "--server",
            help="Which server tidbrun starts when no --host is given: tidb, mariadb or mysql "
            "(default: tidb-server on PATH, else mariadbd, else mysqld, else the one `make tidb` built).",
        ),
    ] = None,
    server_binary: Annotated[
        Path | None, typer.Option(help="The server program tidbrun starts (tidb-server, mariadbd or mysqld).")
    ] = None,
    cache_max_size: Annotated[
        int | None,
        typer.Option(parser=values.size, metavar="SIZE",
                     help="After a run on tidbrun's own server, remove the least recently used cached "
                     "server templates until they take at most SIZE (500MB, 5GB; 0: no limit; default 5GB). "
                     "`tidbrun cache show` lists the cache."),
    ] = None,
    plugin: Annotated[
        list[str] | None,
        typer.Option(
            "--plugin", metavar="MODULE",
            help="Load a plugin: a module name or a .py file (repeatable); see the README's Plugins.",
        ),
    ] = None,
    junit: Annotated[
        Path | None, typer.Option("--junit", metavar="FILE", help="Write the run as JUnit XML here (CI test reports).")
    ] = None,
    html: Annotated[
        Path | None, typer.Option("--html", metavar="FILE", help="Write the run as one self-contained HTML page here.")
    ] = None,
    do_test: Annotated[
        list[str] | None,
        typer.Option("--do-test", metavar="REGEX", help="Run only tests whose name matches (as MTR's)."),
    ] = None,
    skip_test: Annotated[
        list[str] | None,
        typer.Option("--skip-test", metavar="REGEX", help="Leave out tests whose name matches (as MTR's)."),
    ] = None,
    keyword: Annotated[
        str | None,
        typer.Option("-k", metavar="EXPR", help="Run tests whose suite.test name has these substrings: "
                     "'alias or (join and not outer)' (as pytest's -k)."),
    ] = None,
    collect_only: Annotated[
        bool, typer.Option("--collect-only", help="List the tests that would run (suite.test names); start no server.")
    ] = False,
    shard: Annotated[
        str | None,
        typer.Option("--shard", metavar="K/N", help="Run the K-th of N parts of the tests, balanced by their "
                     "recorded durations (each test in exactly one part; for N CI jobs)."),
    ] = None,
    suite: Annotated[
        list[str] | None,
        typer.Option("--suite", metavar="NAME[,NAME]",
                     help="Run these suites of a mysql-test tree (--basedir, a path in it, or the current folder), "
                     "as mysql-test-run.pl's --suite (repeatable)."),
    ] = None,
    last_failed: Annotated[
        bool,
        typer.Option("--last-failed", help="Run only the tests that failed in the previous run (remembered in "
                     ".tidbrun_cache/ of the current folder); all when none did."),
    ] = False,
    repeat: Annotated[int, typer.Option("--repeat", min=1, metavar="N", help="Run each test N times in a row.")] = 1,
    retry_failure: Annotated[
        int,
        typer.Option("--retry-failure", min=0, metavar="N",
                     help="Run a failed test again, up to N times; one that then passes is reported flaky."),
    ] = 0,
    fail_on_flaky: Annotated[
        bool, typer.Option("--fail-on-flaky", help="A flaky test fails the run (exit code 1).")
    ] = False,
    max_test_fail: Annotated[
        int | None,
        typer.Option("--max-test-fail", min=1, metavar="N",
                     help="With --force: stop after N failed tests, the rest reported not run "
                     "(default: no limit; mysql-test-run.pl's is 10)."),
    ] = None,
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=show_version, is_eager=True, help="Show tidbrun's version and exit."),
    ] = None,
) -> None:
    if server_kind is not None and server_kind not in SERVER_CHOICES:
        _usage(f"unknown server '{server_kind}' (use {', '.join(SERVER_CHOICES)})")
    if server_binary is not None and not server_binary.is_file():
        _usage(f"no such server program: {server_binary}")
    # Through the environment, so that worker processes (-j) start the same server.
    if server_kind is not None:
        os.environ[SERVER_ENV] = server_kind
    if server_binary is not None:
        os.environ[SERVER_BINARY_ENV] = str(server_binary.resolve())
    from runner import plugins

    # Plugins first: they may add dialects; one that cannot load stops here, in one line.
    dialects = plugins.activate(plugin or []).dialects
    if dialect is not None and dialect not in dialects:
        _usage(f"unknown dialect '{dialect}' (use {' or '.join(dialects)})")
    from runner.cli.names import names_a_test, resolve_arguments

    try:
        paths, selection = resolve_arguments(paths or [], basedir, do_test or [], skip_test or [], keyword,
                                             suite or [])
    except ValueError as exc:
        _usage(str(exc))
    from runner.run.shard import parse_shard

    try:
        shard_part = parse_shard(shard) if shard is not None else None
    except ValueError as exc:
        _usage(str(exc))
    for option, report in (("--junit", junit), ("--html", html)):
        if report is not None and report.is_dir():
            _usage(f"{option} {report}: a folder, not a file")
    if result_file is not None and len(paths) != 1:
        _usage("--result-file goes with exactly one test")
    try:
        variables = parse_variables(var or [])
        from runner.run.templates import parse_matrix

        parameters = parse_matrix(matrix or [])
    except ValueError as exc:
        _usage(str(exc))
    if parse_only:
        from runner.cli.parse_only import echo_lines
        from runner.run.suite import find_basedir

        try:
            for path in paths:
                files = plugins.current().kinds.files_in(path) if path.is_dir() else [path]
                for file in files:
                    base = basedir or find_basedir(file)
                    for line in echo_lines(file, plugins.current().dialect(dialect or "mysqltest").renderer(), base):
                        sys.stdout.buffer.write(line.encode("latin-1"))
        except TidbrunError as exc:
            print(f"{exc}", file=sys.stderr)
            raise typer.Exit(EXIT_USAGE) from None
        return
    from runner.config.settings import settle
    from runner.config.sources import CLI

    options = resolution(ctx)
    account_given = options.origins["user"][-1].source == CLI or password is not None or ask_password
    if account_given and not server_from_environment(host, port, None, None, socket, None).external:
        _usage(OWN_SERVER_ACCOUNT)  # before -p asks for a password it would not use
    settings = settle(options, ask_password=ask_password)
    config = RunConfig(
        paths=paths,
        server=server_from_environment(host, port, user, settings.password, socket, database,
                                       status_port=status_port),
        dialect=dialect,
        record=record,
        record_flavour=record_flavour,
        force=force,
        basedir=basedir.resolve() if basedir else None,
        result_file=result_file,
        reject_dir=reject_dir,
        vardir=vardir,
        verbose=verbose,
        color=wants_color(color, sys.stdout, os.environ),
        collation_disable=collation_disable,
        faults=settings.faults,
        variables=variables,
        matrix=parameters,
        reap_timeout=reap_timeout,
        jobs=jobs,
        big_test=big_test or names_a_test(paths),
        plain=plain,
        plugins=tuple(plugin or ()),
        junit=junit,
        html=html,
        selection=selection,
        collect_only=collect_only,
        shard=shard_part,
        repeat=repeat,
        retry_failure=retry_failure,
        fail_on_flaky=fail_on_flaky,
        max_test_fail=max_test_fail,
        last_failed=last_failed,
        cache_max_size=DEFAULT_CACHE_MAX_SIZE if cache_max_size is None else cache_max_size,
        options=plugin_values(options),
    )
    if account_given and not config.server.external:
        _usage(OWN_SERVER_ACCOUNT)
    from runner.run.execute import execute

    raise typer.Exit(execute(config))


def _usage(message: str) -> NoReturn:
    print(f"tidbrun: {message}", file=sys.stderr)
    raise typer.Exit(EXIT_USAGE)


def main() -> None:
    """The console script: the run, then a quick exit (see _exit)."""
    try:
        _main()
    except SystemExit as exc:
        _exit(exc.code)
    _exit(0)


def _exit(code: object) -> None:
    """Exit without tearing the interpreter down: that alone costs ~40 ms here, a noticeable part
    of a short run. What must happen at exit still does: atexit handlers (servers still running
    are stopped, logging is flushed) and the standard streams."""
    import atexit

    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        print(code, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # a closed pipe: nothing more can be said there
            pass
    os._exit(status)


def _main() -> None:
    from runner.config.credentials.password import split_short_option
    from runner.config.credentials.proctitle import hide_password

    hide_password()  # out of `ps` and /proc/<pid>/cmdline
    try:
        name = sys.argv[1] if len(sys.argv) > 1 else ""
        if name in SUBCOMMANDS:  # `tidbrun jobs ...`; a test folder of that name is ./jobs
            import importlib

            command = importlib.import_module(SUBCOMMANDS[name]).app
            command(args=sys.argv[2:], prog_name=f"tidbrun {name}")
        else:
            app(args=split_short_option(sys.argv[1:]))
    except TestFileError as exc:
        print(str(exc), file=sys.stderr)
        sys.exit(EXIT_USAGE)
    except TidbrunError as exc:
        print(f"tidbrun: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt as exc:
        print("tidbrun: interrupted", file=sys.stderr)
        sys.exit(getattr(exc, "exit_code", 130))
    except Exception as exc:
        if os.environ.get("TIDBRUN_DEBUG"):
            raise
        print(f"tidbrun: internal error: {type(exc).__name__}: {exc} (TIDBRUN_DEBUG=1 shows where)", file=sys.stderr)
        sys.exit(EXIT_USAGE)
