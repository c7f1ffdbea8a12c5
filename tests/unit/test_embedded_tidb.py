"""The embedded tidb-server's command line and environment (no tidb-server here: the process
started is a stand-in `sleep`, and readiness is taken for granted)."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest

from runner.server import embedded
from runner.server.embedded import EmbeddedServer, ServerKind
from runner.tidb.failpoints import TEST_API_SETTING


def test_tidb_server_gets_run_tests_sh_setup(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    started: list[tuple[list[str], dict[str, str]]] = []
    real_popen = subprocess.Popen

    def fake_popen(argv: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        if "env" not in kwargs:  # the template's copy (cp), not the server
            return real_popen(argv, **kwargs)
        started.append((argv, kwargs["env"]))
        return real_popen(["sleep", "30"], stdin=subprocess.DEVNULL, start_new_session=True)

    monkeypatch.setattr(embedded.subprocess, "Popen", fake_popen)
    monkeypatch.setattr(EmbeddedServer, "_wait_ready", lambda self, address, offset: None)
    template = tmp_path / "template"
    (template / "kv").mkdir(parents=True)
    plans: list[Any] = []

    def fake_template(cache_dir: Path, plan: Any, **kwargs: Any) -> tuple[Path, bool]:
        plans.append(plan)
        return template, False

    monkeypatch.setattr(embedded.bootstrap, "ensure_template", fake_template)
    monkeypatch.setenv("GO_FAILPOINTS", "github.com/pingcap/tidb/pkg/ddl/x=pause")
    config = tmp_path / "disable_new_collation.toml"
    config.write_text("new_collations_enabled_on_first_bootstrap = false\n")
    server = EmbeddedServer(
        kind=ServerKind("tidb", Path("/opt/tidb/bin/tidb-server")), vardir=tmp_path / "var", tidb_config=config
    )
    try:
        address = server.start()
        argv, env = started[0]
        assert argv[:5] == ["/opt/tidb/bin/tidb-server", "-store", "unistore", "-path", str(server.datadir)]
        assert argv[argv.index("-P") + 1] == str(address.port)
        assert argv[argv.index("-config") + 1] == str(config)
        assert address.status_port is not None and argv[argv.index("-status") + 1] == str(address.status_port)
        assert address.status_port != address.port
        with socket.socket() as probe:  # the status port was free when chosen (nothing listens on it)
            assert probe.connect_ex(("127.0.0.1", address.status_port)) != 0
        assert env["GO_FAILPOINTS"] == f"github.com/pingcap/tidb/pkg/ddl/x=pause;{TEST_API_SETTING}"
        assert env["TZ"] == "Asia/Shanghai"
        # The store comes from a template bootstrapped with the same config and time zone.
        assert (server.datadir / "kv").is_dir()
        assert plans[0].kind == "tidb" and plans[0].extra_sql == config.read_text()
        assert plans[0].cnf_options == ("TZ=Asia/Shanghai",)
    finally:
        server.stop()
