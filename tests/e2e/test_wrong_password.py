"""A wrong password (typed at the ``-p`` prompt, or given) is an access-denied error of the run:
one clear line, exit 2, never the password and never "internal error"."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from runner.server.embedded import EmbeddedServer
from tests.conftest import REPO, account_with_password, tidbrun_command, write
from tests.e2e.test_secrets import run_on_terminal

pytestmark = pytest.mark.e2e

USER = "tidbrun_denied"
RIGHT = "Right-Pw-Bassoon-1"
WRONG = "Wrong-Pw-Oboe-2"


@pytest.fixture(scope="module")
def account(embedded_server: EmbeddedServer) -> Iterator[str]:
    with account_with_password(embedded_server, USER, RIGHT, None):
        yield USER


def run_with_input(args: list[str], typed: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIDB_") and k != "TIDBRUN_DEBUG"}
    env["PYTHONPATH"] = str(REPO)
    return subprocess.run([*tidbrun_command(), *args], input=typed, env=env, capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.mark.parametrize("how", ["prompt", "option"])
def test_a_wrong_password_is_access_denied(tmp_path: Path, embedded_server: EmbeddedServer, account: str,
                                           how: str) -> None:
    test = write(tmp_path / "t" / "x.test", "select 1 as a;\n")
    address = embedded_server.address
    where = ["--socket", str(address.socket), "--port", str(address.port), "--user", account]
    given = ["-p"] if how == "prompt" else [f"--password={WRONG}"]
    proc = run_with_input([str(test), *where, *given, "--connect-timeout", "2"], WRONG + "\n")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output
    assert "internal error" not in output
    assert "Traceback" not in output
    assert WRONG not in output
    assert f"access denied for user '{account}'@'localhost' (using password: yes)" in proc.stderr.lower(), output


@pytest.mark.parametrize("asked", [["-p"], []], ids=["dash_p", "server_asks"])
def test_a_wrong_answer_at_the_prompt_is_access_denied(tmp_path: Path, embedded_server: EmbeddedServer,
                                                       account: str, asked: list[str]) -> None:
    test = write(tmp_path / "t" / "x.test", "select 1 as a;\n")
    address = embedded_server.address
    code, text = run_on_terminal([str(test), "--socket", str(address.socket), "--port", str(address.port),
                                  "--user", account, "--connect-timeout", "2", *asked], WRONG)
    assert "Enter password" in text, text
    assert code == 2, text
    assert "internal error" not in text
    assert WRONG not in text
    assert f"access denied for user '{account}'@'localhost' (using password: yes)" in text.lower(), text
