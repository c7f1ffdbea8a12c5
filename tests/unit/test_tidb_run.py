"""A whole tidbrun run against TiDB, at the connection level: recorded TiDB rows behind tidbrun's
Connection trait (tests/recorded_tidb.py) and a stand-in for TiDB's status port
(tests/tidb_status_port_standin.py). Proves the TiDB paths end to end: the dialect a TiDB gets,
mysql-tester's session set-up, --check-error results, collation result variants, the failpoint
directive with auto-disable, and the start-of-run probe of /fail/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import runner.run.server_run
import runner.run.suite
from runner.config.run_config import RunConfig, ServerSettings
from runner.dialects.profile import MYSQL_TESTER
from runner.run.execute import execute
from runner.server.flavour import detect_flavour
from runner.sessions.driver import ConnectError, ConnectParams
from runner.tidb.failpoints import TEST_API_FAILPOINT
from tests.recorded_tidb import TIDB_VERSION, VERSION, RecordedTiDB, error, rows
from tests.tidb_status_port_standin import TiDBStatusPortStandIn, running_standin

FP = "github.com/pingcap/tidb/pkg/ddl/mockDelayInModifyColumnTypeWithData"
TESTER_SETUP = [
    "SET NAMES utf8mb4 COLLATE utf8mb4_general_ci",
    "SET time_zone = 'Asia/Shanghai'",
    "SELECT tidb_version()",
    "SET @@tidb_init_chunk_size=1",
    "SET @@tidb_max_chunk_size=32",
    "SET @@tidb_multi_statement_mode=1",
    "SET @@tidb_hash_join_concurrency=1",
    "SET @@tidb_enable_pseudo_for_outdated_stats=false",
    "SET @@tidb_enable_analyze_snapshot=1",
    "SET @@tidb_enable_clustered_index='int_only'",
]


@pytest.fixture
def status_port() -> Iterator[TiDBStatusPortStandIn]:
    yield from running_standin(preset={TEST_API_FAILPOINT: "return"})


@pytest.fixture
def tidb() -> RecordedTiDB:
    server = RecordedTiDB()
    server.recordings["select * from no_such"] = error(1146, "42S02", "Table 'fails.no_such' doesn't exist")
    server.recordings["select @@new_collation_enabled"] = rows(["@@new_collation_enabled"], [("ON",)])
    return server


def run(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    tidb: RecordedTiDB,
    status_port: int,
    paths: list[Path],
    **options: object,
) -> int:
    version = tidb.answer("SELECT VERSION()", "").results[0].rows[0][0]
    assert version is not None
    monkeypatch.setattr(runner.run.server_run, "_flavour", lambda address: (detect_flavour(version), version))
    monkeypatch.setattr(runner.run.server_run, "_cleanup", lambda *args: (lambda: None))
    monkeypatch.setattr(runner.run.suite, "connect", tidb.connect)
    monkeypatch.setattr(runner.run.suite, "connect_complete", tidb.connect)
    config = RunConfig(
        paths=paths,
        server=ServerSettings(host="127.0.0.1", port=4000, status_port=status_port),
        force=True,
        vardir=tmp_path / "var",
        **options,  # type: ignore[arg-type]
    )
    return execute(config)


def suite(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "integrationtest"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_recorded_version_is_tidb() -> None:
    assert detect_flavour(VERSION) == "tidb"


def test_failpoints_in_a_tidb_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tidb: RecordedTiDB, status_port: TiDBStatusPortStandIn,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    root = suite(tmp_path, {
        "t/ddl/fp.test": (
            f"--failpoint enable {FP} 1*return(true)\n"
            "--failpoint list\n"
            "select tidb_version();\n"
            f"--failpoint disable {FP}\n"
            "--failpoint list\n"
        ),
        "r/ddl/fp.result": (
            f"{FP}=1*return(true)\n{TEST_API_FAILPOINT}=return\n"
            f"select tidb_version();\ntidb_version()\n{TIDB_VERSION}\n"
            f"{TEST_API_FAILPOINT}=return\n"
        ),
    })  # fmt: skip
    assert run(monkeypatch, tmp_path, tidb, status_port.port, [root]) == 0, capsys.readouterr()
    out = capsys.readouterr()
    assert "ddl/fp" in out.out and "[ pass ]" in out.out
    assert "note:" not in out.err  # the probe of /fail/ found the API
    # mysql-tester's database and session set-up, in mysql-tester's order.
    test_session = next(s for s in tidb.sessions if "select tidb_version()" in s)
    assert test_session[: len(TESTER_SETUP)] == TESTER_SETUP
    assert "ddl__fp" not in tidb.databases  # made for the test, dropped after it
    assert [r.method for r in status_port.requests] == ["GET", "GET", "PUT", "GET", "DELETE", "GET"]


def test_a_failing_test_leaves_no_failpoint_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tidb: RecordedTiDB, status_port: TiDBStatusPortStandIn,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    status_port.registry.put("preset/by/env", "return(5)")
    root = suite(tmp_path, {
        "t/fails.test": (
            f"--failpoint enable {FP} pause\n"
            "--failpoint enable preset/by/env return(9)\n"
            "select * from no_such;\n"
        ),
        "r/fails.result": "",
    })  # fmt: skip
    assert run(monkeypatch, tmp_path, tidb, status_port.port, [root]) == 1
    out = capsys.readouterr().out
    assert "[ fail ]" in out and "1146" in out
    assert status_port.registry.enabled() == {TEST_API_FAILPOINT: "return", "preset/by/env": "return(5)"}
    assert ("DELETE", f"/fail/{FP}", "") in [(r.method, r.path, r.body) for r in status_port.requests]


def test_bad_terms_and_server_errors_in_a_test(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tidb: RecordedTiDB, status_port: TiDBStatusPortStandIn,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    root = suite(tmp_path, {
        "t/bad_term.test": f"--failpoint enable {FP} 1*retrun(true)\n",
        "t/not_set.test": "--failpoint disable never/enabled\n",
        "t/usage.test": "--failpoint switch on\n",
    })  # fmt: skip
    assert run(monkeypatch, tmp_path, tidb, status_port.port, [root]) == 2
    out = capsys.readouterr().out
    assert "bad failpoint term '1*retrun(true)': expected an action" in out
    assert "HTTP 400: failed to delete failpoint error on never/enabled: failpoint: failpoint does not exist" in out
    assert "usage: --failpoint enable <path> <term>" in out
    assert not [r for r in status_port.requests if r.method == "PUT"]  # the bad term was never sent


def test_without_the_failpoint_api_the_run_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tidb: RecordedTiDB, capsys: pytest.CaptureFixture[str]
) -> None:
    root = suite(tmp_path, {"t/fp.test": f"--failpoint enable {FP} return(1)\n", "r/fp.result": ""})
    for absent in running_standin(test_api=False):
        assert run(monkeypatch, tmp_path, tidb, absent.port, [root]) == 1
        assert [r.method for r in absent.requests] == ["GET"]  # only the probe
    out = capsys.readouterr()
    assert "tidbrun: note: TiDB's status port" in out.err and "has no failpoint API" in out.err
    assert "started without GO_FAILPOINTS=github.com/pingcap/tidb/pkg/server/enableTestAPI=return" in out.out


def test_check_error_results_on_tidb(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tidb: RecordedTiDB, status_port: TiDBStatusPortStandIn,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    root = suite(tmp_path, {
        "t/errors.test": (
            "--error 1146\nselect * from no_such;\n"
            "--error ErrNoSuchTable, 1146\nselect * from no_such;\n"
            "--error 0,1146\nselect * from no_such;\n"
        ),
        "r/errors.result": (
            "select * from no_such;\nError 1146 (42S02): Table 'fails.no_such' doesn't exist\n"
            "select * from no_such;\nGot one of the listed errors\n"
            "select * from no_such;\n"
        ),
    })  # fmt: skip
    assert run(monkeypatch, tmp_path, tidb, status_port.port, [root]) == 0, capsys.readouterr().out


def test_collation_tests_pick_their_result_variant(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tidb: RecordedTiDB, status_port: TiDBStatusPortStandIn,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    query = "select @@new_collation_enabled;\n"
    root = suite(tmp_path, {
        "t/expression/collation_cmp.test": query,
        "r/expression/collation_cmp_enabled.result": f"{query}@@new_collation_enabled\nON\n",
        "r/expression/collation_cmp_disabled.result": f"{query}@@new_collation_enabled\nOFF\n",
        "t/plain.test": query,
        "r/plain.result": f"{query}@@new_collation_enabled\nON\n",
    })  # fmt: skip
    assert run(monkeypatch, tmp_path, tidb, status_port.port, [root]) == 0, capsys.readouterr().out
    assert "expression/collation_cmp" in capsys.readouterr().out

    # With new collations off, only collation tests run, against their _disabled result.
    tidb.recordings["select @@new_collation_enabled"] = rows(["@@new_collation_enabled"], [("OFF",)])
    assert run(monkeypatch, tmp_path, tidb, status_port.port, [root], collation_disable=True) == 0
    out = capsys.readouterr().out
    assert "expression/collation_cmp" in out and not any(line.startswith("plain") for line in out.splitlines())
    # A test named on its own runs anyway (mysql-tester runs the tests it is given).
    assert run(monkeypatch, tmp_path, tidb, status_port.port, [root / "t" / "plain.test"], collation_disable=True) == 1

    # Recording writes the variant.
    (root / "r" / "expression" / "collation_cmp_disabled.result").unlink()
    assert run(monkeypatch, tmp_path, tidb, status_port.port, [root], collation_disable=True, record=True) == 0
    recorded = (root / "r" / "expression" / "collation_cmp_disabled.result").read_text()
    assert recorded == f"{query}@@new_collation_enabled\nOFF\n"


def test_session_setup_is_one_round_trip_on_tidb() -> None:
    tidb = RecordedTiDB()
    connection = MYSQL_TESTER.connector(tidb.connect)(ConnectParams("127.0.0.1", "root", database="t1"))  # type: ignore[arg-type]
    assert tidb.sessions[-1] == TESTER_SETUP
    assert connection.round_trips == 1  # type: ignore[attr-defined]


def test_session_setup_against_recorded_tidb_errors() -> None:
    tidb = RecordedTiDB()
    # A TiDB before v7.0 has no tidb_enable_analyze_snapshot: mysql-tester only warns.
    tidb.recordings["SET @@tidb_enable_analyze_snapshot=1"] = error(
        1193, "HY000", "Unknown system variable 'tidb_enable_analyze_snapshot'"
    )
    connect = MYSQL_TESTER.connector(tidb.connect)  # type: ignore[arg-type]
    connect(ConnectParams("127.0.0.1", "root", database="t1"))
    # The one round trip stops at the failing SET; it and the rest then run one by one.
    assert tidb.sessions[-1] == TESTER_SETUP[:9] + TESTER_SETUP[8:]
    # Any other failing SET is fatal, as in mysql-tester.
    tidb.recordings["SET @@tidb_enable_clustered_index='int_only'"] = error(
        1231, "42000", "Variable 'tidb_enable_clustered_index' can't be set to the value of 'int_only'"
    )
    with pytest.raises(ConnectError, match="tidb_enable_clustered_index"):
        connect(ConnectParams("127.0.0.1", "root", database="t1"))


TIFLASH = "select count(*) from information_schema.tiflash_replica where AVAILABLE=0"


def test_wait_tiflash_replica_ready_polls_then_times_out(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tidb: RecordedTiDB, status_port: TiDBStatusPortStandIn,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    unavailable = [rows(["count(*)"], [(str(n),)]) for n in (2, 1, 0)]
    tidb.recordings[TIFLASH] = unavailable
    files = {"t/ready.test": "--wait_tiflash_replica_ready\n--echo ready\n", "r/ready.result": "ready\n"}
    root = suite(tmp_path, files)
    assert run(monkeypatch, tmp_path, tidb, status_port.port, [root], dialect="mysqltest") == 0, capsys.readouterr()
    assert sum(sql == TIFLASH for session in tidb.sessions for sql in session) == 3

    tidb.recordings[TIFLASH] = rows(["count(*)"], [("1",)])
    root = suite(tmp_path / "again", {"t/stuck.test": "--wait_tiflash_replica_ready 0.3\n", "r/stuck.result": ""})
    assert run(monkeypatch, tmp_path, tidb, status_port.port, [root], dialect="mysqltest") == 1
    assert "TiFlash replicas not ready within 0.3 s (1 still unavailable)" in capsys.readouterr().out
