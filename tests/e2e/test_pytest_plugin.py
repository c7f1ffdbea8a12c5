"""``pytest --tidbrun``: .test files as pytest items, run by tidbrun's runner, as a user runs
pytest (a subprocess): failures with their diff, skips, ``-k``, ``-x``, ``--junitxml``, MTR
combinations, and nothing collected without the flag."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from runner.server.embedded import EmbeddedServer
from tests.conftest import REPO, write
from tests.integration.conftest import MYSQL_TEST_DIR

pytestmark = pytest.mark.e2e


def make_suite(root: Path) -> Path:
    write(root / "t" / "a_bad.test", "select 2 as b;\n")
    write(root / "r" / "a_bad.result", "select 2 as b;\nb\n3\n")
    write(root / "t" / "b_good.test", "select 1 as a;\n")
    write(root / "r" / "b_good.result", "select 1 as a;\na\n1\n")
    write(root / "t" / "c_skips.test", "--skip Not today\nselect 1;\n")
    write(root / "t" / "d_last.test", "select 4 as d;\n")
    write(root / "r" / "d_last.result", "select 4 as d;\nd\n4\n")
    return root


def pytest_run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TIDB_", "PYTEST_"))}
    env["PYTHONPATH"] = str(REPO)
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rs", *map(str, args)],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


def named(server: EmbeddedServer) -> list[str]:
    address = server.address
    return ["--tidbrun-socket", str(address.socket), "--tidbrun-port", str(address.port),
            "--tidbrun-user", address.user]


def test_items_run_on_tidbrun_with_the_diff_on_failure(tmp_path: Path) -> None:
    suite = make_suite(tmp_path / "s")
    run = pytest_run("--tidbrun", suite, cwd=tmp_path)  # on a server of its own (embedded)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 failed, 2 passed, 1 skipped" in run.stdout, run.stdout
    assert "tidbrun: a_bad" in run.stdout
    assert "result content mismatch (first at line 3" in run.stdout
    assert "\n-3\n+2\n" in run.stdout, run.stdout
    assert "c_skips.test:1: Not today" in run.stdout, run.stdout


def test_dash_k_and_dash_x(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    suite = make_suite(tmp_path / "s")
    chosen = pytest_run("--tidbrun", *named(embedded_server), "-q", "-k", "good or last", suite, cwd=tmp_path)
    assert chosen.returncode == 0, chosen.stdout + chosen.stderr
    assert "2 passed, 2 deselected" in chosen.stdout, chosen.stdout
    stopped = pytest_run("--tidbrun", *named(embedded_server), "-q", "-x", suite, cwd=tmp_path)
    assert stopped.returncode == 1, stopped.stdout
    assert "stopping after 1 failures" in stopped.stdout, stopped.stdout
    assert "1 failed in" in stopped.stdout, stopped.stdout


def test_junitxml_has_a_testcase_per_test_with_the_diff(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    suite = make_suite(tmp_path / "s")
    junit = tmp_path / "junit.xml"
    run = pytest_run("--tidbrun", *named(embedded_server), f"--junitxml={junit}", suite, cwd=tmp_path)
    assert run.returncode == 1, run.stdout
    cases = {case.get("name", ""): case for case in ET.parse(junit).iter("testcase")}
    assert sorted(cases) == ["a_bad", "b_good", "c_skips", "d_last"]
    failure = cases["a_bad"].find("failure")
    assert failure is not None and "-3\n+2" in (failure.text or "")
    assert cases["c_skips"].find("skipped") is not None
    assert float(cases["b_good"].get("time", "0")) > 0


def test_without_the_flag_no_test_file_is_collected(tmp_path: Path) -> None:
    suite = make_suite(tmp_path / "s")
    run = pytest_run(suite, cwd=tmp_path)
    assert run.returncode == 5, run.stdout  # pytest's "no tests collected"
    assert "no tests ran" in run.stdout


@pytest.mark.skipif(not (MYSQL_TEST_DIR / "main" / "innodb_ext_key.combinations").is_file(),
                    reason="needs MariaDB's mysql-test tree (mariadb-test-data)")
def test_each_combination_is_an_item(tmp_path: Path) -> None:
    run = pytest_run("--tidbrun", "--collect-only", "-q", MYSQL_TEST_DIR / "main" / "innodb_ext_key.test",
                     cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    items = [line for line in run.stdout.splitlines() if "::" in line]
    assert len(items) == 4, run.stdout
    assert any(line.endswith("::innodb_ext_key 'covering,on'") for line in items), run.stdout


def test_tidbrun_plugins_load_as_with_the_command_line(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    test = REPO / "suite" / "t" / "plugin_example.test"
    plugin = REPO / "examples" / "tidbrun_example_plugin.py"
    run = pytest_run("--tidbrun", *named(embedded_server), "--tidbrun-plugin", plugin, test, cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout
    bad = pytest_run("--tidbrun", "--tidbrun-plugin", "no_such_plugin_module", test, cwd=tmp_path)
    assert bad.returncode == 4, bad.stdout + bad.stderr  # pytest's usage error
    assert "tidbrun: plugin 'no_such_plugin_module': cannot load" in bad.stderr
    assert "Traceback" not in bad.stdout + bad.stderr


def test_an_unknown_dialect_is_a_usage_error(tmp_path: Path) -> None:
    suite = make_suite(tmp_path / "s")
    run = pytest_run("--tidbrun", "--tidbrun-dialect", "klingon", suite, cwd=tmp_path)
    assert run.returncode == 4, run.stdout + run.stderr
    assert "tidbrun: unknown dialect 'klingon' (use mysqltest or mysql-tester)" in run.stderr
