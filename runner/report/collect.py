"""``--collect-only``: what a run would run, by the names it accepts back, without a server."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TextIO

from runner.errors import EXIT_OK
from runner.run.names import display_name
from runner.run.records import TestCase


def list_collected(cases: Sequence[TestCase], deselected: int = 0, stream: TextIO | None = None) -> int:
    """One test per line on stdout (a skip with its reason); the count on stderr, so that stdout
    stays a list of names."""
    out = stream or sys.stdout
    skipped = 0
    for case in cases:
        if case.skip is not None:
            skipped += 1
            print(f"{display_name(case)}  (skip: {case.skip})", file=out)
        else:
            print(display_name(case), file=out)
    out.flush()
    text = f"{len(cases)} test{'' if len(cases) == 1 else 's'} collected"
    if skipped:
        text += f", {skipped} of them skipped"
    if deselected:
        text += f", {deselected} deselected"
    print(text, file=sys.stderr)
    return EXIT_OK
