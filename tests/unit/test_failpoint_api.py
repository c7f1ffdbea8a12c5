"""tidbrun's failpoint client against a local stand-in for TiDB's status port, which answers as
pingcap/failpoint's HTTP handler mounted under /fail/ does (tests/tidb_status_port_standin.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from runner.tidb.failpoint_terms import FailpointTermError
from runner.tidb.failpoints import (
    TEST_API_FAILPOINT,
    FailpointAPI,
    FailpointClient,
    FailpointError,
    parse_list,
    unavailable_reason,
    with_test_api,
)
from runner.tidb.server_config import config_file, environment, suite_roots
from tests.tidb_status_port_standin import TiDBStatusPortStandIn, running_standin

FP = "github.com/pingcap/tidb/pkg/ddl/mockDelayInModifyColumnTypeWithData"


@pytest.fixture
def status_port() -> Iterator[TiDBStatusPortStandIn]:
    """TiDB's status port, as a tidb-server started with GO_FAILPOINTS=...enableTestAPI=return has it."""
    yield from running_standin(preset={TEST_API_FAILPOINT: "return"})


def client_for(standin: TiDBStatusPortStandIn) -> FailpointClient:
    return FailpointClient("127.0.0.1", standin.port, timeout=5)


def test_enable_list_status_disable(status_port: TiDBStatusPortStandIn) -> None:
    client = client_for(status_port)
    client.enable(FP, "1*return(true)")
    assert client.status(FP) == "1*return(true)"
    assert client.list() == [(FP, "1*return(true)"), (TEST_API_FAILPOINT, "return")]
    client.disable(FP)
    assert client.status(FP) is None
    # A disabled failpoint stays in failpoint's list, with an empty term.
    assert client.list() == [(FP, ""), (TEST_API_FAILPOINT, "return")]
    assert [(r.method, r.path, r.body) for r in status_port.requests] == [
        ("PUT", f"/fail/{FP}", "1*return(true)"),
        ("GET", f"/fail/{FP}", ""),
        ("GET", "/fail/", ""),
        ("DELETE", f"/fail/{FP}", ""),
        ("GET", f"/fail/{FP}", ""),
        ("GET", "/fail/", ""),
    ]


def test_the_list_format_is_failpoints() -> None:
    assert parse_list("\n") == []
    assert parse_list("a/b=return(1)\nc/d=\ne/f=return(\"x=y\")\n") == [
        ("a/b", "return(1)"),
        ("c/d", ""),
        ("e/f", 'return("x=y")'),
    ]
    with pytest.raises(FailpointError, match="unexpected line"):
        parse_list("<html>\n")


def test_the_server_refuses_a_bad_term_with_400(status_port: TiDBStatusPortStandIn) -> None:
    # Sent without tidbrun's own check, as only the raw client does.
    with pytest.raises(FailpointError) as caught:
        client_for(status_port).enable(FP, "return(+5)")
    message = str(caught.value)
    assert "HTTP 400" in message and f"failed to set failpoint {FP}" in message and "PUT" in message


def test_disabling_an_unknown_failpoint_is_the_servers_400(status_port: TiDBStatusPortStandIn) -> None:
    with pytest.raises(FailpointError, match="HTTP 400: failed to delete failpoint error on no/such: failpoint: "
                       "failpoint does not exist"):  # fmt: skip
        client_for(status_port).disable("no/such")


def test_any_other_answer_is_an_error_with_the_servers_text(status_port: TiDBStatusPortStandIn) -> None:
    status_port.injected.append((500, "etcd is unavailable"))
    with pytest.raises(FailpointError, match="HTTP 500: etcd is unavailable"):
        client_for(status_port).enable(FP, "return(1)")
    assert client_for(status_port).request("POST", FP).status == 405


def test_a_dropped_connection_is_reported(status_port: TiDBStatusPortStandIn) -> None:
    client = client_for(status_port)
    with pytest.raises(FailpointError):
        client.enable("half/set", "return(+5)")  # registered, never enabled
    # failpoint then closes a nil channel on DELETE: a panic, and no answer at all.
    with pytest.raises(FailpointError, match="no answer from TiDB's status port"):
        client.disable("half/set")


def test_probe_says_when_the_api_is_absent() -> None:
    for standin in running_standin(test_api=False):
        reason = unavailable_reason(client_for(standin))
        assert reason is not None
        assert "answered 404" in reason
        assert "built without failpoints" in reason and "make failpoint-enable" in reason
        assert f"GO_FAILPOINTS={TEST_API_FAILPOINT}=return" in reason


def test_probe_says_when_nothing_listens() -> None:
    for standin in running_standin():
        port = standin.port
    reason = unavailable_reason(FailpointClient("127.0.0.1", port, timeout=2))
    assert reason is not None and "no answer" in reason and "--status-port" in reason


def test_probe_passes_on_a_status_port_with_the_api(status_port: TiDBStatusPortStandIn) -> None:
    api = FailpointAPI.for_server("tidb", "127.0.0.1", status_port.port)
    assert api.probe() is None
    assert api.usable_client().port == status_port.port


def test_default_status_port_and_mariadb() -> None:
    assert FailpointAPI.for_server("tidb", "db.example", None).client == FailpointClient("db.example", 10080)
    for flavour, name in (("mariadb", "MariaDB"), ("mysql", "MySQL")):
        api = FailpointAPI.for_server(flavour, "127.0.0.1", None)
        assert api.probe() is None and api.client is None
        with pytest.raises(FailpointError, match=f"the server is {name}: it has no failpoint API"):
            api.scope().enable(FP, "return(1)")


def test_scope_validates_before_sending(status_port: TiDBStatusPortStandIn) -> None:
    scope = FailpointAPI.for_server("tidb", "127.0.0.1", status_port.port).scope()
    with pytest.raises(FailpointTermError):
        scope.enable(FP, "retrun(1)")
    assert status_port.requests == []


def test_scope_puts_everything_back(status_port: TiDBStatusPortStandIn) -> None:
    api = FailpointAPI.for_server("tidb", "127.0.0.1", status_port.port)
    status_port.registry.put("preset/by/env", "return(5)")
    scope = api.scope()
    scope.enable(FP, "pause")
    scope.enable(FP, "return(2)")
    scope.enable("preset/by/env", "return(9)")
    scope.enable("then/disabled", "return(1)")
    scope.disable("then/disabled")
    assert scope.enabled() == [
        (FP, "return(2)"),
        (TEST_API_FAILPOINT, "return"),
        ("preset/by/env", "return(9)"),
    ]
    assert scope.release() == []
    assert status_port.registry.enabled() == {TEST_API_FAILPOINT: "return", "preset/by/env": "return(5)"}
    assert scope.release() == []  # nothing left to do


def test_scope_reports_what_it_could_not_put_back(status_port: TiDBStatusPortStandIn) -> None:
    scope = FailpointAPI.for_server("tidb", "127.0.0.1", status_port.port).scope()
    scope.enable(FP, "return(1)")
    status_port.injected.append((503, "server is closing"))
    problems = scope.release()
    assert len(problems) == 1 and FP in problems[0] and "HTTP 503: server is closing" in problems[0]
    assert scope.leaked == problems


def test_go_failpoints_for_the_embedded_server() -> None:
    setting = f"{TEST_API_FAILPOINT}=return"
    assert with_test_api(None) == setting
    assert with_test_api("a/b=return(1)") == f"a/b=return(1);{setting}"
    assert with_test_api(f"{TEST_API_FAILPOINT}=return(true);x=off") == f"{TEST_API_FAILPOINT}=return(true);x=off"
    env = environment({"GO_FAILPOINTS": "a/b=pause", "TZ": "UTC"})
    assert env["GO_FAILPOINTS"] == f"a/b=pause;{setting}" and env["TZ"] == "Asia/Shanghai"
    assert environment({"TZ": "UTC"}, ["--timezone=UTC"])["TZ"] == "UTC"


def test_the_embedded_tidb_uses_the_suites_config(tmp_path: pytest.TempPathFactory) -> None:
    suite = tmp_path / "integrationtest"  # type: ignore[operator]
    (suite / "t" / "executor").mkdir(parents=True)
    (suite / "t" / "executor" / "a.test").write_text("select 1;\n")
    assert suite_roots([suite, suite / "t" / "executor" / "a.test"]) == [suite.resolve()]
    vardir = tmp_path / "var"  # type: ignore[operator]
    vardir.mkdir()
    assert config_file([suite], False, vardir) is None
    written = config_file([suite], True, vardir)
    assert written is not None and "new_collations_enabled_on_first_bootstrap = false" in written.read_text()
    (suite / "config.toml").write_text('lease = "0"\n')
    (suite / "disable_new_collation.toml").write_text("new_collations_enabled_on_first_bootstrap = false\n")
    assert config_file([suite], False, vardir) == suite / "config.toml"
    assert config_file([suite], True, vardir) == suite / "disable_new_collation.toml"
