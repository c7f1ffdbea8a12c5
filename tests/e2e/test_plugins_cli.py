"""Plugins as a user meets them: ``--plugin`` with the example plugin in both dialects, a plugin
from an installed package's entry point, and broken plugins (one line naming them, exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.server.embedded import EmbeddedServer
from tests.conftest import REPO, run_tidbrun, server_args, write

pytestmark = pytest.mark.e2e

EXAMPLE = REPO / "examples" / "tidbrun_example_plugin.py"
DIRECTIVES = (
    "--banner dash form\n"
    "banner statement form;\n"
    "create table t1 (a int);\n"
    "insert into t1 values (1), (2);\n"
    "--assert_row_count 2 select * from t1\n"
    "--echo setup hook: $EXAMPLE_PLUGIN\n"
    "drop table t1;\n"
)


def _server_version(embedded_server: EmbeddedServer) -> str:
    from runner.server.connect import open_connection
    from runner.server.flavour import server_version

    conn = open_connection(embedded_server.address)
    try:
        return server_version(conn)
    finally:
        conn.close()


@pytest.mark.parametrize("dialect", ["mysqltest", "mysql-tester"])
def test_the_example_plugin_adds_directives_and_a_setup_hook(
    tmp_path: Path, embedded_server: EmbeddedServer, dialect: str
) -> None:
    test = write(tmp_path / "t" / "p.test", DIRECTIVES)
    statements = (
        "create table t1 (a int);\ninsert into t1 values (1), (2);\n"
        f"setup hook: {_server_version(embedded_server)}\ndrop table t1;\n"
    )
    write(tmp_path / "r" / "p.result", "==== dash form ====\n==== statement form ====\n" + statements)
    run = run_tidbrun(test, "--dialect", dialect, "--plugin", EXAMPLE, *server_args(embedded_server))
    assert run.returncode == 0, run.output
    assert "1 passed" in run.stdout


@pytest.mark.parametrize("dialect", ["mysqltest", "mysql-tester"])
def test_without_the_plugin_its_directive_is_not_a_command(tmp_path: Path, dialect: str) -> None:
    test = write(tmp_path / "p.test", "--banner hello\n")
    run = run_tidbrun(test, "--dialect", dialect, "--parse-only")
    assert run.returncode == 2
    assert "'--banner' is not a mysql" in run.stderr


def test_a_failed_check_of_a_plugin_directive_fails_the_test(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    test = write(tmp_path / "p.test", "select 1 as x;\n--assert_row_count 2 select 1\n")
    write(tmp_path / "p.result", "select 1 as x;\nx\n1\n")
    run = run_tidbrun(test, "--plugin", EXAMPLE, *server_args(embedded_server))
    assert run.returncode == 1, run.output
    assert "p.test:2: assert_row_count: 'select 1' returned 1 row(s), not 2" in run.stdout


def test_parse_only_knows_the_plugin_directives(tmp_path: Path) -> None:
    test = write(tmp_path / "p.test", "--banner hello\nselect 1;\n")
    run = run_tidbrun(test, "--parse-only", "--plugin", EXAMPLE)
    assert run.returncode == 0, run.output
    assert run.stdout == "select 1;\n"


def test_a_plugin_that_cannot_be_imported_is_one_line_naming_it(tmp_path: Path) -> None:
    test = write(tmp_path / "p.test", "select 1;\n")
    broken = write(tmp_path / "broken_plugin.py", "import no_such_module_anywhere\n")
    for spec in (str(broken), "no_such_plugin_module"):
        run = run_tidbrun(test, "--plugin", spec, "--parse-only")
        assert run.returncode == 2, run.output
        assert run.stderr.startswith(f"tidbrun: plugin '{spec}': cannot load: ModuleNotFoundError: "), run.stderr
        assert "Traceback" not in run.output and len(run.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    ("hook", "body"),
    [
        ("tidbrun_test_setup", "def tidbrun_test_setup(test):\n    raise RuntimeError('no setup today')\n"),
        ("tidbrun_test_teardown", "def tidbrun_test_teardown(test):\n    raise RuntimeError('no setup today')\n"),
        ("directive 'oops'", "def tidbrun_add_directives(directives):\n"
                             "    directives.add('oops', lambda ctx, cmd: 1 / 0)\n"),
    ],
)
def test_a_hook_that_raises_stops_the_run_naming_the_plugin(
    tmp_path: Path, embedded_server: EmbeddedServer, hook: str, body: str
) -> None:
    plugin = write(tmp_path / "raising.py", "from runner.hooks import hookimpl\n@hookimpl\n" + body)
    test = write(tmp_path / "p.test", "select 1 as x;\n--oops\n" if "oops" in hook else "select 1 as x;\n")
    write(tmp_path / "p.result", "select 1 as x;\nx\n1\n")
    run = run_tidbrun(test, "--plugin", plugin, *server_args(embedded_server))
    assert run.returncode == 2, run.output
    assert f"tidbrun: plugin '{plugin}': {hook}" in run.stderr, run.stderr
    assert "Traceback" not in run.output


def test_a_plugin_from_an_entry_point(tmp_path: Path, embedded_server: EmbeddedServer,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    write(site / "shouting_plugin.py", (
        "from runner.hooks import hookimpl\n"
        "@hookimpl\n"
        "def tidbrun_add_directives(directives):\n"
        "    directives.add('shout', lambda ctx, cmd: ctx.echo(ctx.argument.upper()))\n"
    ))  # fmt: skip
    write(site / "shouting-1.0.dist-info" / "METADATA", "Metadata-Version: 2.1\nName: shouting\nVersion: 1.0\n")
    write(site / "shouting-1.0.dist-info" / "entry_points.txt", "[tidbrun]\nshouting = shouting_plugin\n")
    monkeypatch.setenv("PYTHONPATH", str(site))
    test = write(tmp_path / "p.test", "--shout hello $x\n")
    write(tmp_path / "p.result", "HELLO ONE\n")
    run = run_tidbrun(test, "--var", "x=one", *server_args(embedded_server))
    assert run.returncode == 0, run.output
    # A broken entry point names itself too.
    write(site / "shouting_plugin.py", "raise ImportError('half installed')\n")
    run = run_tidbrun(test, *server_args(embedded_server))
    assert run.returncode == 2
    assert run.stderr.strip() == (
        "tidbrun: plugin 'shouting': cannot load shouting_plugin: ImportError: half installed"
    )


def test_a_hook_that_raises_in_a_worker_stops_the_run_too(tmp_path: Path) -> None:
    plugin = write(tmp_path / "raising.py", (
        "from runner.hooks import hookimpl\n"
        "@hookimpl\n"
        "def tidbrun_test_setup(test):\n"
        "    raise RuntimeError('no setup today')\n"
    ))  # fmt: skip
    for name in ("a", "b", "c"):
        write(tmp_path / "t" / f"{name}.test", "select 1 as x;\n")
        write(tmp_path / "r" / f"{name}.result", "select 1 as x;\nx\n1\n")
    run = run_tidbrun(tmp_path, "-j", "2", "--force", "--plugin", plugin, timeout=300)
    assert run.returncode == 2, run.output
    assert run.stderr.count(f"tidbrun: plugin '{plugin}': tidbrun_test_setup raised RuntimeError") == 1, run.stderr
    assert "Traceback" not in run.output


def test_collection_statement_judge_and_report_hooks(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    report = tmp_path / "report.txt"
    plugin = write(tmp_path / "every_phase.py", (
        "import dataclasses\n"
        "from runner.hooks import hookimpl\n"
        "from runner.run.records import TestReport\n"
        "seen = []\n"
        "@hookimpl\n"
        "def tidbrun_collection_modifyitems(config, cases):\n"
        "    cases[:] = [dataclasses.replace(c, skip='not today') if c.name == 'b' else c for c in cases]\n"
        "@hookimpl\n"
        "def tidbrun_statement_wrapper(test, inner):\n"
        "    def counted(session, connection, sql):\n"
        "        seen.append(sql)\n"
        "        return inner(session, connection, sql)\n"
        "    return counted\n"
        "@hookimpl\n"
        "def tidbrun_judge(case, output, seconds, config, flavour):\n"
        "    if case.name == 'c':\n"
        "        return TestReport(case, 'pass', seconds, 'judged by the plugin', output=output)\n"
        "    return None\n"
        "@hookimpl\n"
        "def tidbrun_report(reports, wall, exit_code):\n"
        f"    open({str(report)!r}, 'w').write(\n"
        "        ' '.join(f'{r.case.name}={r.status}' for r in reports) + f' exit={exit_code} '\n"
        "        + str(sum('select' in s for s in seen)))\n"
    ))  # fmt: skip
    for name in ("a", "b", "c"):
        write(tmp_path / "t" / f"{name}.test", "select 1 as x;\nselect 2 as y;\n")
    write(tmp_path / "r" / "a.result", "select 1 as x;\nx\n1\nselect 2 as y;\ny\n2\n")
    run = run_tidbrun(tmp_path, "--force", "--plugin", plugin, *server_args(embedded_server))
    assert run.returncode == 0, run.output  # c has no result file: the plugin's judge passed it
    assert report.read_text() == "a=pass b=skip c=pass exit=0 4"
