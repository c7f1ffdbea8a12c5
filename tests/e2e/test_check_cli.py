"""``tidbrun check`` as a user meets it: on the embedded server (no host named), against a closed
port, with a wrong password, and with a bad config file — in text and with ``--json``."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from runner.server.address import free_port
from runner.server.embedded import EmbeddedServer, find_server_kind
from tests.conftest import account_with_password, run_tidbrun, write

pytestmark = pytest.mark.e2e

STEPS = ["configuration", "embedded server", "connecting", "SELECT 1", "database exists", "version and flavour"]
USER = "tidbrun_check"


def steps(stdout: str) -> dict[str, str]:
    """The text output's steps: name → ok / FAILED / skipped."""
    found = {}
    for line in stdout.splitlines():
        for name in STEPS:
            if line.strip().startswith(name + " "):
                found[name] = line.strip()[len(name):].split()[0]
    return found


@pytest.fixture(scope="module")
def password(embedded_server: EmbeddedServer) -> Iterator[str]:
    secret = f"Pw-{secrets.token_hex(6)}"
    with account_with_password(embedded_server, USER, secret, "GRANT ALL ON test.* TO {account}"):
        yield secret


def test_on_the_embedded_server(tmp_path: Path) -> None:
    if find_server_kind() is None:
        pytest.skip("no server binary (tidb-server, mariadbd or mysqld) to start")
    run = run_tidbrun("check", cwd=tmp_path)
    assert run.returncode == 0, run.output
    assert steps(run.stdout) == dict.fromkeys(STEPS, "ok"), run.stdout
    assert "all 6 steps passed" in run.stdout
    as_json = run_tidbrun("check", "--json", cwd=tmp_path)
    assert as_json.returncode == 0, as_json.output
    report = json.loads(as_json.stdout)
    assert report["ok"] is True and report["failed_step"] is None
    assert [step["name"] for step in report["steps"]] == STEPS
    assert all(step["status"] == "ok" and step["seconds"] >= 0 for step in report["steps"])
    assert report["server"]["embedded"] is True and report["server"]["flavour"] in ("mariadb", "mysql", "tidb")


def test_a_closed_port(tmp_path: Path) -> None:
    port = str(free_port())
    run = run_tidbrun("check", "--host", "127.0.0.1", "--port", port, "--connect-timeout", "1", cwd=tmp_path)
    assert run.returncode == 1, run.output
    assert steps(run.stdout) == {"configuration": "ok", "connecting": "FAILED", "SELECT 1": "skipped",
                                 "database exists": "skipped", "version and flavour": "skipped"}
    assert f"failed at 'connecting': connecting to 127.0.0.1:{port}: 200" in run.stderr  # 2002 or 2003
    assert "gave up after" in run.stderr  # retried: a refused connection is transient
    report = json.loads(run_tidbrun("check", "--json", "--host", "127.0.0.1", "--port", port,
                                    "--connect-timeout", "1", cwd=tmp_path).stdout)
    assert report["ok"] is False and report["failed_step"] == "connecting"


def test_a_wrong_password(tmp_path: Path, embedded_server: EmbeddedServer, password: str) -> None:
    address = embedded_server.address
    where = ["--host", "127.0.0.1", "--port", str(address.port), "--user", USER]
    good = run_tidbrun("check", *where, "--password", password, cwd=tmp_path)
    assert good.returncode == 0, good.output
    assert "password --password" in good.stdout and password not in good.output
    bad = run_tidbrun("check", *where, "--password", "wrong-Harpsichord", cwd=tmp_path)
    assert bad.returncode == 1, bad.output
    assert steps(bad.stdout)["connecting"] == "FAILED"
    assert "1045 (28000): Access denied" in bad.stderr and "not retried" in bad.stderr
    assert "Harpsichord" not in bad.output
    report = json.loads(run_tidbrun("check", "--json", *where, "--password", "wrong-Harpsichord", cwd=tmp_path).stdout)
    assert report["failed_step"] == "connecting" and "1045" in report["steps"][1]["detail"]
    missing = run_tidbrun("check", *where, "--password", password, "--database", "no_such_db", cwd=tmp_path)
    assert missing.returncode == 1 and steps(missing.stdout)["database exists"] == "FAILED", missing.output


def test_a_bad_configuration(tmp_path: Path) -> None:
    write(tmp_path / "tidbrun.toml", "[server]\nprot = 3306\n")
    run = run_tidbrun("check", cwd=tmp_path)
    assert run.returncode == 2, run.output
    assert steps(run.stdout)["configuration"] == "FAILED"
    assert "tidbrun.toml:2: unknown key 'prot' in [server] (did you mean [server] port?)" in run.stderr
    report = json.loads(run_tidbrun("check", "--json", cwd=tmp_path).stdout)
    assert report["failed_step"] == "configuration" and all(s["status"] == "skipped" for s in report["steps"][1:])
