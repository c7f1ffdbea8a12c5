"""The run's log: everything (retries, breaker changes, timeouts, crashes, each test with its failure
context) to ``--log-file``; warnings also to stderr, where they matter while the run goes on.

``--log-level`` lowers or raises both (stderr never shows less than warnings when a log file takes
the rest); ``--log-format json`` writes one JSON object a line (python-json-logger) to both.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

LOGGER = "tidbrun"
_FILE_FORMAT = "%(asctime)s.%(msecs)03d %(levelname)-7s %(name)s: %(message)s"
_JSON_FIELDS = ("asctime", "levelname", "name", "message")


def _formatter(fmt: str, text: str, datefmt: str | None = None) -> logging.Formatter:
    if fmt == "json":
        from pythonjsonlogger.json import JsonFormatter  # loaded only for a JSON log

        return JsonFormatter(list(_JSON_FIELDS), rename_fields={"asctime": "time", "levelname": "level",
                                                                "name": "logger"})
    return logging.Formatter(text, datefmt=datefmt)


@contextlib.contextmanager
def run_log(
    path: Path | None, stderr: TextIO | None = None, *, level: str | None = None, fmt: str = "text"
) -> Iterator[logging.Logger]:
    file_level = logging.getLevelName(level.upper()) if level else logging.DEBUG
    console_level = logging.getLevelName(level.upper()) if level else logging.WARNING
    if path is not None:
        console_level = max(console_level, logging.WARNING)
    logger = logging.getLogger(LOGGER)
    old_level, old_propagate = logger.level, logger.propagate
    logger.setLevel(min(file_level, console_level) if path is not None else console_level)
    logger.propagate = False
    handlers: list[logging.Handler] = []
    console = logging.StreamHandler(stderr or sys.stderr)
    console.setLevel(console_level)
    console.setFormatter(_formatter(fmt, "tidbrun: %(message)s"))
    handlers.append(console)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        to_file = logging.FileHandler(path, encoding="utf-8")
        to_file.setLevel(file_level)
        to_file.setFormatter(_formatter(fmt, _FILE_FORMAT, datefmt="%Y-%m-%d %H:%M:%S"))
        handlers.append(to_file)
    for handler in handlers:
        logger.addHandler(handler)
    try:
        yield logger
    finally:
        for handler in handlers:
            logger.removeHandler(handler)
            handler.close()
        logger.setLevel(old_level)
        logger.propagate = old_propagate
