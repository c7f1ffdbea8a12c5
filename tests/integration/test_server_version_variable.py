"""``$mysql_get_server_version`` and ``$CURRENT_CONNECTION`` follow the current connection, as
mysqltest's set_current_connection and close_connection set them — against the reference."""

from __future__ import annotations

from runner.sessions.driver import server_version_number
from tests.integration.test_interpreter import Bench, assert_same_result, bench, environment, needs_reference

__all__ = ["bench", "environment"]  # the fixtures the cases need, from the interpreter's tests


def test_the_number_is_libmariadbs() -> None:
    assert server_version_number("10.11.19-MariaDB-0+deb12u1-log") == 101119
    assert server_version_number("5.5.5-10.11.19-MariaDB") == 101119
    assert server_version_number("8.0.11-TiDB-v7.5.0") == 80011
    assert server_version_number("unknown") == 0


@needs_reference
def test_same_result_as_the_reference(bench: Bench) -> None:
    assert_same_result(
        bench,
        "--echo $mysql_get_server_version\nconnect (c1,localhost,root,,);\n"
        "--echo $mysql_get_server_version $CURRENT_CONNECTION\ndisconnect c1;\n"
        "--echo $mysql_get_server_version $CURRENT_CONNECTION\nconnection default;\n"
        "--echo $mysql_get_server_version\n",
    )
