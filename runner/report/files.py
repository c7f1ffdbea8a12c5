"""The report files a run writes besides the JSON one: ``--junit`` and ``--html``."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from runner.config.run_config import RunConfig
from runner.errors import TidbrunError
from runner.report import html, junit
from runner.report.junit import ServerFacts
from runner.run.records import TestReport


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """``path`` holds its old content or the new, never a part (a CI job may be killed any time)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


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
