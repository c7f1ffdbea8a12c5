"""A test of a mysql-test tree runs in the tree's root, as mysql-test-run.pl runs mysqltest: a
relative path it names (``LOAD DATA LOCAL INFILE 'suite/x/std_data/f.dat'``, read by the client
library itself; ``--exec``; ``source``) means the same wherever tidbrun was started."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from runner.server.embedded import EmbeddedServer
from tests.conftest import reference_binary, run_tidbrun, write
from tests.e2e.mtr_tree import have_installed_tree, make_tree

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not have_installed_tree(), reason="needs MariaDB's mysql-test tree (mariadb-test-data)"),
]

TEST = """\
CREATE TABLE t1 (a INT, b VARCHAR(10));
LOAD DATA LOCAL INFILE 'suite/x/std_data/f.dat' INTO TABLE t1;
SELECT * FROM t1;
--exec cat suite/x/std_data/f.dat
--source suite/x/include/one.inc
--source near.inc
DROP TABLE t1;
"""

RESULT = """\
CREATE TABLE t1 (a INT, b VARCHAR(10));
LOAD DATA LOCAL INFILE 'suite/x/std_data/f.dat' INTO TABLE t1;
SELECT * FROM t1;
a	b
1	one
2	two
1	one
2	two
SELECT COUNT(*) FROM t1;
COUNT(*)
2
SELECT 'next to the test';
next to the test
next to the test
DROP TABLE t1;
"""


def _tree(tmp_path: Path) -> Path:
    root = make_tree(tmp_path / "mysql-test")
    write(root / "suite" / "x" / "std_data" / "f.dat", "1\tone\n2\ttwo\n")
    write(root / "suite" / "x" / "include" / "one.inc", "SELECT COUNT(*) FROM t1;\n")
    write(root / "suite" / "x" / "t" / "near.inc", "SELECT 'next to the test';\n")
    write(root / "suite" / "x" / "t" / "load.test", TEST)
    write(root / "suite" / "x" / "r" / "load.result", RESULT)
    return root


def test_relative_paths_resolve_in_the_tree_root_wherever_tidbrun_starts(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    assert root == tmp_path / "mysql-test"
    # The test named relative to where tidbrun starts: `source near.inc` is still found next to it.
    test = Path("mysql-test") / "suite" / "x" / "t" / "load.test"
    run = run_tidbrun("--reject-dir", tmp_path / "rejects", test, cwd=tmp_path)
    assert run.returncode == 0, run.output
    assert "1 passed" in run.stdout


@pytest.mark.skipif(reference_binary() is None, reason="needs the reference mariadb-test")
def test_the_expected_result_is_the_references_run_from_the_root(
    tmp_path: Path, embedded_server: EmbeddedServer
) -> None:
    root = _tree(tmp_path)
    address = embedded_server.address
    recorded = tmp_path / "reference.result"
    argv = [
        str(reference_binary()), "--host=localhost", f"--socket={address.socket}", f"--user={address.user}",
        "--database=test", "--silent", f"--basedir={root}/", "--test-file=suite/x/t/load.test",
        f"--result-file={recorded}", "--record",
    ]
    if address.password:
        argv.append(f"--password={address.password}")
    proc = subprocess.run(argv, cwd=root, capture_output=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr.decode("latin-1")
    assert recorded.read_text() == RESULT
