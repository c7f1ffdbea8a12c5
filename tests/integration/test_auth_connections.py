"""Logins the C library cannot do, compared with the reference mysqltest on the same server.

The accounts use the server plugins MariaDB's tests use (mysql_old_password, test_plugin_server,
cleartext_plugin_server, three_attempts): the reference answers them with libmariadb's client
plugins, tidbrun with its own (runner.sessions.auth_plugins) on the pure-Python protocol. Each case runs
through tidbrun and through ``mariadb-test --record`` and both results must be the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from runner.server.connect import open_connection
from runner.server.embedded import EmbeddedServer
from tests.integration.test_interpreter import Bench, assert_same_result, environment, needs_reference

pytestmark = [pytest.mark.integration, needs_reference]

__all__ = ["environment"]  # the fixture the bench below needs, from the interpreter's tests

SONAMES = ("auth_test_plugin", "dialog_examples")


@pytest.fixture(scope="module")
def auth_server(embedded_server: EmbeddedServer) -> Iterator[EmbeddedServer]:
    """The session's server with the example authentication plugins and old passwords allowed;
    put back as it was afterwards."""
    conn = open_connection(embedded_server.address)
    try:
        libraries = conn.query_rows("SELECT PLUGIN_LIBRARY FROM INFORMATION_SCHEMA.PLUGINS")
        installed = {str(row[0]) for row in libraries if row[0] is not None}
        added = [name for name in SONAMES if f"{name}.so" not in installed]
        for name in added:
            conn.execute(f"INSTALL SONAME '{name}'")
        secure_auth = conn.query_rows("SELECT @@GLOBAL.secure_auth")[0][0]
        conn.execute("SET GLOBAL secure_auth=0")
    finally:
        conn.close()
    try:
        yield embedded_server
    finally:
        conn = open_connection(embedded_server.address)
        try:
            conn.execute(f"SET GLOBAL secure_auth={int(secure_auth)}")
            for name in added:
                conn.execute(f"UNINSTALL SONAME '{name}'")
        finally:
            conn.close()


@pytest.fixture
def bench(auth_server: EmbeddedServer, environment: dict[str, str], tmp_path: Path) -> Bench:
    return Bench(auth_server, environment, tmp_path)


OLD_PASSWORD = """\
create user oldauth@localhost identified with 'mysql_old_password' using '378b243e220ca493';
grant select on test.* to oldauth@localhost;
connect (con,localhost,oldauth,test,);
select current_user();
disconnect con;
connection default;
--error ER_ACCESS_DENIED_ERROR
connect (con,localhost,oldauth,wrong,);
--error ER_ACCESS_DENIED_ERROR
connect (con,localhost,oldauth,,);
connect (con,localhost,root,,);
change_user oldauth,test;
select current_user();
--error ER_BAD_FIELD_ERROR
select no_such_column;
--error ER_ACCESS_DENIED_ERROR
change_user oldauth,wrong;
echo $mysql_errno $mysql_errname;
change_user root;
echo $mysql_errno $mysql_errname;
select current_user();
disconnect con;
connection default;
drop user oldauth@localhost;
"""

PLUGINS = """\
create user plug@localhost identified with test_plugin_server as 'plug_dest';
create user plug_dest@localhost identified by 'plug_dest';
grant proxy on plug_dest@localhost to plug@localhost;
connect (con,localhost,plug,plug_dest,"*NO-ONE*");
select user(), current_user();
disconnect con;
connection default;
--error ER_ACCESS_DENIED_ERROR
connect (con,localhost,plug,bad_credentials,"*NO-ONE*");
create user uplain@localhost identified with cleartext_plugin_server as 'cleartext_test';
connect (con,localhost,uplain,cleartext_test,"*NO-ONE*");
select user(), current_user();
change_user plug,plug_dest;
select user(), current_user();
disconnect con;
connection default;
create user three@localhost identified with three_attempts as 'secret';
connect (con,localhost,three,secret,"*NO-ONE*");
select user(), current_user();
disconnect con;
connection default;
drop user plug@localhost, plug_dest@localhost, uplain@localhost, three@localhost;
"""

# The name is written in UTF-8 and sent byte for byte, through a latin1 connection both times.
NAMES = """\
create user `\xc5\xb8`@localhost identified by 'pw';
connect (con,localhost,\xc5\xb8,pw,"*NO-ONE*");
select user(), hex(user());
disconnect con;
connection default;
create user 'O{digits}'@localhost;
connect (con,localhost,O{digits}x,,"*NO-ONE*");
select current_user();
disconnect con;
connection default;
""".format(digits="1234567890" * 12 + "1234567")

FAILED_CHANGE_USER = """\
connect (con,localhost,root,,);
--error ER_ACCESS_DENIED_ERROR
change_user foo,bar;
--error ER_ACCESS_DENIED_ERROR
change_user foo;
change_user;
--error ER_ACCESS_DENIED_ERROR
change_user foo,bar;
--error ER_UNKNOWN_COM_ERROR
change_user foo,bar;
select current_user();
disconnect con;
connection default;
"""

SSL = """\
connect (con,localhost,root,,,,,SSL);
show status like 'Ssl_version';
show status like 'Ssl_cipher';
disconnect con;
connect (con,localhost,root,,,,,SSL-CIPHER=AES256-SHA);
show status like 'Ssl_cipher';
disconnect con;
connection default;
"""


@pytest.mark.parametrize(
    "text",
    [OLD_PASSWORD, PLUGINS, NAMES, FAILED_CHANGE_USER, SSL],
    ids=["old-password", "plugins", "names", "failed-change-user", "ssl"],
)
def test_same_result_as_the_reference(bench: Bench, text: str) -> None:
    assert_same_result(bench, text)
