"""The CI side of the command line: --junit and --html from a real run, suite.test names pasted
back, --do-test/-k, --collect-only without a server, --version, and the closing summary."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

from runner.server.embedded import EmbeddedServer
from tests.conftest import run_tidbrun, server_args, write

pytestmark = pytest.mark.e2e

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "junit-jenkins.xsd"
SCRIPT = "<script>alert(1)</script>"


def suite(root: Path) -> Path:
    folder = root / "ci"
    write(folder / "t" / "ok.test", "select 1 as x;\n")
    write(folder / "r" / "ok.result", "select 1 as x;\nx\n1\n")
    write(folder / "t" / "bad.test", f"--echo {SCRIPT}\nselect 2 as y;\n")
    write(folder / "r" / "bad.result", "safe\nselect 2 as y;\ny\n3\n")
    write(folder / "t" / "skipped.test", "--skip Needs a feature\nselect 1;\n")
    write(folder / "t" / "stops.test", "select 1 as x;\nselect * from no_such_table;\n")
    write(folder / "r" / "stops.result", "select 1 as x;\nx\n1\n")
    return folder


def test_junit_and_html_of_a_run(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    folder = suite(tmp_path)
    junit, page = tmp_path / "out" / "junit.xml", tmp_path / "out" / "report.html"
    run = run_tidbrun("--force", "--junit", junit, "--html", page, "--reject-dir", tmp_path / "rejects",
                      folder, *server_args(embedded_server))
    assert run.returncode == 1, run.output
    assert "Traceback" not in run.output

    xmlschema.XMLSchema(str(SCHEMA)).validate(str(junit))
    root = ET.parse(junit).getroot()
    (testsuite,) = list(root)
    assert testsuite.get("name") == "ci"
    assert (testsuite.get("tests"), testsuite.get("failures"), testsuite.get("skipped")) == ("4", "2", "1")
    properties = {p.get("name"): p.get("value") for p in testsuite.iter("property")}
    assert properties["server.flavour"] in ("mariadb", "mysql", "tidb")
    assert properties["server.version"] not in ("", "unknown")
    cases = {case.get("name", ""): case for case in testsuite.iter("testcase")}
    assert sorted(cases) == ["ci.bad", "ci.ok", "ci.skipped", "ci.stops"]
    bad = cases["ci.bad"].find("failure")
    assert bad is not None and bad.text is not None and f"+{SCRIPT}" in bad.text and "-3" in bad.text
    stops = cases["ci.stops"].find("failure")
    assert stops is not None and stops.text is not None
    assert f"{folder / 't' / 'stops.test'}:2" in stops.text and "1146" in stops.text
    skipped = cases["ci.skipped"].find("skipped")
    assert skipped is not None and skipped.get("message") == "Needs a feature"
    assert float(cases["ci.ok"].get("time") or "-1") >= 0
    assert embedded_server.address.password == "" or embedded_server.address.password not in junit.read_text()

    text = page.read_text(encoding="utf-8")
    assert SCRIPT not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert re.findall(r'data-status="([^"]*)"', text).count("fail") == 2
    assert '<pre class="context">' in text and "no_such_table" in text

    # The closing summary names every failed test, as it can be pasted back, and the slowest.
    failed = run.stdout.split("failed (2):\n", 1)[1].split("\n\n", 1)[0].split()
    assert failed == ["ci.bad", "ci.stops"]
    assert "slowest 3:" in run.stdout


def test_printed_names_are_accepted_back(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    suite(tmp_path)
    run = run_tidbrun("ci.ok", *server_args(embedded_server), cwd=tmp_path)
    assert run.returncode == 0, run.output
    assert re.search(r"^ci\.ok\s+\[ pass \]", run.stdout, re.MULTILINE), run.output
    missing = run_tidbrun("ci.nothing", *server_args(embedded_server), cwd=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr == "tidbrun: no such test file or folder, nor a test named so: ci.nothing\n"


def test_do_test_skip_test_and_k(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    folder = suite(tmp_path)
    run = run_tidbrun("--do-test", "o", "--skip-test", "ci.s", folder, *server_args(embedded_server))
    assert run.returncode == 0, run.output
    assert [line.split()[0] for line in run.stdout.splitlines() if "[ " in line] == ["ci.ok"]
    run = run_tidbrun("-k", "ok or skipped", folder, *server_args(embedded_server))
    assert run.returncode == 0, run.output
    assert [line.split()[0] for line in run.stdout.splitlines() if "[ " in line] == ["ci.ok", "ci.skipped"]
    none = run_tidbrun("-k", "nothing", folder, *server_args(embedded_server))
    assert none.returncode == 2 and "no test selected (4 deselected)" in none.stderr


def test_collect_only_needs_no_server(tmp_path: Path) -> None:
    folder = suite(tmp_path)
    # A port nothing listens on: collecting must not try to reach it.
    run = run_tidbrun("--collect-only", "--host", "127.0.0.1", "--port", "1", folder)
    assert run.returncode == 0, run.output
    assert run.stdout.splitlines() == ["ci.bad", "ci.ok", "ci.skipped", "ci.stops"]
    assert run.stderr == "4 tests collected\n"


@pytest.mark.parametrize(("args", "message"), [
    (["-k", "a and"], "tidbrun: -k 'a and': an expression ends too early"),
    (["--do-test", "("], "tidbrun: --do-test '(': not a regular expression (missing ), unterminated subpattern "
                         "at position 0)"),
    (["--junit", "."], "tidbrun: --junit .: a folder, not a file"),
])
def test_bad_options_are_one_line_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    run = run_tidbrun(*args, suite(tmp_path), cwd=tmp_path)
    assert (run.returncode, run.stderr, run.stdout) == (2, message + "\n", "")


def test_a_report_that_cannot_be_written_is_one_line(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    folder = suite(tmp_path)
    blocker = write(tmp_path / "file", "")
    run = run_tidbrun("--do-test", "ok", "--html", blocker / "report.html", folder, *server_args(embedded_server))
    assert run.returncode == 2, run.output
    assert run.stderr.splitlines()[-1].startswith(f"tidbrun: cannot write the --html report {blocker}/report.html:")
    assert "Traceback" not in run.output


def test_version() -> None:
    run = run_tidbrun("--version")
    assert run.returncode == 0 and re.fullmatch(r"tidbrun \d+\.\d+\.\d+\S* \(Python 3\.\d+\.\d+\)\n", run.stdout)


def test_shards_split_the_run(tmp_path: Path) -> None:
    folder = suite(tmp_path)
    nowhere = ["--host", "127.0.0.1", "--port", "1"]  # --collect-only reaches no server
    parts = [run_tidbrun("--collect-only", "--shard", f"{k}/3", folder, *nowhere) for k in (1, 2, 3)]
    assert all(part.returncode == 0 for part in parts), [part.output for part in parts]
    names = [name for part in parts for name in part.stdout.splitlines()]
    assert sorted(names) == ["ci.bad", "ci.ok", "ci.skipped", "ci.stops"]
    bad = run_tidbrun("--shard", "4/3", folder)
    assert (bad.returncode, bad.stderr) == (2, "tidbrun: --shard '4/3': K must be from 1 to N\n")
    # More parts than tests: a part with nothing to run succeeds, reaching no server.
    empty = run_tidbrun("--shard", "2/2", folder / "t" / "ok.test", *nowhere)
    assert (empty.returncode, empty.stderr) == (0, "tidbrun: shard 2/2 has no test (1 in all)\n")
