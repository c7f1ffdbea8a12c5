"""The pure parts of `tools/conformance --tidb`: mysql-tester's xunit file, test names, and which
tests each of run-tests.sh's collation runs takes."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def _load(name: str) -> ModuleType:
    # tools/ is a folder of scripts, not a package (see test_conformance_tool.py).
    tools = Path(__file__).resolve().parents[2] / "tools"
    if str(tools) not in sys.path:
        sys.path.insert(0, str(tools))
    spec = importlib.util.spec_from_file_location(name, tools / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


ct = _load("conformance_tidb")

XUNIT = """<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite tests="3" failures="1" name="" time="3.5s">
    <testcase classname="" name="./t/show.test" time="0.000676s" query-count="3"></testcase>
    <testcase classname="" name="./t/executor/delete.test" time="1.25s" query-count="40"></testcase>
    <testcase classname="" name="./t/ddl/x.test" time="" query-count="7"><failure>run test [ddl/x] err: sql:select 1
second line</failure></testcase>
  </testsuite>
</testsuites>
"""


def test_xunit_verdicts_times_and_the_first_line_of_a_failure() -> None:
    outcomes = ct.parse_xunit(XUNIT)
    assert {name: o.verdict for name, o in outcomes.items()} == {
        "show": "pass", "executor/delete": "pass", "ddl/x": "fail"
    }
    assert outcomes["executor/delete"].seconds == 1.25
    assert outcomes["ddl/x"].message == "run test [ddl/x] err: sql:select 1"


def test_collation_runs_take_the_tests_mysql_tester_takes() -> None:
    tests = ["collation_misc", "executor/collation_agg_func", "executor/delete", "my_collation"]
    assert ct.tests_of_mode(tests, ct.Mode(False)) == tests
    assert ct.tests_of_mode(tests, ct.Mode(True)) == ["collation_misc", "executor/collation_agg_func"]
    assert ct.Mode(True).row_name("collation_misc") == "collation_misc [new collations off]"


def test_report_files_map_back_to_test_names(tmp_path: Path) -> None:
    (tmp_path / "t" / "executor").mkdir(parents=True)
    test = tmp_path / "t" / "executor" / "delete.test"
    test.write_text("select 1;\n")
    assert ct.test_name_of("t/executor/delete.test", tmp_path) == "executor/delete"
    assert ct.test_name_of(str(test), tmp_path) == "executor/delete"
    assert ct.test_name_of("/elsewhere/x.test", tmp_path) is None
    assert ct.discover(tmp_path) == ["executor/delete"]
