"""The run's log: everything (retries, breaker changes, timeouts, crashes, each test with its failure
context) to ``--log-file``; warnings also to stderr, where they matter while the run goes on."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

LOGGER = "tidbrun"
_FILE_FORMAT = "%(asctime)s.%(msecs)03d %(levelname)-7s %(name)s: %(message)s"


@contextlib.contextmanager
def run_log(path: Path | None, stderr: TextIO | None = None) -> Iterator[logging.Logger]:
    logger = logging.getLogger(LOGGER)
    old_level, old_propagate = logger.level, logger.propagate
    logger.setLevel(logging.DEBUG if path is not None else logging.WARNING)
    logger.propagate = False
    handlers: list[logging.Handler] = []
    console = logging.StreamHandler(stderr or sys.stderr)
    console.setLevel(logging.WARNING)
    console.setFormatter(logging.Formatter("tidbrun: %(message)s"))
    handlers.append(console)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        to_file = logging.FileHandler(path, encoding="utf-8")
        to_file.setLevel(logging.DEBUG)
        to_file.setFormatter(logging.Formatter(_FILE_FORMAT, datefmt="%Y-%m-%d %H:%M:%S"))
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
