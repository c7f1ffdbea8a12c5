"""A whole-suite run of a mysql-test tree leaves the tree byte for byte as it found it, failures
and all: the ``.reject`` files go to the run's reject folder (mirroring the tree), whose path the
failure message names."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import run_tidbrun
from tests.e2e.mtr_tree import fingerprint, have_installed_tree, make_tree

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not have_installed_tree(), reason="needs MariaDB's mysql-test tree (mariadb-test-data)"),
]

_OUTPUT_IN = re.compile(r"output in (\S+\.reject)[);]")


def _failing_period_suite(tmp_path: Path) -> Path:
    """A copy of the small ``period`` suite (it sources ``versioning``'s files) with failures of
    each kind that writes a reject: a result that differs, a combination whose ``.rdiff``-patched
    result differs, a test without a result."""
    root = make_tree(tmp_path / "mysql-test", ("period", "versioning"))
    results = root / "suite" / "period" / "r"
    with (results / "alter.result").open("a") as handle:
        handle.write("a line the test does not print\n")
    with (results / "delete.result").open("a") as handle:  # both combinations, one via its .rdiff
        handle.write("a line the test does not print\n")
    (results / "create.result").unlink()
    return root


def test_a_failing_suite_run_leaves_the_tree_as_it_was(tmp_path: Path) -> None:
    root = _failing_period_suite(tmp_path)
    before = fingerprint(root)
    vardir = tmp_path / "var"
    run = run_tidbrun("--force", "--vardir", vardir, root / "suite" / "period", cwd=tmp_path, timeout=600)
    assert run.returncode == 1, run.output
    assert fingerprint(root) == before
    rejects = {Path(path) for path in _OUTPUT_IN.findall(run.stdout)}
    assert rejects == {
        vardir / "rejects" / "suite" / "period" / "r" / name
        for name in ("alter.reject", "delete.reject", "delete,myisam.rdiff.reject", "create.reject")
    }, run.output
    for reject in rejects:
        assert reject.read_text(), reject


def test_a_run_on_a_throwaway_vardir_keeps_its_rejects_outside_the_tree(tmp_path: Path) -> None:
    root = _failing_period_suite(tmp_path)
    before = fingerprint(root)
    run = run_tidbrun("--force", root / "suite" / "period" / "t" / "alter.test", cwd=tmp_path)
    assert run.returncode == 1, run.output
    assert fingerprint(root) == before
    (reject,) = _OUTPUT_IN.findall(run.stdout)
    assert Path(reject).name == "alter.reject" and Path(reject).is_file()
    assert Path(reject).parent.parts[-3:] == ("suite", "period", "r")
    assert not Path(reject).is_relative_to(root)
    folder = Path(reject).parents[3]
    assert folder.name.endswith("-rejects")
    shutil.rmtree(folder)
