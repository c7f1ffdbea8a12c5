"""Three sys_vars tests that passed under mysql-test-run.pl and not under tidbrun, each reduced to
what made the difference, run by tidbrun and by the reference mariadb-test on the same server:

- sysvars_wsrep: ``--replace_regex $var /from/to/`` (a variable where an item of the list starts);
- rpl_semi_sync_slave_enabled_basic: two blank lines after ``--error`` end it (mysqltest's
  empty-line command);
- session_track_system_variables_example: a ``connect`` that names no database logs in without
  one and selects it after, so the next statements show the login's session state.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from runner.server.address import ServerAddress
from runner.sessions.driver import HAVE_CEXT, CConnection, ConnectParams, PyConnection
from tests.integration.test_interpreter import Bench, assert_same_result, bench, environment, needs_reference

__all__ = ["bench", "environment"]  # the fixtures the reference cases need, from the interpreter's tests

pytestmark = pytest.mark.integration


# The reference bench and its environment: the interpreter tests' fixtures (imported above).


def assert_same_failure(bench: Bench, text: str) -> None:
    """Both die at the same line with the same message, after the same output."""
    bench.write(text)
    reference = bench.reference()
    assert reference.returncode == 1, reference.stderr
    ours = bench.ours()
    assert ours.status in ("fail", "error"), ours.message
    line, message = reference.failure()
    assert ours.message == f"{bench.test}:{line}: {message}"
    assert reference.log is not None
    assert ours.output.decode("latin-1") == reference.log.decode("latin-1")


# -- replace_regex and $variables -------------------------------------------------------------------

REPLACE_REGEX_VARIABLES = r"""let $r1= /aaa/X/;
let $r2= /bbb/Y/ /ccc/Z/;
--replace_regex $r1
select 'aaa bbb ccc';
--replace_regex $r2
select 'aaa bbb ccc';
--replace_regex $r1 /bbb/Q/
select 'aaa bbb ccc';
--replace_regex /bbb/Q/ $r1
select 'aaa bbb ccc';
--replace_regex /aaa/X/ $r2 /Z/zz/
select 'aaa bbb ccc';
--replace_regex $r1$r2
select 'aaa bbb ccc';
--replace_regex $r1/bbb/Q/
select 'aaa bbb ccc';
--replace_regex $R1   /bbb/spaces/
select 'aaa bbb ccc';
--replace_regex $nosuch /aaa/X/
select 'aaa bbb ccc';
--replace_regex $r1i /bbb/Y/
select 'aaa bbb';
--replace_regex /c$/END/
select 'aaa bbb ccc';
--replace_regex /a$r1/Q/
select 'a$r1 aaa';
--replace_regex /bbb/$r1/
select 'aaa bbb ccc';
let $r3= (aaa)[T];
--replace_regex $r3 {bbb}<U>
select 'aaa bbb ccc';
let $r4= /ccc/W/ \$r1 /X/V/;
--echo $r4
--replace_regex $r4 /bbb/B/
select 'aaa bbb ccc';
let $1= /aaa/R/;
--replace_regex $1/b/c/
select 'aaa b';
--replace_regex /A/b/i#c#d# /e/f/
select 'a c e';
let $e=;
--replace_regex $e
select 'aaa';
--replace_regex
select 'aaa';
--replace_regex ··
select 'aaa';
--replace_regex $r1··
select 'aaa';
"""


@needs_reference
def test_replace_regex_variables_as_the_reference(bench: Bench) -> None:
    assert_same_result(bench, REPLACE_REGEX_VARIABLES)


@needs_reference
@pytest.mark.parametrize(
    "text",
    [
        "let $e=;\nselect 1;\n--replace_regex $e··\nselect 'aaa';\n",  # blanks, no item yet
        "let $r= /aaa/X;\nselect 1;\n--replace_regex $r /b/c/\nselect 'aaa';\n",  # the value's text
        "select 1;\n--replace_regex /a/X/g /b/c/\nselect 'aaa';\n",
    ],
    ids=["empty_then_blanks", "bad_value", "g_flag"],
)
def test_replace_regex_errors_as_the_reference(bench: Bench, text: str) -> None:
    assert_same_failure(bench, text.replace("·", " "))


# -- blank lines after --error ----------------------------------------------------------------------

ERROR_THEN_BLANK_LINES = {
    # rpl_semi_sync_slave_enabled_basic's end: --error, two blank lines, comments, a statement.
    "two_blank_lines_then_comments": "--error 1146\n\n\n#\n# c\n#\nselect 1;\nselect 'end';\n",
    "delimited_error_then_one": "error 1146;\n\nselect 1;\nselect 'end';\n",
    "delimited_error_blanks_then_one": "error 1146;  \n\nselect 1;\nselect 'end';\n",
    "blanks_on_the_first": "--error 1146\n  \n\nselect 1;\nselect 'end';\n",
    "tab_on_the_first": "--error 1146\n\t\n\nselect 1;\nselect 'end';\n",
    "after_a_comment": "--error 1146\n# c\n\n\nselect 1;\nselect 'end';\n",
    "in_a_block": "let $x=1;\nif ($x)\n{\n  --error 1146\n\n\n  select 1;\n}\nselect 'end';\n",
    "one_blank_line_keeps_it": "--error 1146\n\nselect * from nosuch;\nselect 'end';\n",
}

ERROR_THEN_BLANK_LINES_FAILS = {
    # The --error is gone: the statement's error is unexpected.
    "two_blank_lines_then_the_error": "--error 1146\n\n\nselect * from nosuch;\nselect 'end';\n",
    # The --error still holds: the statement that succeeds should have failed.
    "blanks_on_the_second": "--error 1146\n\n  \nselect 1;\nselect 'end';\n",
    "comment_after_the_delimiter": "error 1146; # c\n\nselect 1;\nselect 'end';\n",
    "comment_between": "--error 1146\n\n# x\n\nselect 1;\nselect 'end';\n",
}


@needs_reference
@pytest.mark.parametrize("name", list(ERROR_THEN_BLANK_LINES))
def test_blank_lines_after_error_as_the_reference(bench: Bench, name: str) -> None:
    assert_same_result(bench, ERROR_THEN_BLANK_LINES[name])


@needs_reference
@pytest.mark.parametrize("name", list(ERROR_THEN_BLANK_LINES_FAILS))
def test_blank_lines_that_keep_the_error_as_the_reference(bench: Bench, name: str) -> None:
    assert_same_failure(bench, ERROR_THEN_BLANK_LINES_FAILS[name])


# -- connect without a database and the session state it shows --------------------------------------

CONNECT_SESSION_STATE = """--enable_session_track_info
connect (c1,localhost,root);
select 1;
select 2;
select database();
connect (c2,localhost,root,,test);
select 3;
connect (c3,localhost,root,,);
select 4;
connect (c4,localhost,root,,mysql);
select 5;
connect (c5,localhost,root,,*NO-ONE*);
select 6;
connection default;
disconnect c1;
disconnect c2;
disconnect c3;
disconnect c4;
disconnect c5;
select 7;
"""


@needs_reference
def test_connect_without_a_database_as_the_reference(bench: Bench) -> None:
    assert_same_result(bench, CONNECT_SESSION_STATE)


def params(address: ServerAddress, database: str = "test") -> ConnectParams:
    return ConnectParams(
        host="localhost", user=address.user, password=address.password, database=database,
        port=address.port, socket=address.socket, select_database=True,
    )


@pytest.fixture
def selected(server_address: ServerAddress) -> Iterator[PyConnection]:
    connection = PyConnection(params(server_address))
    yield connection
    connection.close()


def test_selected_database_is_in_use(selected: PyConnection) -> None:
    assert selected.execute("select database()").results[0].rows == [("test",)]


def test_selecting_does_not_replace_the_logins_session_state(selected: PyConnection) -> None:
    # The login named no schema; the INIT_DB's OK (which does) is not a statement's.
    assert selected.execute("select 1").results[0].session_track == ()
    assert selected.execute("use test").results[0].session_track == ((1, ("test",)),)


def test_a_database_that_cannot_be_selected_leaves_none(server_address: ServerAddress) -> None:
    connection = PyConnection(params(server_address, "no_such_database"))
    try:
        assert connection.execute("select database()").results[0].rows == [(None,)]
    finally:
        connection.close()


@pytest.mark.skipif(not HAVE_CEXT, reason="the C extension is not available")
def test_the_c_path_logs_in_with_the_database(server_address: ServerAddress) -> None:
    connection = CConnection(params(server_address))
    try:
        assert connection.execute("select database()").results[0].rows == [("test",)]
    finally:
        connection.close()
