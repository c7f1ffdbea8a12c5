"""The chaos directives' arguments, both readers taking their names for commands, and the tests
that get fault proxies."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.dialects.mysql_tester.reader import parse_tester_text
from runner.engine.directives.chaos import CONNECTION_DIRECTIVES, SERVER_DIRECTIVES, argument_error
from runner.language.parser import parse_text
from runner.language.records import Command
from runner.run.suite import _cuts_connections, _marks_in

ACCEPTED = [
    ("kill_server", ""),
    ("pause_server", "  "),
    ("resume_server", ""),
    ("restart_server", ""),
    ("restart_server", "--max-connections=77 --skip-grant-tables"),
    ("restart_server", "-token-limit=7"),  # tidb-server's single-dash flags
    ("cut_connection", "con1"),
    ("heal_connection", "default"),
    ("delay_connection", "con1 0"),
    ("delay_connection", "con1 250"),
    ("delay_connection", "con1 250ms"),
    ("delay_connection", "con1 60000"),
]

REFUSED = [
    ("kill_server", "now", "kill_server takes no argument, not 'now'"),
    ("resume_server", "all", "resume_server takes no argument, not 'all'"),
    ("restart_server", "--a=1 b=2", "restart_server: 'b=2' is not a server option (options start with -)"),
    ("cut_connection", "", "usage: --cut_connection NAME"),
    ("cut_connection", "con1 con2", "usage: --cut_connection NAME"),
    ("cut_connection", "(con1)", "cut_connection: '(con1)' is not a connection name"),
    ("delay_connection", "con1", "usage: --delay_connection NAME MS"),
    ("delay_connection", "con1 1.5", "delay_connection: '1.5' is not a number of milliseconds"),
    ("delay_connection", "con1 -5", "delay_connection: '-5' is not a number of milliseconds"),
    ("delay_connection", "con1 2s", "delay_connection: '2s' is not a number of milliseconds"),
    ("delay_connection", "con1 60001", "delay_connection: 60001 is more than 60000 ms"),
]


@pytest.mark.parametrize(("name", "argument"), ACCEPTED)
def test_accepted(name: str, argument: str) -> None:
    assert argument_error(name, argument) is None


@pytest.mark.parametrize(("name", "argument", "message"), REFUSED)
def test_refused_with_a_message(name: str, argument: str, message: str) -> None:
    assert argument_error(name, argument) == message


@pytest.mark.parametrize("name", SERVER_DIRECTIVES + CONNECTION_DIRECTIVES)
def test_both_readers_take_the_names_for_commands(name: str) -> None:
    text = f"--{name} x\n"
    for records in (parse_text(text, "x.test").records, parse_tester_text(text, "x.test").records):
        assert len(records) == 1
        command = records[0]
        assert isinstance(command, Command) and command.name == name


def test_a_test_whose_sourced_file_cuts_connections_gets_fault_proxies(tmp_path: Path) -> None:
    (tmp_path / "inc").mkdir()
    (tmp_path / "inc" / "cut.inc").write_text("--cut_connection con1\n")
    test = tmp_path / "a.test"
    test.write_text("connect (con1,localhost,root,,);\n--source inc/cut.inc\n")
    assert _cuts_connections(_marks_in(test, tmp_path, test.read_bytes(), {}))
    plain = tmp_path / "b.test"
    plain.write_text("--enable_info\nSELECT 1;\n")
    assert not _cuts_connections(_marks_in(plain, tmp_path, plain.read_bytes(), {}))
