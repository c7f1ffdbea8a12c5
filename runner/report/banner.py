"""The line a run starts with: which server it talks to and where its files go (as
mysql-test-run.pl's header). The address's password is never part of it."""

from __future__ import annotations

from runner.report.text import readable
from runner.run.outcome import ServerBanner


def banner_line(banner: ServerBanner, jobs: int = 1) -> str:
    kind = "embedded" if banner.embedded else "named"
    text = (f"server: {banner.flavour} {readable(banner.version)}, {kind} at {readable(banner.endpoint)}; "
            f"vardir {banner.vardir}")
    if jobs > 1:
        text += f" ({jobs} workers, worker N in vardir/N" + (" with a server of its own)" if banner.embedded else ")")
    return text
