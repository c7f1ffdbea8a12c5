"""On GitHub Actions (GITHUB_ACTIONS=true): ::error annotations at the failing statement and a
Markdown job summary appended to $GITHUB_STEP_SUMMARY."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.server.embedded import EmbeddedServer
from tests.conftest import run_tidbrun, server_args, write

pytestmark = pytest.mark.e2e


def test_annotations_and_the_job_summary(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    folder = tmp_path / "gh"
    write(folder / "t" / "ok.test", "select 1 as x;\n")
    write(folder / "r" / "ok.result", "select 1 as x;\nx\n1\n")
    write(folder / "t" / "stops,here.test", "select 1 as x;\nselect * from no_such_table;\n")
    write(folder / "r" / "stops,here.result", "select 1 as x;\nx\n1\n")
    write(folder / "t" / "differs.test", "select '100%' as y;\n")
    write(folder / "r" / "differs.result", "select '100%' as y;\ny\n99%\n")
    summary = tmp_path / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_WORKSPACE": str(tmp_path)}
    run = run_tidbrun("--force", folder, *server_args(embedded_server), env_extra=env)
    assert run.returncode == 1, run.output
    annotations = [line for line in run.stdout.splitlines() if line.startswith("::")]
    assert len(annotations) == 2, run.stdout
    differs, stops = annotations
    assert stops.startswith("::error file=gh/t/stops%2Chere.test,line=2,title=gh.stops%2Chere failed::")
    assert "1146" in stops
    assert differs.startswith("::error file=gh/t/differs.test,title=gh.differs failed::result content mismatch")
    assert "%0A-99%25%0A+100%25" in differs  # the diff, with % and newlines escaped
    text = summary.read_text()
    assert "| 1 | 2 | 0 | 0 | 0 |" in text
    assert "| gh.stops,here | gh/t/stops,here.test:2 |" in text
    assert "### Slowest 3" in text
    # Off GitHub: neither.
    summary.unlink()
    plain = run_tidbrun("--force", folder, *server_args(embedded_server),
                        env_extra={"GITHUB_STEP_SUMMARY": str(summary)})
    assert "::error" not in plain.stdout and not summary.exists()
