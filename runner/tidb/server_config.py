"""How tidbrun starts its own tidb-server: as TiDB's tests/integrationtest/run-tests.sh does.

run-tests.sh starts ``tidb-server -store unistore`` from the suite folder with ``-config
config.toml`` (``disable_new_collation.toml`` for the run with new collations off) and
``TZ=Asia/Shanghai``; tidbrun adds the failpoint API (GO_FAILPOINTS) so that ``--failpoint``
works, keeping any failpoints the caller already sets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from runner.tidb.failpoints import with_test_api

CONFIG = "config.toml"
DISABLED_COLLATION_CONFIG = "disable_new_collation.toml"
TIME_ZONE = "Asia/Shanghai"


def suite_roots(paths: Iterable[Path]) -> list[Path]:
    """The folders holding the ``t/`` of the tests named (a folder of its own when it has one)."""
    roots: list[Path] = []
    for path in paths:
        path = path.resolve()
        above = (p.parent for p in (path, *path.parents) if p.name == "t")
        found = path if (path / "t").is_dir() else next(above, None)
        if found is not None and found not in roots:
            roots.append(found)
    return roots


def config_file(roots: Iterable[Path], collation_disable: bool, vardir: Path) -> Path | None:
    """The suite's own config for this run, else (new collations off only) one written to vardir."""
    name = DISABLED_COLLATION_CONFIG if collation_disable else CONFIG
    for root in roots:
        if (root / name).is_file():
            return root / name
    if not collation_disable:
        return None
    written = vardir / "tidb-disable-new-collation.toml"
    written.write_text("new_collations_enabled_on_first_bootstrap = false\n", encoding="utf-8")
    return written


def environment(env: Mapping[str, str], options: Iterable[str] = ()) -> dict[str, str]:
    """A tidb-server's environment: the failpoint API on, and run-tests.sh's time zone."""
    result = dict(env)
    result["GO_FAILPOINTS"] = with_test_api(env.get("GO_FAILPOINTS"))
    if not any(option.startswith("--timezone=") for option in options):
        result["TZ"] = TIME_ZONE
    return result
