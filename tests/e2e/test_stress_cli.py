"""``tidbrun stress`` as a user runs it: the console table, --json, --html (loaded in headless
Chromium, screenshot kept), pass criteria and exit codes, and bad input in one line."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from runner.server.embedded import EmbeddedServer
from tests.conftest import run_tidbrun, server_args, write

pytestmark = pytest.mark.e2e

WORKLOAD = """--setup
DROP TABLE IF EXISTS stress_cli;
CREATE TABLE stress_cli (id INT PRIMARY KEY, v INT NOT NULL);
--group write weight=2
--let $id = random(1, 500)
INSERT INTO stress_cli VALUES ($id, 1) ON DUPLICATE KEY UPDATE v = v + 1;
--group read
--let $id = random(1, 500)
SELECT v FROM stress_cli WHERE id = $id;
--cleanup
DROP TABLE stress_cli;
"""
# A file name that is markup: the page must show it as text.
HOSTILE = "<img src=x onerror=alert(1)>.test"


def test_a_run_prints_the_table_and_writes_json_and_html(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    workload = write(tmp_path / HOSTILE, WORKLOAD)
    report, page = tmp_path / "stress.json", tmp_path / "stress.html"
    run = run_tidbrun("stress", workload, "-c", "3", "--duration", "2s", "--cool-down", "0.5s",
                      "--max-p95", "5s", "--max-memory-growth", "200%", "--json", report, "--html", page,
                      *server_args(embedded_server))
    assert run.returncode == 0, run.output
    assert re.search(r"^read\s+\d+\s+[\d.]+\s+0\s+", run.stdout, re.MULTILINE)
    assert re.search(r"^write\s+\d+", run.stdout, re.MULTILINE) and "server RSS" in run.stdout
    assert run.stdout.rstrip().endswith("PASSED")
    figures = json.loads(report.read_text())
    assert set(figures["groups"]) == {"read", "write"} and figures["statements"] > 10
    latency = figures["latency"]
    assert latency["p50"] <= latency["p95"] <= latency["p99"] <= latency["max"]
    assert figures["memory"]["baseline"] > 0 and figures["samples"] and figures["intervals"]
    assert [v["name"] for v in figures["verdicts"]] == ["p95 latency", "server memory growth"]
    text = page.read_text()
    assert text.count('src="data:image/png;base64,') == 4
    assert "<img src=x" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text


def test_a_broken_criterion_exits_1(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    workload = write(tmp_path / "w.test", "SELECT SLEEP(0.01);\n")
    run = run_tidbrun("stress", workload, "--requests", "20", "--cool-down", "0", "--max-p95", "1ms",
                      "--max-errors", "0", *server_args(embedded_server))
    assert run.returncode == 1, run.output
    # SLEEP(0.01): at least 10 ms, more on a busy machine.
    assert re.search(r"p95 latency\s+1ms\s+[\d.]+(ms|s)\s+FAIL", run.stdout) and "errors" in run.stdout
    assert run.stdout.rstrip().endswith("FAILED")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--host", "10.1.2.3"], "this machine only"),
        (["--duration", "soon"], "--duration: 'soon' is not a duration"),
        (["--duration", "7h"], "at most 6h"),
        (["--max-p95", "nogroup=1s"], "no group 'nogroup'"),
        (["--ramp", "--rate", "10"], "--ramp sets the rate itself"),
        (["--server", "oracle"], "unknown server 'oracle'"),
    ],
)
def test_bad_options_are_one_line_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    workload = write(tmp_path / "w.test", "SELECT 1;\n")
    run = run_tidbrun("stress", workload, *args)
    assert run.returncode == 2, run.output
    assert message in run.stderr and "Traceback" not in run.output and len(run.stderr.strip().splitlines()) == 1


def test_a_malformed_workload_is_file_line_message(tmp_path: Path) -> None:
    workload = write(tmp_path / "bad.test", "--group w\n--let $k = random(1)\nSELECT $k;\n")
    run = run_tidbrun("stress", workload, "--host", "127.0.0.1", "--port", "1")
    assert run.returncode == 2
    assert run.stderr.strip() == f"{workload}:2: random() takes 2 argument(s), not 1"


def test_a_server_that_is_not_there_is_a_clear_error(tmp_path: Path) -> None:
    workload = write(tmp_path / "w.test", "SELECT 1;\n")
    run = run_tidbrun("stress", workload, "--host", "127.0.0.1", "--port", "1", timeout=60)
    assert run.returncode == 2 and "cannot connect to 127.0.0.1:1" in run.stderr and "Traceback" not in run.output


@pytest.mark.skipif(shutil.which("chromium") is None, reason="no chromium (Debian's package; make setup)")
def test_the_html_report_in_chromium(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    workload = write(tmp_path / HOSTILE, WORKLOAD)
    page = tmp_path / "stress.html"
    run = run_tidbrun("stress", workload, "-c", "2", "--rate", "200", "--duration", "3s", "--cool-down", "1s",
                      "--html", page, *server_args(embedded_server))
    assert run.returncode == 0, run.output
    browser = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0"]
    dom = subprocess.run([*browser, "--dump-dom", page.as_uri()], capture_output=True, timeout=120, check=True,
                         stdin=subprocess.DEVNULL)
    console = [line for line in dom.stderr.decode(errors="replace").splitlines() if ":CONSOLE" in line]
    text = dom.stdout.decode("utf-8")
    assert console == [] and "<script" not in text and 'id="verdict" class="pass"' in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    shot = tmp_path / "stress-report.png"
    subprocess.run([*browser, "--window-size=1000,2400", f"--screenshot={shot}", page.as_uri()],
                   capture_output=True, timeout=120, check=True, stdin=subprocess.DEVNULL, cwd=tmp_path)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
