"""Client-side choices of runner.sessions.driver and runner.sessions.client_options that need no server."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from runner.sessions import driver
from runner.sessions.client_options import SslFiles, ssl_files
from runner.sessions.driver import ConnectError, ConnectParams


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_ssl_files_come_from_the_mysqltest_group(tmp_path: Path) -> None:
    cnf = tmp_path / "my.cnf"
    cnf.write_text(
        "[mysqld]\nssl-ca=/server/ca.pem\n"
        "[mysqltest]\nloose-ssl-ca=/std/cacert.pem\nloose-ssl-cert=/std/client-cert.pem\n"
        "loose_ssl_key=/std/client-key.pem\nloose-skip-ssl\n"
        "[client]\nuser=root\n"
    )
    assert ssl_files(cnf) == SslFiles(ca="/std/cacert.pem", cert="/std/client-cert.pem", key="/std/client-key.pem")


def test_the_last_group_read_wins_and_a_missing_file_gives_nothing(tmp_path: Path) -> None:
    cnf = tmp_path / "my.cnf"
    cnf.write_text("[mysqltest]\nssl-cipher=AES128-SHA\n[client]\nssl-cipher=AES256-SHA\n")
    assert ssl_files(cnf).cipher == "AES256-SHA"
    cnf.write_text("[mysqltest]\nssl-cipher=DHE-RSA-AES256-SHA\n")
    assert ssl_files(cnf).cipher == "DHE-RSA-AES256-SHA"  # re-read once the file changes
    assert ssl_files(tmp_path / "none.cnf") == SslFiles()


def test_names_are_sent_as_the_test_files_bytes() -> None:
    # tidbrun's text is latin-1 (a character a byte); the drivers encode UTF-8: U+0178 written
    # in UTF-8 (c5 b8) is the text "\xc5\xb8".
    assert driver._wire_text("\xc5\xb8") == "\u0178"
    assert driver._wire_text("plain") == "plain"
    # Bytes that are not UTF-8 cannot be sent as they are; the text is left alone.
    assert driver._wire_text("\xe9t\xe9") == "\xe9t\xe9"


def test_user_names_libmysqlclient_would_cut_go_to_the_python_protocol() -> None:
    assert driver._c_library_takes("u" * 96)
    assert not driver._c_library_takes("O" + "1234567890" * 12 + "1234567x")


@pytest.mark.skipif(not driver.HAVE_CEXT, reason="the C extension is not available")
def test_ssl_to_localhost_fails_like_the_socket_connection_libmariadb_makes(tmp_path: Path) -> None:
    params = ConnectParams(
        host="localhost", user="root", port=closed_port(), socket=str(tmp_path / "gone.sock"), ssl=True
    )
    assert params.socket_replaced_by_tcp() and not params.uses_socket()
    with pytest.raises(ConnectError) as raised:
        driver.connect(params)
    assert raised.value.error.errno == 2002
    assert raised.value.error.message == f"Can't connect to local server through socket '{params.socket}' (2)"


def test_a_refused_tcp_connection_is_2002_as_with_libmariadb() -> None:
    # mariadb-test: connect (c,127.0.0.1,root,,test,<closed port>) gives errno=2002, and
    # include/wait_until_connected_again.inc waits for a restarting server on 2002 alone.
    params = ConnectParams(host="127.0.0.1", user="root", port=closed_port(), ssl=True)
    with pytest.raises(ConnectError) as raised:
        driver.connect(params)
    assert raised.value.error.errno == 2002
