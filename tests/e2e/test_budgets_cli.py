"""Performance budgets in a .test file, run by ``tidbrun``: a budget kept leaves the .result as it
would be without it; a broken one fails the test with the median and spread, or the growth."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from runner.server.embedded import EmbeddedServer
from tests.conftest import run_tidbrun, server_args, write

pytestmark = pytest.mark.e2e

KEPT = """CREATE TABLE budget_t (a INT);
INSERT INTO budget_t VALUES (1), (2);
--max_duration 5s repeat 5
SELECT a FROM budget_t ORDER BY a;
--max_server_memory_growth 1GB
SELECT COUNT(*) FROM budget_t;
--end_max_server_memory_growth
--max_duration 5s
--eval SELECT $limit AS l
DROP TABLE budget_t;
"""


def test_kept_budgets_leave_the_result_as_without_them(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    test = write(tmp_path / "t" / "kept.test", "--let $limit = 3\n" + KEPT)
    plain = write(tmp_path / "t" / "plain.test", "--let $limit = 3\n" + re.sub(r"--(end_)?max_\w+.*\n", "", KEPT))
    run = run_tidbrun("--record", test, plain, *server_args(embedded_server))
    assert run.returncode == 0, run.output
    kept, without = (tmp_path / "r" / "kept.result").read_text(), (tmp_path / "r" / "plain.result").read_text()
    assert kept == without and "ms" not in kept
    assert kept.count("SELECT a FROM budget_t ORDER BY a;") == 1  # the repeats are not shown


def test_a_broken_duration_budget_fails_with_median_and_spread(
    tmp_path: Path, embedded_server: EmbeddedServer
) -> None:
    test = write(tmp_path / "slow.test", "SELECT 1;\n--max_duration 20ms repeat 3\nSELECT SLEEP(0.05);\nSELECT 2;\n")
    run = run_tidbrun(test, *server_args(embedded_server))
    assert run.returncode == 1
    # SLEEP(0.05): at least 50 ms, more on a busy machine.
    found = re.search(r"slow\.test:2: max_duration 20ms broken: the statement took (\d+(?:\.\d+)?)ms \(median over 3 "
                      r"runs, fastest (\d+(?:\.\d+)?)ms, slowest \d+(\.\d+)?ms\)", run.output)
    assert found is not None and float(found.group(2)) >= 50 and float(found.group(1)) >= 50, run.output


def test_a_budget_before_a_failing_statement_is_reported(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    test = write(tmp_path / "err.test",
                 "--max_duration 1s\n--error ER_NO_SUCH_TABLE\nSELECT * FROM no_such_t;\nSELECT 1;\n")
    run = run_tidbrun(test, *server_args(embedded_server))
    assert run.returncode == 1 and "err.test:1: max_duration: the statement after it failed" in run.output


def test_a_broken_memory_budget_fails_with_the_growth(tmp_path: Path, private_server: EmbeddedServer) -> None:
    # A server of its own, whose memory no earlier test freed for reuse: each file fills a MEMORY
    # table of ~17MB (kept: nothing is freed) inside a budget it breaks.
    for number, budget in enumerate(["64KB", "1%"]):
        test = write(tmp_path / f"grow{number}.test", f"""SET SESSION max_heap_table_size = 64 * 1024 * 1024;
CREATE TABLE budget_m{number} (a CHAR(250)) ENGINE=MEMORY;
--max_server_memory_growth {budget}
INSERT INTO budget_m{number} VALUES (REPEAT('x', 250));
let $i = 16;
while ($i)
{{
  INSERT INTO budget_m{number} SELECT * FROM budget_m{number};
  dec $i;
}}
--end_max_server_memory_growth
""")
        run = run_tidbrun(test, *server_args(private_server))
        assert run.returncode == 1, run.output
        assert re.search(rf"grow{number}\.test:11: max_server_memory_growth \S+.* broken \(from "
                         rf".*grow{number}\.test:3\): the server's RSS grew \d+\.\dMB", run.output), run.output


def test_a_bad_budget_is_reported_before_the_run(tmp_path: Path) -> None:
    test = write(tmp_path / "bad.test", "SELECT 1;\n--max_duration 100\nSELECT 2;\n")
    run = run_tidbrun("--parse-only", test)
    assert run.returncode == 2 and f"{test}:2: max_duration: '100' needs a unit (100ms, 2s)" in run.stderr
