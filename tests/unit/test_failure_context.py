"""Failure context: where, what, on which connection — and never the password."""

from __future__ import annotations

from runner.faults.context import FailureContext, for_exception, for_test_failure
from runner.language.records import Location
from runner.sessions.driver import ConnectError, ConnectParams, ServerError

SECRET = "pw-that-must-not-show"


def params() -> ConnectParams:
    return ConnectParams(host="db.example", user="ci", password=SECRET, port=4000, database="test")


def test_lines_name_everything_known_and_not_the_password() -> None:
    context = for_exception("suite/t1", ConnectError(ServerError(2003, "HY000", "Can't connect")), params(), 4, 5.02)
    text = "\n".join(context.lines())
    assert "test suite/t1" in text
    assert "ci@db.example:4000" in text
    assert "error 2003 (HY000) [transient]: Can't connect" in text
    assert "attempts 4, elapsed 5.02 s" in text
    assert SECRET not in text and SECRET not in repr(context) and SECRET not in str(context.as_dict())


def test_socket_connections_show_the_socket() -> None:
    socket_params = ConnectParams(host="localhost", user="root", socket="/tmp/s.sock", port=3306)
    context = for_exception("t", ValueError("x"), socket_params, 1, 0.0)
    assert context.endpoint() == "root@localhost:3306 (socket /tmp/s.sock)"


class FakeSession:
    name = "con1"
    params = params()
    current_user = "ci"


class FakeInterpreter:
    def __init__(self, last: object) -> None:
        self.current = FakeSession()
        self.last_error = last


def test_a_statement_failure_carries_the_statement_and_the_server_error() -> None:
    where = Location("t/a.test", 7, Location("t/main.test", 3))
    error = ServerError(1146, "42S02", "Table 'test.nosuch' doesn't exist")
    interpreter = FakeInterpreter((where, "query 'select * from nosuch'", error))
    context = for_test_failure("a", where, interpreter, 0.5)  # type: ignore[arg-type]
    assert context.location == "t/a.test:7 (sourced from t/main.test:3)"
    assert context.statement == "select * from nosuch"
    assert (context.errno, context.sqlstate, context.kind) == (1146, "42S02", "permanent")
    assert context.connection == "con1" and context.user == "ci" and context.port == 4000


def test_an_older_error_elsewhere_is_not_this_failure() -> None:
    earlier = (Location("t/a.test", 2), "query 'drop table t'", ServerError(1051, "42S02", "Unknown table"))
    context = for_test_failure("a", Location("t/a.test", 9), FakeInterpreter(earlier), 0.1)  # type: ignore[arg-type]
    assert context.errno is None and context.statement == ""


def test_long_statements_are_shortened_to_one_line() -> None:
    context = FailureContext(test="t", statement="select\n  " + "x, " * 400 + "1")
    line = next(text for text in context.lines() if text.startswith("statement: "))
    assert "\n" not in line and line.endswith("...") and len(line) < 520
