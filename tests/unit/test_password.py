"""Where the password comes from, and keeping it off the command line others can see."""

from __future__ import annotations

import subprocess
import sys

from runner.config.credentials.password import choose, split_short_option
from runner.config.credentials.proctitle import password_spans


def test_priority() -> None:
    def ask(prompt: str) -> str:
        return "typed"

    env = {"TIDB_PASSWORD": "env"}
    assert choose(option="cli", ask=False, environ=env, file_password="file").source == "--password"
    assert choose(option=None, ask=True, environ=env, file_password="file", prompt=ask).value == "typed"
    assert choose(option=None, ask=False, environ=env, file_password="file").value == "env"
    chosen = choose(option=None, ask=False, environ={}, file_password="file", file_name="t.toml")
    assert (chosen.value, chosen.source) == ("file", "config file t.toml")
    nothing = choose(option=None, ask=False, environ={}, file_password=None)
    assert (nothing.value, nothing.source, nothing.given) == ("", "none", False)
    assert "cli" not in repr(choose(option="cli", ask=False, environ={}, file_password=None))


def test_dash_p_alone_asks_and_attached_gives_the_value() -> None:
    assert split_short_option(["-p", "t/x.test"]) == ["--ask-password", "t/x.test"]
    assert split_short_option(["-psecret", "t"]) == ["--password=secret", "t"]
    assert split_short_option(["--password", "a", "-v"]) == ["--password", "a", "-v"]
    assert split_short_option(["--", "-p"]) == ["--", "-p"]


def test_password_spans_cover_every_form() -> None:
    args = [b"python", b"tidbrun", b"--password", b"s1", b"--password=s2", b"-ps3", b"-v", b"t"]
    joined = b"\0".join(args)
    assert sorted(joined[start : start + length] for start, length in password_spans(args)) == [b"s1", b"s2", b"s3"]


def test_the_process_title_loses_the_password() -> None:
    code = (
        "import sys; from runner.config.credentials.proctitle import hide_password; "
        "assert hide_password(); sys.stdout.buffer.write(open('/proc/self/cmdline','rb').read())"
    )
    out = subprocess.run([sys.executable, "-c", code, "--password", "Zorglub-77", "-pAlsoSecret", "x"],
                         capture_output=True, check=True).stdout
    assert b"Zorglub-77" not in out and b"AlsoSecret" not in out
    assert b"--password\0xxxxxxxxxx\0-pxxxxxxxxxx\0x" in out


def test_mysql_pwd_comes_below_tidbs_own_sources() -> None:
    both = {"TIDB_PASSWORD": "tidb", "MYSQL_PWD": "mysql"}
    assert choose(option=None, ask=False, environ=both, file_password=None).value == "tidb"
    # As the MySQL clients read it: below their option files (here, the config file).
    assert choose(option=None, ask=False, environ={"MYSQL_PWD": "m"}, file_password="file").value == "file"
    chosen = choose(option=None, ask=False, environ={"MYSQL_PWD": "m"}, file_password=None)
    assert (chosen.value, chosen.source) == ("m", "MYSQL_PWD")
    assert choose(option="cli", ask=False, environ={"MYSQL_PWD": "m"}, file_password=None).value == "cli"


def test_the_mysql_clients_short_options_are_left_to_the_parser() -> None:
    argv = ["-h", "127.0.0.1", "-P3306", "-u", "root", "-S", "/s.sock", "-psecret", "-?"]
    assert split_short_option(argv) == ["-h", "127.0.0.1", "-P3306", "-u", "root", "-S", "/s.sock",
                                        "--password=secret", "-?"]
