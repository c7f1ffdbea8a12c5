"""Where a ``.reject`` goes and how long it stays: beside the result (where the result would be,
for a new test), never a shared temporary folder; gone once the test passes again."""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path

import pytest

from runner.server.embedded import EmbeddedServer
from tests.conftest import run_tidbrun, server_args, write

pytestmark = pytest.mark.e2e


def test_an_old_reject_goes_once_the_test_passes(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    write(tmp_path / "t" / "x.test", "select 1 as x;\n")
    result = write(tmp_path / "r" / "x.result", "select 1 as x;\nx\n2\n")
    failed = run_tidbrun(tmp_path / "t" / "x.test", *server_args(embedded_server))
    assert failed.returncode == 1, failed.output
    reject = tmp_path / "r" / "x.reject"
    assert reject.is_file(), failed.output
    result.write_bytes(reject.read_bytes())
    passed = run_tidbrun(tmp_path / "t" / "x.test", *server_args(embedded_server))
    assert passed.returncode == 0, passed.output
    assert not reject.exists(), "the reject of an earlier failure is still there after a pass"


def test_a_new_tests_reject_goes_where_its_result_would_be(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    name = f"new_{secrets.token_hex(4)}"
    write(tmp_path / "t" / f"{name}.test", "select 1 as x;\n")
    run = run_tidbrun(tmp_path / "t" / f"{name}.test", *server_args(embedded_server))
    assert run.returncode == 1, run.output
    reject = tmp_path / "r" / f"{name}.reject"
    assert reject.read_bytes() == b"select 1 as x;\nx\n1\n", run.output
    assert not (Path(tempfile.gettempdir()) / "tidbrun-reject" / f"{name}.reject").exists()
    assert str(reject) in run.stdout
    assert "--record" in run.stdout, run.stdout
