"""A flaky test (failed, then passed on a rerun) in the JSON, JUnit and HTML reports."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import xmlschema

from runner.report import html, json_file, junit
from runner.run.records import TestReport as Report
from tests.unit.report_samples import DIFF, SCRIPT, case

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "junit-jenkins.xsd"


def reports(root: Path) -> list[Report]:
    failed = Report(case(root, "f"), "fail", 0.1, f"result content mismatch {SCRIPT}", diff=DIFF)
    return [Report(case(root, "f"), "pass", 0.2, earlier=[failed]), Report(case(root, "ok"), "pass", 0.1)]


def test_json_says_flaky_and_why(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    json_file.write(path, reports(tmp_path), wall=1.0, exit_code=0)
    document = json.loads(path.read_text())
    assert document["summary"]["flaky"] == 1 and document["summary"]["passed"] == 2
    flaky = document["tests"][0]
    assert flaky["status"] == "flaky"
    assert flaky["earlier_failures"][0]["message"].startswith("result content mismatch")
    assert flaky["earlier_failures"][0]["diff"] == DIFF
    assert "earlier_failures" not in document["tests"][1]


def test_junit_marks_it_and_still_validates(tmp_path: Path) -> None:
    data = junit.build(reports(tmp_path), wall=1.0)
    xmlschema.XMLSchema(str(SCHEMA)).validate(data.decode("utf-8"))
    cases = {c.get("name"): c for c in ET.fromstring(data).iter("testcase")}
    flaky = cases["suite.f"]
    assert flaky.get("status") == "flaky"
    assert flaky.find("failure") is None  # it passed: reporters count it so
    out = flaky.find("system-out")
    assert out is not None and out.text is not None
    assert out.text.startswith("flaky: passed on run 2 of 2, after failing 1 time(s)")
    assert "-1\n+2" in out.text
    assert cases["suite.ok"].get("status") is None


def test_html_shows_it_as_flaky(tmp_path: Path) -> None:
    page = html.build(reports(tmp_path), wall=1.0, exit_code=0)
    assert 'data-status="flaky"' in page and '<span class="flaky">1 flaky</span>' in page
    assert "passed after failing 1 time(s); first: result content mismatch" in page
    assert SCRIPT not in page
