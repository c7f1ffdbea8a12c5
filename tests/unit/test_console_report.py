"""The console: suite.test names on each line, colour by --color/NO_COLOR, flaky tests, the banner."""

from __future__ import annotations

import io
from pathlib import Path

from runner.report.banner import banner_line
from runner.report.closing import closing_lines
from runner.report.color import paint, wants_color
from runner.report.console import ConsoleReport
from runner.run.outcome import ServerBanner
from runner.run.records import TestReport as Report
from tests.unit.report_samples import case, sample_reports


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_lines_name_tests_as_suite_test_with_the_combination(tmp_path: Path) -> None:
    out = io.StringIO()
    console = ConsoleReport(out, color=False)
    for report in sample_reports(tmp_path)[:5]:
        console.test(report)
    names = [line.split("  ")[0] for line in out.getvalue().splitlines() if "[ " in line]
    assert names == ["suite.a", "suite.b", "suite.c 'innodb,row'", "other.d", "other.e"]
    console.summary(1.0)
    assert "could not run: other.e" in out.getvalue()
    assert "failed (2):\n  suite.b\n  other.d" in out.getvalue()


def test_colour_choice_follows_the_option_then_no_color_then_the_terminal() -> None:
    assert wants_color("always", io.StringIO(), {"NO_COLOR": "1"})
    assert not wants_color("never", Terminal(), {})
    assert not wants_color("auto", Terminal(), {"NO_COLOR": "1"})
    assert wants_color("auto", Terminal(), {"NO_COLOR": ""})  # no-color.org: an empty value is unset
    assert not wants_color("auto", io.StringIO(), {})


def test_painted_only_when_asked(tmp_path: Path) -> None:
    report = sample_reports(tmp_path)[1]
    plain, painted = io.StringIO(), io.StringIO()
    ConsoleReport(plain, color=False).test(report)
    ConsoleReport(painted, color=True).test(report)
    assert "\x1b[" not in plain.getvalue()
    assert f"[ {paint('fail', 'red')} ]" in painted.getvalue()
    assert paint("-1", "red") + "\n" in painted.getvalue()  # the diff's lines too


def test_no_live_line_off_a_terminal(tmp_path: Path) -> None:
    out = io.StringIO()
    console = ConsoleReport(out, color=False, progress_total=10)
    assert console.progress is None
    assert ConsoleReport(Terminal(), color=False, progress_total=10).progress is not None
    assert ConsoleReport(Terminal(), color=False, progress_total=1).progress is None  # nothing to count


def test_a_flaky_test_says_so_and_why(tmp_path: Path) -> None:
    failed = Report(case(tmp_path, "f"), "fail", 0.1, "result content mismatch (first at line 2)")
    flaky = Report(case(tmp_path, "f"), "pass", 0.2, earlier=[failed])
    assert flaky.flaky and flaky.word == "flaky"
    out = io.StringIO()
    console = ConsoleReport(out, color=False)
    console.test(flaky)
    console.test(Report(case(tmp_path, "g"), "fail", 0.1, "boom", earlier=[failed]))
    console.summary(1.0)
    text = out.getvalue()
    assert "suite.f" in text and "[ flaky ]" in text
    assert "    failed before: result content mismatch (first at line 2)" in text
    assert "    failed all 2 runs (--retry-failure)" in text
    assert "flaky, passed on a rerun (1):\n  suite.f" in text
    assert "1 passed, 1 failed, 0 skipped, 1 flaky (passed on a rerun) in 1.00s" in text


def test_closing_lines_list_failed_then_flaky_then_slowest() -> None:
    lines = closing_lines([(0.1, "s.a", "pass"), (0.3, "s.b", "fail"), (0.2, "s.c", "flaky")])
    assert lines[:6] == ["", "failed (1):", "  s.b", "", "flaky, passed on a rerun (1):", "  s.c"]
    assert lines[7] == "slowest 3:" and lines[8].split() == ["s.b", "300", "ms"]


def test_the_banner_names_the_server_and_never_a_password(tmp_path: Path) -> None:
    banner = ServerBanner("mariadb", "10.11.6-MariaDB", "root@127.0.0.1:3306", embedded=False, vardir=tmp_path)
    line = banner_line(banner)
    assert line == f"server: mariadb 10.11.6-MariaDB, named at root@127.0.0.1:3306; vardir {tmp_path}"
    assert "workers" in banner_line(banner, jobs=2)
    assert "password" not in repr(banner).lower()
