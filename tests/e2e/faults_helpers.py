"""Starting tidbrun in the background, and finding the server it started."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

from tests.conftest import REPO, SCRUBBED_ENV, tidbrun_command


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(SCRUBBED_ENV) and k != "TIDBRUN_DEBUG"}
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(extra)
    return env


def start_tidbrun(*args: str | Path, cwd: Path | None = None, **extra_env: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*tidbrun_command(), *map(str, args)],
        cwd=cwd,
        env=environment(**extra_env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def children_named(pid: int, name: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        if ppid == pid and comm == name:
            found.append(int(entry.name))
    return found


def wait_for_child(pid: int, names: tuple[str, ...] = ("mariadbd", "mysqld", "tidb-server"), timeout: float = 60
                   ) -> int:
    """The server tidbrun started (not the short ``mariadbd --help`` runs it reads variables with)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name in names:
            for child in children_named(pid, name):
                try:
                    argv = Path(f"/proc/{child}/cmdline").read_bytes()
                except OSError:
                    continue
                if b"--defaults-group-suffix" in argv or b"-store\0" in argv:
                    return child
        time.sleep(0.02)
    raise AssertionError(f"no server started by {pid}")


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def read_lines_until(stream: object, wanted: str, timeout: float) -> list[str]:
    """Lines of a tidbrun's stdout up to the first one holding ``wanted``."""
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        raw = stream.readline()  # type: ignore[attr-defined]
        if not raw:
            break
        line = raw.decode("latin-1")
        lines.append(line)
        if wanted in line:
            return lines
    raise AssertionError(f"{wanted!r} never appeared in: {''.join(lines)}")
