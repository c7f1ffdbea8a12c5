"""Administrative connections: their parameters and their one exception class."""

from __future__ import annotations

from pathlib import Path

from runner.faults.classify import PERMANENT, TRANSIENT, classify_exception, error_fields
from runner.server.address import ServerAddress
from runner.server.connect import ATTEMPT_LIMIT, CHARSET, AdminError, connect_params, text
from runner.sessions.driver import ServerError


def _address(socket: str | None) -> ServerAddress:
    return ServerAddress(host="127.0.0.1", port=3307, socket=socket, user="root", password="pw")


def test_socket_when_its_file_exists(tmp_path: Path) -> None:
    sock = tmp_path / "mysqld.sock"
    sock.touch()
    params = connect_params(_address(str(sock)), database="test")
    assert params.uses_socket()
    assert (params.socket, params.database, params.charset) == (str(sock), "test", CHARSET)


def test_tcp_when_the_socket_file_is_missing(tmp_path: Path) -> None:
    params = connect_params(_address(str(tmp_path / "gone.sock")))
    assert not params.uses_socket()
    assert (params.host, params.port, params.socket) == ("127.0.0.1", 3307, None)


def test_timeouts_without_and_with_an_attempt_limit() -> None:
    params = connect_params(_address(None), connect_timeout=2.5)
    assert (params.connect_timeout, params.read_timeout, params.write_timeout) == (2, 0, 0)
    token = ATTEMPT_LIMIT.set(3.9)
    try:
        params = connect_params(_address(None), connect_timeout=10)
        limited_connect = connect_params(_address(None), connect_timeout=1)
    finally:
        ATTEMPT_LIMIT.reset(token)
    assert (params.connect_timeout, params.read_timeout, params.write_timeout) == (3, 3, 3)
    assert limited_connect.connect_timeout == 1


def test_a_limit_below_a_second_still_gives_a_timeout() -> None:
    token = ATTEMPT_LIMIT.set(0.2)
    try:
        params = connect_params(_address(None))
    finally:
        ATTEMPT_LIMIT.reset(token)
    assert (params.connect_timeout, params.read_timeout, params.write_timeout) == (1, 1, 1)


def test_admin_errors_are_classified_for_retries_and_the_breaker() -> None:
    lost = AdminError(2013, "HY000", "Lost connection to server during query")
    denied = AdminError(1045, "28000", "Access denied for user 'root'@'localhost'")
    assert classify_exception(lost) == TRANSIENT
    assert classify_exception(denied) == PERMANENT
    assert error_fields(denied) == (1045, "28000", "Access denied for user 'root'@'localhost'")
    # Wrapped, as HygieneError wraps it.
    try:
        try:
            raise lost
        except AdminError as exc:
            raise RuntimeError("cleaning failed") from exc
    except RuntimeError as outer:
        assert classify_exception(outer) == TRANSIENT


def test_messages_and_values_come_back_as_text() -> None:
    # The driver carries bytes as latin-1 text; an administrative connection reads them as UTF-8.
    wire = "Unknown database 'база'".encode().decode("latin-1")
    error = AdminError.of(ServerError(1049, "42000", wire))
    assert (error.errno, error.sqlstate, error.msg) == (1049, "42000", "Unknown database 'база'")
    assert str(error) == "1049 (42000): Unknown database 'база'"
    assert text("\xff") == "\ufffd"  # not UTF-8: replaced, as the old driver path decoded it
