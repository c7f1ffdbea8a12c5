"""MariaDB's ed25519 accounts, logged into through tidbrun's driver on a private server.

The C library has no ``client_ed25519``: the driver falls back to the pure-Python protocol, where
runner.sessions.auth_plugins signs the server's nonce.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from runner.server.embedded import EmbeddedServer
from runner.sessions.auth_plugins import ed25519_password
from runner.sessions.driver import ConnectError, Connection, ConnectParams, connect

pytestmark = pytest.mark.integration

ER_ACCESS_DENIED_ERROR = 1045


def params(
    server: EmbeddedServer, user: str, password: str, *, tcp: bool = False, python: bool = False
) -> ConnectParams:
    address = server.address
    return ConnectParams(
        host="127.0.0.1" if tcp else "localhost",
        user=user,
        password=password,
        port=address.port,
        socket=None if tcp else address.socket,
        database="test",
        python_protocol=python,
    )


def value(conn: Connection, sql: str) -> object:
    outcome = conn.execute(sql)
    assert outcome.error is None, outcome.error
    return outcome.results[0].rows[0][0]


@pytest.fixture
def root(private_server: EmbeddedServer) -> Iterator[Connection]:
    """A root connection to a server with the ed25519 plugin and its ED25519_PASSWORD() function."""
    address = private_server.address
    conn = connect(params(private_server, address.user, address.password))
    for sql in ("INSTALL SONAME 'auth_ed25519'",
                "CREATE FUNCTION ed25519_password RETURNS STRING SONAME 'auth_ed25519.so'"):
        assert conn.execute(sql).error is None
    try:
        yield conn
    finally:
        conn.close()


def test_the_stored_password_is_the_servers_ed25519_password(root: Connection) -> None:
    for password in ("secret", "", "foo bar", "p" * 100, "\t*!'\\"):
        quoted = password.replace("\\", "\\\\").replace("'", "\\'")
        assert value(root, f"SELECT ed25519_password('{quoted}')") == ed25519_password(password.encode())


def test_an_ed25519_account_logs_in_with_its_password(private_server: EmbeddedServer, root: Connection) -> None:
    root.execute("CREATE USER test1@'%' IDENTIFIED VIA ed25519 USING PASSWORD('secret')")
    root.execute("CREATE USER test1@localhost IDENTIFIED VIA ed25519 USING PASSWORD('secret')")
    root.execute("GRANT ALL ON test.* TO test1@'%', test1@localhost")
    for tcp in (False, True):
        conn = connect(params(private_server, "test1", "secret", tcp=tcp))
        try:
            assert str(value(conn, "SELECT current_user()")).startswith("test1@")
        finally:
            conn.close()


def test_a_wrong_password_is_refused_by_the_server(private_server: EmbeddedServer, root: Connection) -> None:
    root.execute("CREATE USER test1@localhost IDENTIFIED VIA ed25519 USING PASSWORD('secret')")
    for wrong in ("public", ""):
        with pytest.raises(ConnectError) as raised:
            connect(params(private_server, "test1", wrong))
        error = raised.value.error
        assert (error.errno, error.sqlstate) == (ER_ACCESS_DENIED_ERROR, "28000")
        assert "Access denied for user 'test1'@'localhost'" in error.message


def test_an_empty_password_is_signed_too(private_server: EmbeddedServer, root: Connection) -> None:
    # PASSWORD('') stores an empty string, which refuses every login (mariadb's client's too); the
    # key of the empty password lets the empty password in.
    root.execute(f"CREATE USER test1@localhost IDENTIFIED VIA ed25519 USING '{ed25519_password(b'')}'")
    root.execute("CREATE USER test2@localhost IDENTIFIED VIA ed25519 USING PASSWORD('')")
    root.execute("GRANT SELECT ON test.* TO test1@localhost, test2@localhost")
    conn = connect(params(private_server, "test1", ""))
    try:
        assert value(conn, "SELECT current_user()") == "test1@localhost"
    finally:
        conn.close()
    with pytest.raises(ConnectError) as raised:
        connect(params(private_server, "test2", ""))
    assert raised.value.error.errno == ER_ACCESS_DENIED_ERROR


def test_change_user_to_an_ed25519_account(private_server: EmbeddedServer, root: Connection) -> None:
    root.execute("CREATE USER test1@localhost IDENTIFIED VIA ed25519 USING PASSWORD('secret')")
    address = private_server.address
    refused = connect(params(private_server, address.user, address.password, python=True))
    try:
        with pytest.raises(ConnectError) as raised:
            refused.change_user("test1", "wrong", "")
        assert raised.value.error.errno == ER_ACCESS_DENIED_ERROR
    finally:
        refused.close()
    conn = connect(params(private_server, address.user, address.password, python=True))
    try:
        conn.change_user("test1", "secret", "")
        assert value(conn, "SELECT current_user()") == "test1@localhost"
    finally:
        conn.close()
