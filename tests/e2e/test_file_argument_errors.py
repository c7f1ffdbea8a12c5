"""Every operating-system error on a file a test names is that test's error at its ``file:line``
(a fuzzed copy of a MariaDB test whose ``source`` argument became a long run of text), never
"internal error". Commands that mysqltest lets a test expect (``--error 1``: cat_file,
remove_file...) fail as mysqltest's do; the others are the test's input error (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.server.embedded import EmbeddedServer
from tests.conftest import run_tidbrun, server_args, write

pytestmark = pytest.mark.e2e

LONG = "x" * 5000

INPUT_ERRORS = {
    "source": f"--source {LONG}\n",
    "source_inc": f"--source include/{LONG}.inc\n",
    "write_file": f"--write_file $MYSQL_TMP_DIR/{LONG}\nhello\nEOF\n",
    "append_file": f"--append_file $MYSQL_TMP_DIR/{LONG}\nhello\nEOF\n",
    "write_line": f"--write_line hello $MYSQL_TMP_DIR/{LONG}\n",
    "file_exists": f"--file_exists {LONG}\n",
}
EXPECTABLE = {
    "cat_file": f"--cat_file {LONG}\n",
    "remove_file": f"--remove_file {LONG}\n",
    "copy_file": f"--copy_file {LONG} {LONG}.2\n",
    "mkdir": f"--mkdir $MYSQL_TMP_DIR/{LONG}\n",
}


@pytest.mark.parametrize("name", sorted(INPUT_ERRORS))
def test_an_os_error_on_a_named_file_is_the_tests_input_error(tmp_path: Path, embedded_server: EmbeddedServer,
                                                              name: str) -> None:
    test = write(tmp_path / "t" / f"{name}.test", "select 1 as a;\n" + INPUT_ERRORS[name] + "select 2 as b;\n")
    run = run_tidbrun(test, *server_args(embedded_server))
    assert "internal error" not in run.output, run.output
    assert "Traceback" not in run.output
    assert run.returncode == 2, run.output
    assert f"{test}:2: " in run.stdout, run.output
    assert "File name too long" in run.stdout, run.output
    assert LONG not in run.output, "a 5,000-character name is shortened in the message"


@pytest.mark.parametrize("name", sorted(EXPECTABLE))
def test_a_file_command_fails_as_mysqltests_does(tmp_path: Path, embedded_server: EmbeddedServer, name: str) -> None:
    test = write(tmp_path / "t" / f"{name}.test", "select 1 as a;\n" + EXPECTABLE[name] + "select 2 as b;\n")
    run = run_tidbrun(test, *server_args(embedded_server))
    assert "internal error" not in run.output, run.output
    assert run.returncode == 1, run.output
    assert f'{test}:2: command "{name}" failed with error: 1  my_errno: 36' in run.stdout, run.output
    expected = write(tmp_path / "t" / f"{name}_expected.test",
                     "select 1 as a;\n--error 1\n" + EXPECTABLE[name] + "select 2 as b;\n")
    write(tmp_path / "r" / f"{name}_expected.result", "select 1 as a;\na\n1\nselect 2 as b;\nb\n2\n")
    assert run_tidbrun(expected, *server_args(embedded_server)).returncode == 0
