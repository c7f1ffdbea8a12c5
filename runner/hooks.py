"""tidbrun's plugin API: the hook specifications, grouped by the phase of a run they belong to.

A plugin is a module (or any object) with functions marked ``@hookimpl`` whose names are the ones
below; it implements only the hooks it needs. tidbrun's own directives, dialects, test kinds,
statement watchdog and result comparison are plugins of this API too (``runner.plugins.BUILTIN``).

Plugins come from the entry-point group ``tidbrun`` of installed packages::

    [project.entry-points.tidbrun]
    my_plugin = "my_package.tidbrun_plugin"

and from ``tidbrun --plugin MODULE`` (repeatable; a module name, or the path of a ``.py`` file).
A plugin that cannot be loaded, or a hook of it that raises, stops the run with one line naming
the plugin (exit code 2).

Example (``examples/tidbrun_example_plugin.py`` is a complete one)::

    from runner.hooks import hookimpl

    @hookimpl
    def tidbrun_add_directives(directives):
        directives.add("shout", lambda ctx, command: ctx.echo(ctx.argument.upper()))
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from runner.config.run_config import RunConfig
    from runner.config.schema import OptionRegistering
    from runner.engine.directives.registry import Registering
    from runner.plugins import DialectRegistering
    from runner.run.kind import TestKindRegistering
    from runner.run.suite import TestCase, TestReport
    from runner.run.testinfo import TestInfo
    from runner.sessions.session import StatementWrapper

PROJECT = "tidbrun"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# -- registration: once per process, before the first test ------------------------------------------


@hookspec
def tidbrun_add_directives(directives: Registering) -> None:
    """Register directive handlers: ``directives.add(name, handler, dialects=None,
    consumes_modifiers=False)``. ``handler(ctx, command)`` gets a
    ``runner.engine.context.DirectiveContext``. A new name is read as a command by the readers of
    ``dialects`` (None: every dialect) in both forms, ``--name argument`` and ``name argument;``;
    an existing name is overridden (the plugin registered last wins)."""


@hookspec
def tidbrun_add_dialects(dialects: DialectRegistering) -> None:
    """Register result dialects: ``dialects.add(profile)`` with a
    ``runner.dialects.profile.DialectProfile`` (its reader, its renderer, its switches)."""


@hookspec
def tidbrun_add_options(options: OptionRegistering) -> None:
    """Add run options to the schema (``runner.config.schema``): ``options.add(name, default=...,
    help=..., kind=None, section=None, env="")``. An option is then read from ``TIDB_<NAME>`` and
    from ``[section] name`` of the config file (the section defaults to the plugin's name), shown
    by ``tidbrun config show`` and written by ``tidbrun config init``; a test sees its value in
    ``TestInfo.options``, a collection hook in ``RunConfig.options``. tidbrun's own options are
    added by this hook too."""


# -- collection: what a test file is (once per process), then the tests found (once per run) --------


@hookspec
def tidbrun_add_test_kinds(kinds: TestKindRegistering) -> None:
    """Register kinds of test files: ``kinds.add(kind)`` with a ``runner.run.kind.TestKind``: the
    files it takes in a suite folder or on the command line, the test's name, its result file, its
    runs (combinations), how it is read and run (the output the judge compares) and how
    ``--parse-only`` checks it. A kind named as a registered one replaces it; of two kinds that take
    a file, the one registered last wins. tidbrun's ``.test``, ``.py`` and ``.test.j2`` tests are
    kinds registered by this hook too."""



@hookspec
def tidbrun_collection_modifyitems(config: RunConfig, cases: list[TestCase]) -> None:
    """Change the collected tests in place: drop, reorder, or mark them skipped
    (``dataclasses.replace(case, skip="why")``)."""


# -- one test: around its run, on its server ----------------------------------------------------------


@hookspec
def tidbrun_test_setup(test: TestInfo) -> None:
    """Before the test's first statement: ``test.variables`` are the ones the test will see,
    ``test.connect()`` opens a connection to its server."""


@hookspec
def tidbrun_test_teardown(test: TestInfo) -> None:
    """After the test ran (passed, failed or skipped) and its connections were closed."""


@hookspec
def tidbrun_statement_wrapper(test: TestInfo, inner: StatementWrapper) -> StatementWrapper | None:
    """Once per test: a wrapper around each statement its sessions run, or None.

    ``inner(session, connection, sql) -> Outcome`` runs the statement (and the wrappers of the
    plugins under this one); the wrapper returned is called the same way and calls ``inner``.
    Wrappers are chained once per test, not looked up per statement: a run without plugin
    wrappers pays nothing for them. tidbrun's statement watchdog (``--statement-timeout``, the
    deadlines, Ctrl-C) is the innermost one."""


# -- judging: the test's output against what was expected ------------------------------------------


@hookspec(firstresult=True)
def tidbrun_judge(
    case: TestCase, output: str, seconds: float, config: RunConfig, flavour: str | None
) -> TestReport | None:
    """The verdict on a test that ran to its end, or None to leave it to the next implementation.
    The built-in one (``runner.judge.verdict``) compares with the result file, applies an
    ``.rdiff``, records with ``--record`` and writes the ``.reject``."""


# -- reporting: once per run ------------------------------------------------------------------------


@hookspec
def tidbrun_report(reports: list[TestReport], wall: float, exit_code: int) -> None:
    """The run is over: every test's report, the wall time in seconds, the exit code it will have."""
