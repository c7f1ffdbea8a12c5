"""The report files a run writes besides the JSON one: ``--junit`` and ``--html``."""

from __future__ import annotations

from collections.abc import Sequence

from runner.config.run_config import RunConfig
from runner.errors import TidbrunError
from runner.judge.compare import write_bytes_atomically
from runner.report import html, junit
from runner.report.junit import ServerFacts
from runner.run.records import TestReport


def write_reports(
    config: RunConfig, reports: Sequence[TestReport], *, wall: float, exit_code: int, server: ServerFacts
) -> None:
    """Each report file asked for; TidbrunError (one line, exit code 2) when one cannot be written."""
    for option, path in (("--junit", config.junit), ("--html", config.html)):
        if path is None:
            continue
        if option == "--junit":
            data = junit.build(reports, wall=wall, server=server)
        else:
            data = html.build(reports, wall=wall, exit_code=exit_code, server=server).encode("utf-8")
        try:
            write_bytes_atomically(path, data)
        except OSError as exc:
            raise TidbrunError(f"cannot write the {option} report {path}: {exc.strerror or exc}") from None
