"""Finding a connection's socket among the process's descriptors, and cutting it from outside."""

from __future__ import annotations

import socket
import threading

from runner.sessions import socket_cut


def test_the_new_connection_is_found_by_its_peer_and_cut() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        before = socket_cut.socket_fds()
        client = socket.create_connection(("127.0.0.1", port))
        accepted, _ = server.accept()
        with client, accepted:
            new = socket_cut.socket_fds() - before
            fd = socket_cut.connection_fd(new, port=port, path=None)
            assert fd == client.fileno()
            got: list[bytes] = []
            reader = threading.Thread(target=lambda: got.append(client.recv(10)))
            reader.start()  # blocked in recv, as a driver waiting for a statement's answer
            assert socket_cut.cut(fd)
            reader.join(timeout=5)
            assert got == [b""]  # the read returned: the connection is closed for it


def test_no_guess_when_two_new_sockets_reach_the_server() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        before = socket_cut.socket_fds()
        one = socket.create_connection(("127.0.0.1", port))
        two = socket.create_connection(("127.0.0.1", port))
        with one, two:
            assert socket_cut.connection_fd(socket_cut.socket_fds() - before, port=port, path=None) is None
            assert socket_cut.connection_fd(socket_cut.socket_fds() - before, port=port + 1, path=None) is None
