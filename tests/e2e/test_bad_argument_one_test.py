"""A command that refuses its argument fails its own test (file:line, exit code 2); the other tests
still run and are reported, with one worker or two."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_tidbrun, write

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_other_tests_still_run(tmp_path: Path, jobs: str) -> None:
    bad = write(tmp_path / "t" / "bad.test", "select 1;\n--result_format 2\nselect 2;\n")
    junk = write(tmp_path / "t" / "junk.test", "--disable_query_log junk\nselect 1;\n")
    good = write(tmp_path / "t" / "good.test", "select 1;\n")
    write(tmp_path / "r" / "good.result", "select 1;\n1\n1\n")
    run = run_tidbrun("-j", jobs, "--force", bad, junk, good, cwd=tmp_path)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "internal error" not in run.stdout + run.stderr
    assert f"{bad}:2: only result_format 1 is supported" in run.stdout
    assert f'{junk}:1: End of line junk detected: "junk"' in run.stdout
    assert "1 passed, 2 failed" in run.stdout
