"""Turning discovered test files into the runs mysql-test-run.pl would make of them.

Each test of a mysql-test tree becomes one case per combination, each with the server options it
needs (as command-line options for the embedded server, ``--timezone=`` among them), MTR's static
skip (with MTR's reason) and the result file MTR would compare with.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from runner.mtr.features import MysqldFeatures, mysqld_features
from runner.mtr.options import mysqld_arguments
from runner.mtr.plan import PlannedRun, Planner
from runner.mtr.suite_rules import MtrSettings
from runner.run.suite import TestCase
from runner.server import cnf_template, mycnf
from runner.server.cnf_template import extra_servers
from runner.server.embedded import free_port
from runner.server.keeper import VARDIR_MARK

log = logging.getLogger("tidbrun.mtr")

# What mysqld_arguments adds that the embedded server puts on every command line itself.
_ADDED_BY_THE_SERVER = frozenset({"--log-output=file", "--core-file", "--loose-debug-sync-timeout=300"})


def plan_tests(cases: list[TestCase], mysql_test_dir: Path, *, big_test: bool, external: bool) -> list[TestCase]:
    """``plan_cases`` for the MariaDB server on this machine, with the environment MTR plans in
    (a named server cannot be restarted: static skips only)."""
    from runner.server import binaries
    from runner.server.embedded import find_server_kind
    from runner.server.mtr_env import plugin_so_variables, tree_variables

    kind = find_server_kind()
    if kind is None or kind.kind != "mariadb":
        return cases
    environment = {
        **os.environ,
        **plugin_so_variables(binaries.plugin_dir(kind.server)),
        **tree_variables(kind.server, mysql_test_dir),
    }
    environment["BIG_TEST"] = "1" if big_test else "0"
    environment["MYSQL_TEST_DIR"] = str(mysql_test_dir)
    environment["MYSQLTEST_VARDIR"] = VARDIR_MARK
    environment["MYSQL_TMP_DIR"] = f"{VARDIR_MARK}/tmp"
    return plan_cases(cases, mysql_test_dir=mysql_test_dir, server_binary=kind.server, environment=environment,
                      big_test=big_test, apply_options=not external)


def plan_cases(
    cases: list[TestCase],
    *,
    mysql_test_dir: Path,
    server_binary: Path,
    environment: Mapping[str, str],
    big_test: bool = False,
    apply_options: bool = True,
) -> list[TestCase]:
    """MTR's runs of ``cases``. A test outside the tree (``--basedir`` names the tree) is planned
    as a suite of its own folder would be: the server runs as MTR's, optional plugins off, so the
    options of the files it includes (``include/have_innodb.opt``) are what turn them on.

    ``apply_options`` False (a named server tidbrun cannot restart): static skips only, one run
    per test with no server options.
    """
    try:
        features = mysqld_features(server_binary)
    except Exception as exc:  # a server whose --help MTR could not read either
        log.warning("cannot read %s --help (%s): running the tests without MTR's options", server_binary, exc)
        return cases
    settings = MtrSettings(big_test=1 if big_test else 0)
    planner = Planner(mysql_test_dir, features, env=environment, settings=settings)
    planned: list[TestCase] = []
    for case in cases:
        try:
            runs = planner.plan(case.path)
        except Exception as exc:  # planning follows MTR's rules; a test it cannot plan still runs
            log.warning("%s: cannot plan it as mysql-test-run.pl would: %s", case.name, exc)
            planned.append(case)
            continue
        if not apply_options:
            runs = runs[:1]
        planned += [_case(case, run, features, apply_options) for run in runs]
    return planned


def _case(case: TestCase, run: PlannedRun, features: MysqldFeatures, apply_options: bool) -> TestCase:
    name = f"{case.name} '{run.combination}'" if run.combinations else case.name
    skip = None
    if run.skip is not None:
        skip = f"disabled: {run.skip.reason}" if run.skip.disabled else run.skip.reason
    result = case.result
    rdiff = None
    if run.result.result is not None:
        if run.result.is_rdiff:
            rdiff = run.result.result
            result = run.result.base or case.result
        else:
            result = run.result.result
    setup: tuple[str, ...] = ()
    slave_setup: tuple[str, ...] = ()
    if apply_options and run.options is not None:
        setup = _server_arguments(run.options.mysqld, run.options.timezone)
    variables: dict[str, str | None] = dict(run.environment or {})
    config = None
    server_environment: tuple[tuple[str, str], ...] = ()
    if apply_options and run.options is not None:
        # The test and the programs it runs see the test's time zone (MTR unsets TZ otherwise).
        variables["TZ"] = run.options.timezone
        template = run.options.config_template
        if template.name != "default_my.cnf":
            config = template
        # The whole template becomes my.cnf (runner.server.companions): its options reach the
        # server from that file, as under MTR (information_schema shows them with origin CONFIG).
        if extra_servers(template, run.suite.basedir):
            # A group per server; the [ENV] is resolved once the servers' ports are known.
            slave_setup = _server_arguments(run.options.slave, run.options.timezone)
        else:
            extra_variables = _own_environment(template, run.suite.basedir)
            variables.update(extra_variables)
            server_environment = tuple(sorted(extra_variables.items()))
    environment = tuple(sorted(variables.items())) if apply_options else ()
    script = run.options.master_sh if apply_options and run.options is not None else None
    slave_script = run.options.slave_sh if apply_options and run.options is not None and config else None
    return replace(case, name=name, result=result, rdiff=rdiff, setup=setup, skip=skip, environment=environment,
                   start_script=script, slave_script=slave_script, config=config, slave_setup=slave_setup,
                   server_environment=server_environment)


def _server_arguments(options: tuple[str, ...], timezone: str | None) -> tuple[str, ...]:
    """A server's extra command-line options as MTR builds them (``mysqld_arguments``), less what
    the embedded server adds itself; ``--timezone=`` carries the test's ``TZ``."""
    _, arguments = mysqld_arguments(options, as_root=os.geteuid() == 0)
    kept = tuple(opt for opt in arguments if opt not in _ADDED_BY_THE_SERVER and opt != "--user=root")
    return kept + ((f"--timezone={timezone}",) if timezone is not None else ())


_OPT_REF = re.compile(r"@OPT\.port")


def _own_environment(template: Path, mysql_test_dir: Path) -> dict[str, str]:
    """The ``[ENV]`` variables a test's own ``.cnf`` adds to ``include/default_my.cnf``'s, for the
    test and for the server (my.cnf's ``@ENV.X`` read them). ``@OPT.port`` is a free port."""
    if template.name == "default_my.cnf" or not template.is_file():
        return {}
    groups = cnf_template.read_template(template, mysql_test_dir)
    default = cnf_template.read_template(mysql_test_dir / "include" / "default_my.cnf", mysql_test_dir)
    inherited = set(mycnf.group_options(default, "ENV"))
    port = str(free_port())
    variables: dict[str, str] = {}
    for line in mycnf.group_options(groups, "ENV"):
        if line not in inherited:
            key, _, value = line.partition("=")
            variables[key.strip()] = _OPT_REF.sub(port, value.strip())
    return variables
