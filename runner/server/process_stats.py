"""A local process's memory (RSS) and CPU time from /proc, and which process serves an address.

Linux only: elsewhere (or for a server on another machine) ``find_server_pid`` gives None and
callers report the figures as unknown instead of guessing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_LISTEN = "0A"  # TCP_LISTEN in /proc/net/tcp's st column
_LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1", "0.0.0.0", "::", ""})


@dataclass(frozen=True, slots=True)
class ProcessSample:
    rss_bytes: int
    cpu_seconds: float  # user + system, all threads, since the process started


def sample(pid: int) -> ProcessSample | None:
    """The process's RSS and CPU time now; None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read().decode("latin-1")
        with open(f"/proc/{pid}/statm", "rb") as handle:
            statm = handle.read().split()
    except OSError:
        return None
    # The command name (field 2) may hold blanks and parentheses: fields count from the last ')'.
    fields = stat[stat.rfind(")") + 2 :].split()
    utime, stime = int(fields[11]), int(fields[12])
    return ProcessSample(rss_bytes=int(statm[1]) * _PAGE, cpu_seconds=(utime + stime) / _TICKS)


def is_local(host: str | None) -> bool:
    return host is None or host in _LOOPBACK_NAMES or host.startswith("127.")


def find_server_pid(*, port: int | None = None, socket_path: str | None = None) -> int | None:
    """The pid of the local process listening on TCP ``port`` or on the unix socket ``socket_path``
    (through the socket's inode in /proc/net and the processes' open descriptors); None when no
    readable process holds it (not ours to read, or not on this machine)."""
    inodes: set[str] = set()
    if port is not None:
        inodes |= _tcp_listeners(port)
    if socket_path is not None:
        inodes |= _unix_listeners(socket_path)
    if not inodes:
        return None
    targets = {f"socket:[{inode}]" for inode in inodes}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            for fd in (entry / "fd").iterdir():
                if os.readlink(fd) in targets:
                    return int(entry.name)
        except OSError:  # gone meanwhile, or another user's
            continue
    return None


def _tcp_listeners(port: int) -> set[str]:
    wanted = f"{port:04X}"
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text(encoding="ascii").splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            columns = line.split()
            if len(columns) > 9 and columns[3] == _LISTEN and columns[1].rsplit(":", 1)[1] == wanted:
                found.add(columns[9])
    return found


def _unix_listeners(path: str) -> set[str]:
    try:
        lines = Path("/proc/net/unix").read_text(encoding="latin-1").splitlines()[1:]
    except OSError:
        return set()
    return {columns[6] for columns in (line.split() for line in lines) if len(columns) > 7 and columns[7] == path}
