"""Cutting a connection's socket from another thread, for a statement the server will not end.

``KILL QUERY`` and ``KILL CONNECTION`` stop almost every statement, but not all: a TiDB DDL
statement waits for its DDL job, and a kill does not end that wait (a broken DDL framework leaves it
waiting for good). The driver then waits on the socket forever. Shutting the socket down under it
makes the driver's read return at once ("Lost connection"), so tidbrun's statement limits hold.

The C extension does not expose its socket, so the connection remembers which file descriptor
appeared, with the server as its peer, while it connected (Linux's /proc/self/fd).
"""

from __future__ import annotations

import contextlib
import os
import socket

_FD_DIR = "/proc/self/fd"


def socket_fds() -> frozenset[int]:
    """The process's open socket file descriptors (empty where /proc is not there)."""
    found: set[int] = set()
    try:
        names = os.listdir(_FD_DIR)
    except OSError:
        return frozenset()
    for name in names:
        with contextlib.suppress(OSError, ValueError):
            if os.readlink(f"{_FD_DIR}/{name}").startswith("socket:"):
                found.add(int(name))
    return frozenset(found)


def connection_fd(new_fds: frozenset[int], *, port: int | None, path: str | None) -> int | None:
    """The one descriptor among ``new_fds`` whose peer is the server (``port`` over TCP, ``path``
    for a unix socket); None when there is not exactly one (another thread connected meanwhile)."""
    matches = [fd for fd in new_fds if _peer_matches(fd, port, path)]
    return matches[0] if len(matches) == 1 else None


def _peer_matches(fd: int, port: int | None, path: str | None) -> bool:
    try:
        with socket.socket(fileno=os.dup(fd)) as sock:
            peer = sock.getpeername()
    except OSError:
        return False
    if isinstance(peer, tuple):
        return port is not None and peer[1] == port
    if isinstance(peer, bytes):
        peer = peer.decode(errors="replace")
    return path is not None and peer == path


def cut(fd: int) -> bool:
    """Shut the socket down for reading and writing; True when it was done."""
    try:
        with socket.socket(fileno=os.dup(fd)) as sock:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        return False
    return True
