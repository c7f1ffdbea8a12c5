"""Reports of a small run, as the report builders get them: every status, a combination, a crash
with the server's log tail, and a test whose name and output carry markup."""

from __future__ import annotations

from pathlib import Path

from runner.faults.context import FailureContext
from runner.run.records import TestCase, TestReport

SCRIPT = "<script>alert(1)</script>"
DIFF = (
    "--- suite/r/b.result\n+++ actual\n@@ -1,3 +1,3 @@\n select 1;\n-1\n+2\n"
    f" select '{SCRIPT}';\n"
)


def case(root: Path, name: str, suite: str = "suite") -> TestCase:
    folder = root / suite / "t"
    folder.mkdir(parents=True, exist_ok=True)
    bare = name.split(" ", 1)[0]
    path = folder / f"{bare}.test"
    path.touch()
    return TestCase(path, name, root / suite / "r" / f"{bare}.result")


def sample_reports(root: Path) -> list[TestReport]:
    context = FailureContext(test="b", location=f"{root}/suite/t/b.test:7", statement="select 1",
                             connection="default", host="127.0.0.1", port=3306, user="root")
    return [
        TestReport(case(root, "a"), "pass", 0.25),
        TestReport(case(root, "b"), "fail", 1.5, "result content mismatch (first at line 2)", diff=DIFF,
                   context=context),
        TestReport(case(root, "c 'innodb,row'"), "skip", 0.0, "Test requires: 'innodb'"),
        TestReport(case(root, "d", suite="other"), "error", 0.01, f"{root}/other/t/d.test:3: unknown command"),
        TestReport(case(root, "e", suite="other"), "not run", 0.0, "server unavailable"),
        TestReport(case(root, "crash"), "fail", 2.0,
                   "the server was killed by signal 9 (SIGKILL) during this test\n"
                   "--- last lines of the server's error log ---\n2026-12-06 [Note] mariadbd: ready\n"
                   f"{SCRIPT}"),
        TestReport(TestCase(root / "suite" / "t" / "x.test", SCRIPT, root / "x.result"), "fail", 0.5,
                   f"got {SCRIPT}\x01", diff=f"@@ -1 +1 @@\n-ok\n+{SCRIPT}\n"),
    ]
