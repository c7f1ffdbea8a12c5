"""On GitHub Actions: ::error annotations (escaped as GitHub's runner reads them) and the job summary."""

from __future__ import annotations

import io
from pathlib import Path

from runner.report import github
from runner.run.records import TestReport as Report
from tests.unit.report_samples import SCRIPT, case, sample_reports


def test_escaping_as_the_workflow_commands_want_it() -> None:
    assert github.escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert github.escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"


def test_an_annotation_points_at_the_statement(tmp_path: Path) -> None:
    report = sample_reports(tmp_path)[1]  # failed at suite/t/b.test:7, with a diff
    line = github.annotation(report, workspace=str(tmp_path))
    assert line.startswith("::error file=suite/t/b.test,line=7,title=suite.b failed::result content mismatch")
    assert "%0A-1%0A+2" in line and "\n" not in line


def test_an_annotation_without_a_statement_names_the_test_file(tmp_path: Path) -> None:
    report = Report(case(tmp_path, "m,x:y"), "fail", 0.1, "100% wrong\nsecond line")
    line = github.annotation(report, workspace=str(tmp_path))
    assert line == "::error file=suite/t/m%2Cx%3Ay.test,title=suite.m%2Cx%3Ay failed::100%25 wrong%0Asecond line"


def test_nothing_off_github(tmp_path: Path) -> None:
    out = io.StringIO()
    summary = tmp_path / "summary.md"
    github.write_github(sample_reports(tmp_path), wall=1.0, server="mariadb", stream=out,
                        environ={"GITHUB_STEP_SUMMARY": str(summary)})
    assert out.getvalue() == "" and not summary.exists()


def test_on_github_annotations_and_a_summary_appended(tmp_path: Path) -> None:
    out = io.StringIO()
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    environ = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_WORKSPACE": str(tmp_path)}
    reports = sample_reports(tmp_path)
    github.write_github(reports, wall=4.5, server="mariadb 10.11", stream=out, environ=environ)
    annotations = out.getvalue().splitlines()
    assert len(annotations) == 4 and all(line.startswith("::error file=") for line in annotations)
    text = summary.read_text()
    assert text.startswith("earlier step\n## tidbrun")
    assert "| 1 | 4 | 1 | 1 | 0 |" in text  # passed, failed, skipped, not run, flaky
    assert "| suite.b | suite/t/b.test:7 | result content mismatch (first at line 2) |" in text
    assert SCRIPT not in text and "&lt;script&gt;" in text  # markup is shown, never run
    assert "### Slowest 5" in text


def test_a_summary_cell_cannot_break_the_table() -> None:
    assert github._cell("a|b\nc`d") == "a\\|b c&#96;d"
