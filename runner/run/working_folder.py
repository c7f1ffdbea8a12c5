"""The folder a test runs in: mysqltest's working folder.

mysql-test-run.pl must be started in the mysql-test root and runs mysqltest there, so a relative
path a test names is read from that root: ``LOAD DATA LOCAL INFILE 'suite/x/std_data/f.dat'``
(the client library opens that file itself, from the process's working folder), ``--exec``,
the file commands and ``source``. A test of a mysql-test tree runs with the process in that root,
wherever tidbrun was started; any other test runs where tidbrun was started, as mysqltest run by
hand does. The process is the test's own while it runs (one test at a time per process, see
``runner.run.workers``), so changing its working folder for that time touches no other test.
"""

from __future__ import annotations

import contextlib
from contextlib import AbstractContextManager
from pathlib import Path

from runner.mtr.suites import find_basedir as mysql_test_root


def working_folder(test: Path) -> AbstractContextManager[object]:
    """Run the block in ``test``'s working folder (the mysql-test root above it), else where it is."""
    root = mysql_test_root(test.parent)
    if root is None:
        return contextlib.nullcontext()
    return contextlib.chdir(root)
