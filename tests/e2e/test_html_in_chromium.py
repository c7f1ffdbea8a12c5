"""The --html page in a real browser: Debian's headless Chromium loads it with no console message,
the filter box filters, and a test whose name and output carry a script cannot run it.

Skipped when there is no ``chromium`` (``make setup`` installs it)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from runner.report import html, junit
from tests.unit.report_samples import SCRIPT, sample_reports

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("chromium") is None, reason="no chromium (Debian's package; make setup)"),
]


def load(page: Path, query: str, profile: Path) -> tuple[str, list[str]]:
    """The DOM once the page's script ran, and what it wrote to the console."""
    proc = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", f"--user-data-dir={profile}",
         "--enable-logging=stderr", "--v=0", "--dump-dom", f"{page.as_uri()}{query}"],
        capture_output=True, timeout=120, check=False, stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    console = [line for line in proc.stderr.decode(errors="replace").splitlines() if ":CONSOLE" in line]
    return proc.stdout.decode("utf-8"), console


def visible_rows(dom: str) -> list[str]:
    rows = re.findall(r'<tr data-name="([^"]*)" data-status="[^"]*" data-message="[^"]*"( hidden="")?>', dom)
    return [name for name, hidden in rows if not hidden]


@pytest.fixture
def page(tmp_path: Path) -> Path:
    facts = junit.ServerFacts(flavour="mariadb", version="10.11.6-MariaDB")
    path = tmp_path / "report.html"
    path.write_text(html.build(sample_reports(tmp_path), wall=4.5, exit_code=1, server=facts), encoding="utf-8")
    return path


def test_the_page_loads_without_a_console_message_and_cannot_be_injected(page: Path, tmp_path: Path) -> None:
    dom, console = load(page, "", tmp_path / "profile")
    assert console == []
    assert len(visible_rows(dom)) == 7
    assert dom.count("<script") == 1 and "alert(1)" not in dom.split("<script")[1]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert '<span id="shown">7</span>' in dom


def test_the_filter_filters(page: Path, tmp_path: Path) -> None:
    dom, console = load(page, "?q=CRASH", tmp_path / "profile")
    assert console == [] and visible_rows(dom) == ["suite.crash"] and '<span id="shown">1</span>' in dom
    dom, _ = load(page, "?status=fail", tmp_path / "profile")
    assert visible_rows(dom) == ["suite.b", "suite.crash", "suite.&lt;script&gt;alert(1)&lt;/script&gt;"]
    dom, _ = load(page, "?q=innodb&status=skip", tmp_path / "profile")
    assert visible_rows(dom) == ["suite.c 'innodb,row'"]
    # Messages are searched too.
    dom, _ = load(page, "?q=server%20unavailable", tmp_path / "profile")
    assert visible_rows(dom) == ["other.e"]


def test_a_console_error_would_be_seen(tmp_path: Path) -> None:
    # The check has teeth: a page whose script fails is noticed.
    broken = tmp_path / "broken.html"
    broken.write_text(f"<!DOCTYPE html><p>{SCRIPT.replace('<', '&lt;')}</p><script>notDefined();</script>")
    _, console = load(broken, "", tmp_path / "profile")
    assert any("Uncaught ReferenceError" in line for line in console), console
