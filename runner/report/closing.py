"""The end of the console summary: every failed test by the name that runs it again, and the
slowest tests (where a long run's time went)."""

from __future__ import annotations

from collections.abc import Sequence

SLOWEST = 5


def closing_lines(ran: Sequence[tuple[float, str, str]], slowest: int = SLOWEST) -> list[str]:
    """``ran``: (seconds, suite.test name, status) of each test that ran, in order; ``flaky`` for
    one that passed on a rerun."""
    lines: list[str] = []
    failed = [name for _, name, status in ran if status in ("fail", "error")]
    if failed:
        lines += ["", f"failed ({len(failed)}):", *(f"  {name}" for name in failed)]
    flaky = [name for _, name, status in ran if status == "flaky"]
    if flaky:
        lines += ["", f"flaky, passed on a rerun ({len(flaky)}):", *(f"  {name}" for name in flaky)]
    if len(ran) > 1:
        longest = sorted(ran, key=lambda item: item[0], reverse=True)[:slowest]
        width = max(len(name) for _, name, _ in longest)
        lines += ["", f"slowest {len(longest)}:", *(f"  {name:<{width}}  {seconds * 1000:8.0f} ms"
                                                   for seconds, name, _ in longest)]
    return lines
