"""--html: one self-contained page; names, messages and output are text, never markup."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from runner.report import html, junit
from tests.unit.report_samples import SCRIPT, sample_reports


def page(tmp_path: Path) -> str:
    facts = junit.ServerFacts(flavour="mariadb", version="10.11.6-MariaDB")
    return html.build(sample_reports(tmp_path), wall=4.5, exit_code=1, server=facts)


class Elements(HTMLParser):
    """The page's elements as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def elements(text: str) -> Elements:
    parser = Elements()
    parser.feed(text)
    return parser


def test_a_test_named_or_printing_a_script_cannot_inject_one(tmp_path: Path) -> None:
    text = page(tmp_path)
    parsed = elements(text)
    assert [tag for tag, _ in parsed.tags].count("script") == 1  # the page's own filter
    assert all("alert" not in script for script in parsed.scripts)
    assert SCRIPT not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_the_page_is_self_contained(tmp_path: Path) -> None:
    for tag, attrs in elements(page(tmp_path)).tags:
        assert "src" not in attrs, tag
        if tag in ("link", "a"):
            assert (attrs.get("href") or "#").startswith("#"), (tag, attrs)


def test_summary_rows_and_filter(tmp_path: Path) -> None:
    text = page(tmp_path)
    assert "1 passed" in text and "4 failed" in text and "1 skipped" in text and "1 not run" in text
    assert "mariadb 10.11.6-MariaDB" in text
    rows = re.findall(r'<tr data-name="([^"]*)" data-status="([^"]*)"', text)
    assert [status for _, status in rows] == ["pass", "fail", "skip", "error", "not run", "fail", "fail"]
    assert rows[2][0] == "suite.c &#39;innodb,row&#39;"
    assert 'id="filter"' in text and 'id="status"' in text


def test_each_failure_has_a_side_by_side_diff_and_the_server_log(tmp_path: Path) -> None:
    text = page(tmp_path)
    failures = re.findall(r'<div class="failure" id="failure-(\d+)">', text)
    assert failures == ["2", "4", "6", "7"]
    assert f"{tmp_path}/suite/t/b.test:7" in text
    assert '<td class="n">2</td><td class="old">1</td><td class="n">2</td><td class="new">2</td>' in text
    log = re.search(r'<pre class="server-log">(.*?)</pre>', text, re.DOTALL)
    assert log is not None and log.group(1).startswith("2026-12-06 [Note] mariadbd: ready")
    assert "last lines of the server" not in text.split('<pre class="server-log">')[0].split("failure-6")[-1]


def test_slowest_tests(tmp_path: Path) -> None:
    slowest = page(tmp_path).split('id="slowest"')[1].split("</table>")[0]
    names = re.findall(r"<tr><td>([^<]*)</td>", slowest)
    assert names[:3] == ["suite.crash", "suite.b", f"suite.{SCRIPT}".replace("<", "&lt;").replace(">", "&gt;")]
    assert "innodb" not in slowest and "other.e" not in slowest  # skipped, not run: no time of their own


def test_side_by_side_pairs_removed_and_added_lines() -> None:
    diff = "--- a\n+++ b\n@@ -3,4 +3,3 @@\n x\n-old1\n-old2\n+new1\n y\n\\ No newline at end of file\n"
    rows = html.side_by_side(diff)
    assert [(r.kind, r.left_number, r.left, r.right_number, r.right) for r in rows] == [
        ("hunk", None, "@@ -3,4 +3,3 @@", None, None),
        ("same", 3, "x", 3, "x"),
        ("changed", 4, "old1", 4, "new1"),
        ("changed", 5, "old2", None, None),
        ("same", 6, "y", 5, "y"),
    ]


def test_an_empty_run_still_makes_a_page() -> None:
    text = html.build([], wall=0.0, exit_code=2)
    assert "0 passed" in text and "unknown" in text and "<h2>Failures</h2>" not in text
