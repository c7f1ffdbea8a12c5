"""Python tests (runner.statemachine) and templated tests run by the CLI as a user runs them: a test
that fails, one that raises and ones that hang are each reported at their file and line, as test
failures in every report; a passing one is recorded and compared like a .test; a wrong
property is caught, shrunk and printed as SQL with its seed; a 2x3 matrix makes six named runs."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pytest

from runner.server import binaries
from runner.server.embedded import EmbeddedServer
from tests.conftest import CliRun, run_tidbrun, server_args, write

pytestmark = pytest.mark.e2e

DATA = Path(__file__).resolve().parents[1] / "data" / "python_tests"


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    """A copy of tests/data/python_tests (a run may write .reject files next to the results)."""
    shutil.copytree(DATA, tmp_path / "python_tests")
    return tmp_path / "python_tests"


def assert_failed_cleanly(run: CliRun) -> None:
    assert run.returncode == 1, run.output
    assert "Traceback" not in run.output, run.output


def assert_line(run: CliRun, pattern: str) -> None:
    assert any(re.fullmatch(pattern, line) for line in run.lines()), run.output


def test_a_failing_a_raising_and_a_looping_test_are_reported_at_their_lines(
    suite: Path, embedded_server: EmbeddedServer
) -> None:
    report = suite / "report.json"
    junit = suite / "junit.xml"
    run = run_tidbrun("--force", "--testcase-timeout", "3", "--report-file", report, "--junit", junit,
                      "t/fails.py", "t/raises.py", "t/loops.py", *server_args(embedded_server), cwd=suite)
    assert_failed_cleanly(run)
    lines = run.lines()
    assert "t/fails.py:14: machine 'checker' failed in state 'checking': 1 + 1 gave 2, expected 3" in lines
    assert "machine 'waiter': stopped in state 'waiting' at t/fails.py:21" in lines
    assert ("t/raises.py:12: machine 'default' failed in state 'dividing': "
            "ZeroDivisionError: integer division or modulo by zero") in lines
    # A loop is stopped on its condition's line or its body's (10 or 11).
    assert_line(run, r"t/loops.py:1[01]: test stopped: --testcase-timeout 3 s expired; "
                     r"running: the test at t/loops.py:8")
    assert_line(run, r"machine 'default': stopped in state 'looping' at t/loops.py:1[01]")
    statuses = {t["name"]: (t["status"], t["message"]) for t in json.loads(report.read_text())["tests"]}
    assert {name: status for name, (status, _) in statuses.items()} == {
        "fails": "fail", "raises": "fail", "loops": "fail"}
    assert statuses["raises"][1].startswith("t/raises.py:12: ")
    assert junit.read_text().count("<failure") == 3


def test_a_test_hanging_in_the_server_and_in_python_is_stopped_with_each_machine_state(
    suite: Path, embedded_server: EmbeddedServer
) -> None:
    started = time.monotonic()
    run = run_tidbrun("--testcase-timeout", "3", "t/hangs.py", *server_args(embedded_server), cwd=suite)
    assert time.monotonic() - started < 60
    assert_failed_cleanly(run)
    lines = run.lines()
    assert any(line.startswith("t/hangs.py:18: machine 'sleeper' failed in state 'sleeping': StatementTimedOut: "
                               "test stopped: --testcase-timeout 3 s expired") for line in lines), run.output
    assert_line(run, r"machine 'spinner': stopped in state 'spinning' at t/hangs.py:1[23]")
    assert "machine 'sleeper': failed in state 'sleeping' at t/hangs.py:18" in lines


def test_a_python_test_is_recorded_compared_and_run_on_workers(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    source = (
        "from runner.statemachine import Context, StateMachine, states\n"
        "machine = StateMachine(start='counting')\n"
        "@machine.state()\n"
        "def counting(ctx: Context) -> str:\n"
        "    ctx.query(f\"SELECT {ctx.var('rows', 3)} AS n\")\n"
        "    return states.COMPLETED\n"
    )
    for name in ("a", "b"):
        write(tmp_path / "s" / "t" / f"{name}.py", source)
    recorded = run_tidbrun("--record", tmp_path / "s", *server_args(embedded_server))
    assert recorded.returncode == 0, recorded.output
    assert (tmp_path / "s" / "r" / "a.result").read_text() == "SELECT 3 AS n;\nn\n3\n"
    parallel = run_tidbrun("-j", "2", tmp_path / "s")
    assert parallel.returncode == 0 and "2 passed" in parallel.output, parallel.output
    changed = run_tidbrun("--var", "rows=4", tmp_path / "s" / "t" / "a.py", *server_args(embedded_server))
    assert changed.returncode == 1, changed.output
    assert "-3" in changed.lines() and "+4" in changed.lines(), changed.output


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("x = (\n", "t/bad.py:1: SyntaxError: "),
        ("import os\n\nos.no_such_thing\n", "t/bad.py:3: loading the test raised AttributeError: "),
        ("x = 1\n", "t/bad.py:1: declares no StateMachine at module level"),
    ],
)
def test_a_python_test_that_cannot_load_is_an_input_error(
    tmp_path: Path, embedded_server: EmbeddedServer, source: str, message: str
) -> None:
    write(tmp_path / "t" / "bad.py", source)
    run = run_tidbrun("t/bad.py", *server_args(embedded_server), cwd=tmp_path)
    assert run.returncode == 2, run.output
    assert any(line.startswith(message) for line in run.lines()), run.output
    assert "Traceback" not in run.output


def test_a_wrong_property_is_shrunk_printed_as_sql_and_repeated_by_its_seed(
    suite: Path, embedded_server: EmbeddedServer
) -> None:
    run = run_tidbrun("t/wrong_join.py", *server_args(embedded_server), cwd=suite)
    assert_failed_cleanly(run)
    seed = re.search(r"--var seed=(\d+) repeats this run", run.output)
    assert seed is not None, run.output
    script = [line for line in run.lines() if line.startswith(("CREATE", "INSERT", "SELECT"))]
    # The smallest counterexample: one row in one table, none in the other.
    assert len([line for line in script if line.startswith("INSERT")]) == 1, run.output
    assert script[-2:] == ["SELECT t1.a, t2.c FROM t1 LEFT JOIN t2 ON t1.a = t2.a;",
                           "SELECT t1.a, t2.c FROM t2 LEFT JOIN t1 ON t1.a = t2.a;"]
    again = run_tidbrun("--var", f"seed={seed.group(1)}", "t/wrong_join.py", *server_args(embedded_server), cwd=suite)
    assert [line for line in again.lines() if line.startswith(("CREATE", "INSERT", "SELECT"))] == script


def test_a_two_by_three_matrix_makes_six_named_runs(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    write(tmp_path / "m" / "t" / "x.test.j2",
          '{# tidbrun\n[matrix]\nlevel = ["rc", "rr"]\nrows = [1, 2, 3]\n#}\n'
          "--echo {{ level }}\n{% for i in range(rows | int) %}\nselect {{ i }} as i;\n{% endfor %}\n")
    run = run_tidbrun("--record", tmp_path / "m", *server_args(embedded_server))
    assert run.returncode == 0, run.output
    names = re.findall(r"^m\.(x '[^']*')\s+\[ recorded \]", run.stdout, re.MULTILINE)
    assert names == [f"x 'level={level},rows={rows}'" for level in ("rc", "rr") for rows in (1, 2, 3)]
    result = tmp_path / "m" / "r" / "x,level=rr,rows=2.result"
    assert result.read_text() == "rr\nselect 0 as i;\ni\n0\nselect 1 as i;\ni\n1\n"
    narrowed = run_tidbrun("--matrix", "rows=2", tmp_path / "m", *server_args(embedded_server))
    assert narrowed.returncode == 0 and "2 passed" in narrowed.output, narrowed.output


def test_an_error_in_a_rendered_test_points_into_the_template(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    write(tmp_path / "t" / "x.test.j2", "{% for i in range(2) %}\nselect {{ i }};\n{% endfor %}\n--frobnicate\n")
    write(tmp_path / "t" / "y.test.j2", "select 1;\nselect {{ nope }};\n")
    run = run_tidbrun("--force", "t/x.test.j2", "t/y.test.j2", *server_args(embedded_server), cwd=tmp_path)
    assert run.returncode == 2, run.output
    assert "t/x.test.j2:4: '--frobnicate' is not a mysqltest command (use '#' for a comment)" in run.lines()
    assert "t/y.test.j2:2: undefined: 'nope' is undefined" in run.lines()


def test_parse_only_compiles_python_tests_and_renders_templates_without_a_server(tmp_path: Path) -> None:
    write(tmp_path / "t" / "x.test.j2",
          '{# tidbrun\n[matrix]\nn = [1, 2]\n#}\n--echo n={{ n }}\n{% if n == "2" %}\n--frobnicate\n{% endif %}\n')
    write(tmp_path / "t" / "y.py", "x = (\n")
    run = run_tidbrun("--parse-only", "t/x.test.j2", cwd=tmp_path)
    assert run.returncode == 2, run.output
    assert run.stdout == "n=1\n", run.output  # the second combination is read whole first, and stops
    assert "t/x.test.j2:7: '--frobnicate' is not a mysqltest command (use '#' for a comment)" in run.lines()
    python = run_tidbrun("--parse-only", "t/y.py", cwd=tmp_path)
    assert python.returncode == 2 and "t/y.py:1: SyntaxError: '(' was never closed" in python.lines(), python.output


SUITE = Path(__file__).resolve().parents[2] / "suite"
EXAMPLES = ("isolation_machines.py", "ddl_job_monitor.py", "join_commutes.py", "templated_isolation.test.j2")


def test_the_worked_examples_pass_on_mariadb(embedded_server: EmbeddedServer) -> None:
    run = run_tidbrun(*(SUITE / "t" / name for name in EXAMPLES), *server_args(embedded_server))
    assert run.returncode == 0 and "9 passed" in run.output, run.output


@pytest.mark.skipif(binaries.cached_tidb_server() is None,
                    reason="no cached tidb-server: `make tidb` builds one (~/.cache/tidbrun/tidb)")
def test_the_worked_examples_pass_on_tidb() -> None:
    # As make regress runs them: the templated example's second connection names no database.
    examples = (SUITE / "t" / name for name in EXAMPLES)
    run = run_tidbrun("--server", "tidb", "--dialect", "mysqltest", *examples, timeout=300)
    assert run.returncode == 0 and "9 passed" in run.output, run.output
