"""The password never shows: not in output, logs, reports, rejects, recorded results, the vardir or
the process title. Runs tidbrun as a user with a distinctive password, from each source (command
line, environment, config file, prompt), then searches everything the runs wrote."""

from __future__ import annotations

import os
import pty
import secrets
import select
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from runner.server.embedded import EmbeddedServer
from tests.conftest import CliRun, account_with_password, run_tidbrun, tidbrun_command, write
from tests.e2e.faults_helpers import environment, start_tidbrun

pytestmark = pytest.mark.e2e

USER = "tidbrun_secret"


@pytest.fixture(scope="module")
def password(embedded_server: EmbeddedServer) -> Iterator[str]:
    secret = f"Pw-{secrets.token_hex(8)}-Harpsichord"
    with account_with_password(embedded_server, USER, secret, "GRANT ALL ON *.* TO {account} WITH GRANT OPTION"):
        yield secret




def make_suite(root: Path) -> Path:
    suite = root / "suite"
    write(suite / "t" / "pass.test", "select 1 as x;\n")
    write(suite / "t" / "client_tool.test", '--exec $MYSQL -e "select current_user() as who"\n')
    write(suite / "t" / "mismatch.test", "select 2 as y;\n")
    write(suite / "t" / "sql_error.test", "select * from no_such_table;\n")
    write(suite / "t" / "slow.test", "select sleep(20);\n")
    return suite


def server_options(server: EmbeddedServer) -> list[str]:
    address = server.address
    return ["--socket", str(address.socket), "--port", str(address.port), "--user", USER]


def outputs(root: Path, tag: str) -> list[str]:
    out = root / "out" / tag
    return ["--vardir", str(out / "var"), "--reject-dir", str(out / "rejects"), "--log-file", str(out / "run.log"),
            "--report-file", str(out / "report.json"), "--statement-timeout", "1", "--force"]


def assert_nowhere(secret: str, root: Path, *runs: CliRun | str) -> int:
    """The secret is in no byte a run printed nor in any file under ``root``; returns files searched."""
    needle = secret.encode()
    for run in runs:
        text = run.output if isinstance(run, CliRun) else run
        assert secret not in text, text
    searched = 0
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            searched += 1
            assert needle not in path.read_bytes(), path
    return searched


def test_the_password_never_shows(tmp_path: Path, embedded_server: EmbeddedServer, password: str) -> None:
    suite = make_suite(tmp_path)
    options = server_options(embedded_server)
    # --password on the command line: record the results (the recorded files are searched too)
    recorded = run_tidbrun(suite / "t" / "pass.test", suite / "t" / "client_tool.test", suite / "t" / "mismatch.test",
                           "--record", "--password", password, *options, *outputs(tmp_path, "record"))
    assert recorded.returncode == 0, recorded.output
    assert f"{USER}@localhost" in (suite / "r" / "client_tool.result").read_text()  # $MYSQL logged in (MYSQL_PWD)
    write(suite / "r" / "mismatch.result", "select 2 as y;\ny\n3\n")  # makes a reject
    # the environment
    env_run = run_tidbrun_env({"TIDB_PASSWORD": password}, suite, *options, *outputs(tmp_path, "env"))
    assert env_run.returncode == 1, env_run.output
    assert "2 passed, 3 failed" in env_run.stdout  # mismatch, SQL error, statement timeout
    assert (tmp_path / "out" / "env" / "rejects" / "mismatch.reject").is_file()
    # a config file
    config = write(tmp_path / "tidbrun.toml", f'[server]\nuser = "{USER}"\npassword = "{password}"\n')
    os.chmod(config, 0o600)
    file_run = run_tidbrun(suite, "--config", config, "--socket", str(embedded_server.address.socket),
                           "--port", str(embedded_server.address.port), *outputs(tmp_path, "file"))
    assert file_run.returncode == 1 and "2 passed, 3 failed" in file_run.stdout, file_run.output
    # a wrong password is not shown either
    wrong = f"Wrong-{secrets.token_hex(6)}"
    denied = run_tidbrun(suite, "--password", wrong, "--no-password-prompt", *options, *outputs(tmp_path, "wrong"))
    assert denied.returncode == 2 and "Access denied" in denied.stderr, denied.output
    config.unlink()  # holds the password by design
    searched = assert_nowhere(password, tmp_path, recorded, env_run, file_run, denied)
    assert_nowhere(wrong, tmp_path, denied)
    assert searched >= 10


def run_tidbrun_env(extra: dict[str, str], *args: str | Path) -> CliRun:
    import subprocess

    proc = subprocess.run([*tidbrun_command(), *map(str, args)], env=environment(**extra),
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=120, check=False)
    return CliRun(proc.returncode, proc.stdout.decode("latin-1"), proc.stderr.decode("latin-1"))


def test_the_process_title_hides_a_password_given_on_the_command_line(
    tmp_path: Path, embedded_server: EmbeddedServer, password: str
) -> None:
    test = write(tmp_path / "slow.test", "select 1 as x;\n--sleep 3\n")
    proc = start_tidbrun(test, "--record", "--password", password, *server_options(embedded_server))
    try:
        deadline = time.monotonic() + 30
        title = b""
        while time.monotonic() < deadline:
            title = Path(f"/proc/{proc.pid}/cmdline").read_bytes()
            if b"--password" in title and password.encode() not in title:
                break
            time.sleep(0.02)
        assert b"--password\0" + b"x" * len(password) in title, title
        time.sleep(1)  # and it stays hidden while the test runs
        assert password.encode() not in Path(f"/proc/{proc.pid}/cmdline").read_bytes()
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stdout + stderr


def run_on_terminal(args: list[str], answer: str | None, timeout: float = 60) -> tuple[int, str]:
    """Run tidbrun with a terminal as its stdin/stdout; type ``answer`` at the password prompt."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: tidbrun, on the terminal
        os.execve(tidbrun_command()[0], [*tidbrun_command(), *args], environment())
    output = b""
    answered = False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
            if answer is not None and not answered and b"password" in output.lower() and output.rstrip().endswith(b":"):
                os.write(fd, answer.encode() + b"\n")
                answered = True
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), output.decode("latin-1")


def test_dash_p_asks_without_echo(tmp_path: Path, embedded_server: EmbeddedServer, password: str) -> None:
    test = write(tmp_path / "x.test", "select 1 as x;\n")
    code, text = run_on_terminal([str(test), "--record", "-p", *server_options(embedded_server)], password)
    assert code == 0, text
    assert "Enter password:" in text and password not in text


def test_the_server_asking_for_a_password_prompts_on_a_terminal(tmp_path: Path, embedded_server: EmbeddedServer,
                                                                password: str) -> None:
    test = write(tmp_path / "x.test", "select 1 as x;\n")
    code, text = run_on_terminal([str(test), "--record", *server_options(embedded_server)], password)
    assert code == 0, text
    assert f"Enter password for {USER}@" in text and password not in text
    code, text = run_on_terminal([str(test), "--record", "--no-password-prompt", *server_options(embedded_server)],
                                 None)
    assert code == 2 and "Access denied" in text and "Enter password" not in text, text


def test_mysql_pwd_and_the_mysql_clients_short_options(tmp_path: Path, embedded_server: EmbeddedServer,
                                                       password: str) -> None:
    test = write(tmp_path / "who.test", "select current_user() like 'tidbrun_secret@%' as me;\n")
    write(tmp_path / "who.result", "select current_user() like 'tidbrun_secret@%' as me;\nme\n1\n")
    address = embedded_server.address
    over_tcp = run_tidbrun_env({"MYSQL_PWD": password}, test, "-h", "127.0.0.1", f"-P{address.port}", "-u", USER,
                               "--no-password-prompt")
    assert over_tcp.returncode == 0, over_tcp.output
    assert f"named at {USER}@127.0.0.1:{address.port}" in over_tcp.stdout  # the banner, without the password
    on_socket = run_tidbrun_env({"MYSQL_PWD": password}, test, "-S", str(address.socket), "-u", USER,
                                "--no-password-prompt")
    assert on_socket.returncode == 0, on_socket.output
    # TIDB_PASSWORD is tidbrun's own and goes over MYSQL_PWD: a wrong one is refused.
    refused = run_tidbrun_env({"MYSQL_PWD": password, "TIDB_PASSWORD": "wrong"}, test, "-S", str(address.socket),
                              "-u", USER, "--no-password-prompt")
    assert refused.returncode == 2 and "Access denied" in refused.stderr, refused.output
    assert_nowhere(password, tmp_path, over_tcp, on_socket, refused)
