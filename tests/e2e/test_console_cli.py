"""The console as a user sees it: the live progress line on a terminal (and none into a pipe),
--color and NO_COLOR, the server banner, and -? for help as the MySQL clients have it."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import time
from pathlib import Path

import pytest

from runner.server.embedded import EmbeddedServer
from tests.conftest import run_tidbrun, server_args, tidbrun_command, write
from tests.e2e.faults_helpers import environment

pytestmark = pytest.mark.e2e

COLOR = re.compile(r"\x1b\[(?:3|9)\dm")  # a foreground colour (cursor moves are other codes)


def suite(root: Path) -> Path:
    folder = root / "con"
    for name in ("a", "b", "c"):
        write(folder / "t" / f"{name}.test", f"select sleep(0.3) as {name};\n")
        write(folder / "r" / f"{name}.result", f"select sleep(0.3) as {name};\n{name}\n0\n")
    write(folder / "t" / "d.test", "select 1 as d;\n")
    write(folder / "r" / "d.result", "select 1 as d;\nd\n2\n")
    return folder


def on_terminal(args: list[str], timeout: float = 120, **env: str) -> tuple[int, str]:
    """tidbrun with a pseudo-terminal as its stdout and stderr, as a user types it."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: becomes tidbrun
        os.execve(tidbrun_command()[0], [*tidbrun_command(), *args], environment(COLUMNS="120", **env))
    output = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), output.decode("utf-8", errors="replace")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_terminal_gets_a_live_progress_line(tmp_path: Path, embedded_server: EmbeddedServer, jobs: str) -> None:
    folder = suite(tmp_path)
    # -j 2 starts a server per worker; -j 1 runs on the shared one.
    where = [] if jobs == "2" else server_args(embedded_server)
    code, text = on_terminal(["--force", "-j", jobs, str(folder), *where])
    assert code == 1, text
    assert re.search(r"\b[0-3]/4 .*%.*ETA .*\d failed", text), text
    assert "4/4" in text and "1 failed" in text
    assert "con.d " in text and "3 passed, 1 failed" in text
    assert COLOR.search(text), text  # a terminal is painted
    assert "Traceback" not in text


def test_no_color_and_color_never_paint_nothing(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    folder = suite(tmp_path)
    code, text = on_terminal(["--force", str(folder), *server_args(embedded_server)], NO_COLOR="1")
    assert code == 1 and "ETA" in text, text  # still the progress line, in no colour
    assert not COLOR.search(text), text
    code, text = on_terminal(["--force", "--color", "never", str(folder), *server_args(embedded_server)])
    assert code == 1 and not COLOR.search(text), text


def test_a_pipe_gets_plain_lines_unless_colour_is_forced(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    folder = suite(tmp_path)
    plain = run_tidbrun("--force", folder, *server_args(embedded_server))
    assert plain.returncode == 1
    assert "\x1b" not in plain.stdout and "ETA" not in plain.stdout
    forced = run_tidbrun("--force", "--color", "always", folder, *server_args(embedded_server))
    assert "\x1b[31mfail\x1b[0m" in forced.stdout and "ETA" not in forced.stdout
    wrong = run_tidbrun("--color", "sometimes", folder)
    assert wrong.returncode == 2 and "--color 'sometimes': must be one of auto, always, never" in wrong.stderr


def test_the_banner_comes_first(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    folder = suite(tmp_path)
    run = run_tidbrun(folder / "t" / "a.test", "--vardir", tmp_path / "var", *server_args(embedded_server))
    assert run.returncode == 0, run.output
    first = run.stdout.splitlines()[0]
    address = embedded_server.address
    assert re.fullmatch(rf"server: mariadb 10\.\S+, named at root@localhost:{re.escape(str(address.socket))}; "
                        rf"vardir {re.escape(str(tmp_path / 'var'))}", first), first


def test_question_mark_is_help_and_h_is_the_host() -> None:
    run = run_tidbrun("-?")
    assert run.returncode == 0 and "--host" in run.stdout and "-h, --host" in run.stdout
    for short in ("-P, --port", "-u, --user", "-S, --socket"):
        assert short in run.stdout
    proc = subprocess.run([*tidbrun_command(), "-h"], env=environment(), capture_output=True, text=True, check=False)
    assert proc.returncode == 2 and "requires an argument" in proc.stderr  # -h takes a host, as in mysql
