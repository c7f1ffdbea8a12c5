"""An example tidbrun plugin: two new directives, a run option and a test-setup hook.

    tidbrun --plugin examples/tidbrun_example_plugin.py suite/t

``--banner <text>``
    writes ``==== <text> ====`` to the result (``$variables`` expanded).
``--assert_row_count <n> <query>``
    runs the query on the current connection and fails the test unless it returns ``n`` rows;
    writes nothing, so a result file does not change when the check passes.

Both work in mysqltest and mysql-tester files, in the ``--name argument`` form and in the
``name argument;`` form. At every test's setup the plugin sets ``$EXAMPLE_PLUGIN`` (to the
server's version), which a test can use to skip itself when the plugin is not loaded.

The variable's name is the plugin's run option ``example_variable``: ``[example] variable`` in the
config file, or ``TIDB_EXAMPLE_VARIABLE``; ``tidbrun config show --plugin <this file>`` lists it.

An installed package would declare it in its pyproject.toml instead of ``--plugin``::

    [project.entry-points.tidbrun]
    example = "tidbrun_example_plugin"
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from runner.hooks import hookimpl

if TYPE_CHECKING:
    from runner.config.schema import OptionRegistering
    from runner.engine.context import DirectiveContext
    from runner.engine.directives.registry import Registering
    from runner.language.records import Command
    from runner.run.testinfo import TestInfo


def banner(ctx: DirectiveContext, command: Command) -> None:
    ctx.echo(f"==== {ctx.argument} ====")


def assert_row_count(ctx: DirectiveContext, command: Command) -> None:
    count, _, sql = ctx.argument.partition(" ")
    if not count.isdigit() or not sql.strip():
        ctx.fail("usage: --assert_row_count <n> <query>")
    _, rows = ctx.query(sql.strip())
    if len(rows) != int(count):
        ctx.fail(f"assert_row_count: '{sql.strip()}' returned {len(rows)} row(s), not {count}")


@hookimpl
def tidbrun_add_directives(directives: Registering) -> None:
    directives.add("banner", banner)
    directives.add("assert_row_count", assert_row_count)


@hookimpl
def tidbrun_add_options(options: OptionRegistering) -> None:
    options.add("example_variable", default="EXAMPLE_PLUGIN", section="example", key="variable",
                help="The $variable the example plugin sets at each test's setup (to the server's version).")


@hookimpl
def tidbrun_test_setup(test: TestInfo) -> None:
    connection = test.connect()
    try:
        outcome = connection.execute("SELECT VERSION()")
    finally:
        connection.close()
    version = outcome.results[0].rows[0][0] if outcome.error is None and outcome.results else None
    # set_env: a variable of both dialects (mysql-tester only has environment variables)
    test.variables.set_env(test.options.get("example_variable", "EXAMPLE_PLUGIN"), version or "loaded")
