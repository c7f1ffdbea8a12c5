"""--junit: what Jenkins, GitLab and GitHub's test reporters read, checked against the JUnit schema."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

from runner.report import junit
from tests.unit.report_samples import SCRIPT, sample_reports

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "junit-jenkins.xsd"


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMA))


def build(tmp_path: Path) -> bytes:
    facts = junit.ServerFacts(flavour="mariadb", version="10.11.6-MariaDB-0+deb12u1")
    return junit.build(sample_reports(tmp_path), wall=4.5, server=facts)


def test_the_report_is_valid_against_the_junit_schema(tmp_path: Path, schema: xmlschema.XMLSchema) -> None:
    schema.validate(build(tmp_path).decode("utf-8"))


def test_the_schema_refuses_what_reporters_refuse(schema: xmlschema.XMLSchema) -> None:
    # The check has teeth: a count that is no number, or a testcase without a name, is refused.
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        schema.validate('<testsuites><testsuite name="s" tests="x"/></testsuites>')
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        schema.validate('<testsuites><testsuite name="s" tests="1"><testcase/></testsuite></testsuites>')


def test_a_suite_per_suite_and_a_case_per_run(tmp_path: Path) -> None:
    root = ET.fromstring(build(tmp_path))
    assert root.tag == "testsuites" and root.get("tests") == "7"
    assert root.get("failures") == "3" and root.get("errors") == "1"
    suites = {suite.get("name"): suite for suite in root}
    assert list(suites) == ["suite", "other"]
    names = [case.get("name") for case in suites["suite"].iter("testcase")]
    assert names == ["suite.a", "suite.b", "suite.c 'innodb,row'", "suite.crash", f"suite.{SCRIPT}"]
    assert {case.get("classname") for case in suites["suite"].iter("testcase")} == {"suite"}
    counts = {name: tuple(suite.get(key) for key in ("tests", "failures", "errors", "skipped"))
              for name, suite in suites.items()}
    assert counts == {"suite": ("5", "3", "0", "1"), "other": ("2", "0", "1", "1")}
    assert suites["suite"].get("time") == "4.250"


def test_properties_name_the_server(tmp_path: Path) -> None:
    for suite in ET.fromstring(build(tmp_path)):
        properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
        assert properties == {"server.flavour": "mariadb", "server.version": "10.11.6-MariaDB-0+deb12u1"}


def test_a_failure_carries_the_diff_and_where_the_test_stopped(tmp_path: Path) -> None:
    root = ET.fromstring(build(tmp_path))
    case = next(c for c in root.iter("testcase") if c.get("name") == "suite.b")
    assert case.get("time") == "1.500"
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message") == "result content mismatch (first at line 2)"
    assert failure.get("type") == "mismatch"
    assert failure.text is not None
    assert f"{tmp_path}/suite/t/b.test:7" in failure.text
    assert "-1\n+2\n" in failure.text
    crash = next(c for c in root.iter("testcase") if c.get("name") == "suite.crash").find("failure")
    assert crash is not None and crash.text is not None
    assert f"test file: {tmp_path}/suite/t/crash.test" in crash.text


def test_skips_errors_and_tests_not_run(tmp_path: Path) -> None:
    cases = {c.get("name"): c for c in ET.fromstring(build(tmp_path)).iter("testcase")}
    skipped = cases["suite.c 'innodb,row'"].find("skipped")
    assert skipped is not None and skipped.get("message") == "Test requires: 'innodb'"
    not_run = cases["other.e"].find("skipped")
    assert not_run is not None and not_run.get("message") == "not run: server unavailable"
    error = cases["other.d"].find("error")
    assert error is not None and error.get("message", "").endswith("d.test:3: unknown command")
    assert cases["suite.a"].find("failure") is None and cases["suite.a"].find("skipped") is None


def test_markup_and_control_characters_stay_text(tmp_path: Path) -> None:
    data = build(tmp_path)
    assert b"<script>" not in data and b"&lt;script&gt;" in data
    assert b"\x01" not in data  # XML 1.0 cannot carry it; written out as \x01
    case = next(c for c in ET.fromstring(data).iter("testcase") if c.get("name") == f"suite.{SCRIPT}")
    failure = case.find("failure")
    assert failure is not None and failure.get("message") == f"got {SCRIPT}\\x01"


def test_utf8_output_is_shown_as_text() -> None:
    from runner.report.text import readable

    # Output is kept as latin-1-decoded bytes: UTF-8 from the server reads back as UTF-8.
    assert readable("é".encode().decode("latin-1")) == "é"
    assert readable("\xff") == "\\xff"
