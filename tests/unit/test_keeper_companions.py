"""More servers than mysqld.1 without starting any: MTR's config templates as My::Config reads them,
the my.cnf written for two servers, the options each gets, and the keeper's decisions on stand-ins."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from runner.errors import ServerUnavailable
from runner.run import suite
from runner.server import cnf_template, hygiene, mycnf
from runner.server.address import ServerAddress
from runner.server.companions import _options_for
from runner.server.embedded import EmbeddedServer, ServerKind
from runner.server.keeper import Keeper, ServerSetup

RPL_BASE = """\
!include include/default_mysqld.cnf

[mysqld.1]
#!run-master-sh
log-basename=            master

[mysqld.2]
#!use-slave-opt
log-basename=               slave
log-slave-updates
report-port=                @mysqld.2.port
report-host=                127.0.0.1

[ENV]
MASTER_MYPORT=              @mysqld.1.port
SLAVE_MYPORT=               @mysqld.2.port
SLAVE_MYSOCK=               @mysqld.2.socket
"""


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A mysql-test tree as far as config templates go: default_my.cnf and an rpl template."""
    root = tmp_path / "mysql-test"
    (root / "include").mkdir(parents=True)
    (root / "suite" / "rpl").mkdir(parents=True)
    (root / "mariadb-test-run.pl").write_text("")
    (root / "include" / "default_mysqld.cnf").write_text(
        "[mysqld]\nlocal-infile\nsecure-file-priv= @ENV.MYSQLTEST_VARDIR\nplugin-load-add=a.so\n"
        "plugin-load-add=b.so\nkey_buffer_size=1M\nkey_buffer_size=2M\n"
    )
    (root / "include" / "default_my.cnf").write_text(
        "!include default_mysqld.cnf\n\n[mysqld.1]\nloose-enable-performance-schema\n\n"
        "[mysqlbinlog]\ndisable-force-if-open\n\n[ENV]\nMASTER_MYPORT= @mysqld.1.port\n"
    )
    (root / "suite" / "rpl" / "rpl_1slave_base.cnf").write_text(RPL_BASE)
    (root / "suite" / "rpl" / "my.cnf").write_text("# comment\n!include rpl_1slave_base.cnf\n")
    return root


def fake_kind(tmp_path: Path) -> ServerKind:
    # A server path with no installation around it: no share, plugin or charset folders.
    return ServerKind("mariadb", tmp_path / "prefix" / "sbin" / "mariadbd")


# -- templates ---------------------------------------------------------------------------------------


def test_template_reads_as_my_config_does(tree: Path) -> None:
    groups = {g.name: g.options for g in cnf_template.read_template(tree / "suite/rpl/my.cnf", tree)}
    # include/default_mysqld.cnf is not beside rpl_1slave_base.cnf: found from the mysql-test folder
    assert groups["mysqld"][:2] == ["local-infile", "secure-file-priv=@ENV.MYSQLTEST_VARDIR"]
    # a repeated option takes the new value in its old place; plugin-load-add may repeat
    assert groups["mysqld"][2:] == ["plugin-load-add=a.so", "plugin-load-add=b.so", "key_buffer_size=2M"]
    # magic comments are options with an empty value, bare options have none
    assert groups["mysqld.1"] == ["#!run-master-sh=", "log-basename=master"]
    assert groups["mysqld.2"][:3] == ["#!use-slave-opt=", "log-basename=slave", "log-slave-updates"]
    assert cnf_template.server_names(cnf_template.read_template(tree / "suite/rpl/my.cnf", tree)) == [
        "mysqld.1",
        "mysqld.2",
    ]


def test_template_refuses_what_mtr_refuses(tmp_path: Path) -> None:
    bad = tmp_path / "bad.cnf"
    bad.write_text("[mysqld]\nthis is not an option\n")
    with pytest.raises(cnf_template.TemplateError, match="unexpected line"):
        cnf_template.read_template(bad)
    missing = tmp_path / "missing.cnf"
    missing.write_text("!include nowhere.cnf\n")
    with pytest.raises(cnf_template.TemplateError, match="does not exist"):
        cnf_template.read_template(missing)
    assert cnf_template.extra_servers(bad, None) == ()  # a template MTR refuses: one server


def test_extra_servers(tree: Path) -> None:
    assert cnf_template.extra_servers(tree / "suite/rpl/my.cnf", tree) == ("mysqld.2",)
    assert cnf_template.extra_servers(tree / "include/default_my.cnf", tree) == ()
    assert cnf_template.extra_servers(None, tree) == ()


def test_references_resolve_across_groups() -> None:
    groups = [
        mycnf.OptionGroup("mysqld.2", ["report-port=@mysqld.2.port", "port=3307", "init-connect=SET @a.b=1"]),
        mycnf.OptionGroup("ENV", ["SLAVE_MYPORT=@mysqld.2.port", "HOME_TOO=@ENV.HOME", "BARE"]),
    ]
    cnf_template.resolve_references(groups, {"HOME": "/root"})
    assert groups[0].options == ["report-port=3307", "port=3307", "init-connect=SET @a.b=1"]
    assert cnf_template.environment_of(groups) == {"SLAVE_MYPORT": "3307", "HOME_TOO": "/root"}


# -- my.cnf for two servers --------------------------------------------------------------------------


def test_mycnf_has_a_group_per_server(tree: Path, tmp_path: Path) -> None:
    kind = fake_kind(tmp_path)
    lead = EmbeddedServer(mysql_test_dir=tree, vardir=tmp_path / "var", kind=kind)
    alone = mycnf.render(lead._config_groups(kind, ServerAddress("127.0.0.1", 4000, "/s1", "root")))
    assert "[mysqld.2]" not in alone and "[client.2]" not in alone
    assert "loose-enable-performance-schema" in alone  # include/default_my.cnf's [mysqld.1]

    second = lead.companion("mysqld.2")
    lead.share_config(tree / "suite/rpl/my.cnf", [second])
    port2 = second.reserve_port({4000})
    groups = {g.name: g.options for g in lead._config_groups(kind, ServerAddress("127.0.0.1", 4000, "/s1", "root"))}
    assert [name for name in groups if name.startswith(("mysqld.", "client"))] == [
        "mysqld.1", "mysqld.2", "client", "client.1", "client.2"
    ]
    assert groups["mysqld.1"][:2] == ["#!run-master-sh=", "log-basename=master"]
    assert "server-id=1" in groups["mysqld.1"] and "port=4000" in groups["mysqld.1"]
    server2 = groups["mysqld.2"]
    assert f"report-port={port2}" in server2 and f"port={port2}" in server2
    assert "server-id=2" in server2
    assert f"datadir={tmp_path / 'var' / 'mysqld.2' / 'data'}" in server2
    assert f"socket={tmp_path / 'var' / 'tmp' / 'mysqld.2.sock'}" in server2
    assert f"log-error={tmp_path / 'var' / 'log' / 'mysqld.2.err'}" in server2
    assert f"port={port2}" in groups["client.2"]
    assert "port=4000" in groups["client"]
    assert groups["mysqlbinlog"] == []  # the rpl template has none of default_my.cnf's
    assert "ENV" not in groups


def test_companion_environment_and_same_file(tree: Path, tmp_path: Path) -> None:
    kind = fake_kind(tmp_path)
    lead = EmbeddedServer(mysql_test_dir=tree, vardir=tmp_path / "var", kind=kind)
    second = lead.companion("mysqld.2")
    assert second.name == "mysqld.2" and second.error_log == tmp_path / "var" / "log" / "mysqld.2.err"
    lead.share_config(tree / "suite/rpl/my.cnf", [second])
    port1 = lead.reserve_port()
    port2 = second.reserve_port({port1})
    assert lead.config_environment() == {
        "MASTER_MYPORT": str(port1),
        "SLAVE_MYPORT": str(port2),
        "SLAVE_MYSOCK": str(tmp_path / "var" / "tmp" / "mysqld.2.sock"),
    }
    # Whichever server writes my.cnf, it is the same file.
    assert lead._render_config(kind, lead._planned_address()) == second._render_config(
        kind, second._planned_address()
    )
    lead.share_config(None)
    assert lead.config_environment() == {}


def test_each_server_gets_its_options() -> None:
    master, slave = ("--log-bin=master-bin", "--loose-skip-log-bin"), ("--log-bin=slave-bin", "--loose-skip-log-bin")
    assert _options_for(["#!use-slave-opt=", "log-slave-updates"], master, slave) == ("--log-bin=slave-bin",)
    assert _options_for(["log-basename=x"], master, slave) == master


def test_cleanup_keeps_every_servers_tmpdir(tmp_path: Path) -> None:
    for name in ("mysqld.1", "mysqld.2", "leftover"):
        (tmp_path / "tmp" / name).mkdir(parents=True)
    (tmp_path / "tmp" / "mysqld.2.sock").touch()
    (tmp_path / "tmp" / "mysqld.2.expect").touch()
    hygiene._empty_tmpdir(tmp_path)
    assert sorted(p.name for p in (tmp_path / "tmp").iterdir()) == ["mysqld.1", "mysqld.2", "mysqld.2.sock"]


# -- the keeper, on stand-ins --------------------------------------------------------------------------


class StandIn:
    """What the keeper and the companions use of an EmbeddedServer."""

    def __init__(self, tree: Path, vardir: Path, name: str = "mysqld.1") -> None:
        self.name = name
        self.mysql_test_dir = tree
        self.vardir = vardir
        self.tmpdir = vardir / "tmp"
        self.datadir = vardir / name / "data"
        self.error_log = vardir / "log" / f"{name}.err"
        self.options: tuple[str, ...] = ()
        self.alive = False
        self.starts = 0
        self.template: Path | None = None
        self.shared_with: list[StandIn] = []
        self.made: dict[str, StandIn] = {}
        self.lifecycle = threading.RLock()
        self.returncode: int | None = None
        self.port_chosen: int | None = None

    @property
    def address(self) -> ServerAddress:
        return ServerAddress("127.0.0.1", 5000 + int(self.name[-1]), None, "root")

    def mark_test_start(self, test_name: str) -> None:
        with self.error_log.open("a") as log_file:
            log_file.write(f"CURRENT_TEST: {test_name}\n")

    def companion(self, name: str) -> StandIn:
        self.made[name] = StandIn(self.mysql_test_dir, self.vardir, name)
        return self.made[name]

    def reserve_port(self, taken: Sequence[int] = ()) -> int:
        return self.address.port

    def use_port(self, port: int) -> None:
        self.port_chosen = port

    def share_config(self, template: Path | None, companions: Sequence[StandIn] = ()) -> None:
        self.template, self.shared_with = template, list(companions)

    def config_environment(self) -> dict[str, str]:
        return {"SLAVE_MYPORT": "5002"} if self.template is not None else {}

    def restart(
        self, options: Sequence[str] | None = None, *, fresh: bool = False, environment: object = None
    ) -> ServerAddress:
        if options is not None:
            self.options = tuple(options)
        self.alive = True
        self.starts += 1
        return self.address

    def stop(self) -> None:
        self.alive = False

    def is_alive(self) -> bool:
        return self.alive

    def exited(self) -> bool:
        return False


def report(status: str = "pass") -> suite.TestReport:
    case = suite.TestCase(Path("t/x.test"), "x", Path("r/x.result"))
    return suite.TestReport(case, status, 0.1)  # type: ignore[arg-type]


def test_keeper_starts_and_stops_the_second_server(tree: Path, tmp_path: Path) -> None:
    lead = StandIn(tree, tmp_path)
    keeper = Keeper(lead, check_testcase=False)  # type: ignore[arg-type]
    rpl = ServerSetup(("--log-bin=master-bin",), None, tree / "suite/rpl/my.cnf", ("--log-bin=slave-bin",))
    assert keeper.prepare(rpl) == lead.address
    second = lead.made["mysqld.2"]
    assert lead.shared_with == [second] and lead.template == tree / "suite/rpl/my.cnf"
    assert second.alive and second.options == ("--log-bin=slave-bin",)
    assert keeper.environment() == {"SLAVE_MYPORT": "5002"}
    keeper.after(report(), lead.address)
    assert keeper.prepare(rpl) is None  # same setup, both still as started: no restart
    keeper.after(report(), lead.address)

    assert keeper.prepare(ServerSetup()) == lead.address  # a test with one server
    assert not second.alive and lead.template is None and lead.shared_with == []
    assert keeper.environment() == {}


def test_a_second_server_that_dies_fails_the_test(tree: Path, tmp_path: Path) -> None:
    lead = StandIn(tree, tmp_path)
    keeper = Keeper(lead, check_testcase=False)  # type: ignore[arg-type]
    rpl = ServerSetup((), None, tree / "suite/rpl/my.cnf", ())
    keeper.prepare(rpl)
    lead.made["mysqld.2"].alive = False
    result = report()
    keeper.after(result, lead.address)
    assert result.status == "fail" and "mysqld.2" in result.message
    assert keeper.needs_fresh_start
    starts = lead.starts
    keeper.prepare(rpl)
    assert lead.starts == starts + 1 and lead.made["mysqld.2"].alive


def test_slave_script_runs_before_a_run_slave_sh_server(tree: Path, tmp_path: Path) -> None:
    # MTR runs <test>-slave.sh before starting each server whose group says #!run-slave-sh, and
    # before no other: the rpl template's mysqld.2 has it, a template without the mark does not.
    marked = tree / "suite" / "rpl" / "marked.cnf"
    marked.write_text(RPL_BASE.replace("[mysqld.2]\n", "[mysqld.2]\n#!run-slave-sh\n"))
    script = tmp_path / "x-slave.sh"
    script.write_text('echo ran >> "$MYSQLTEST_VARDIR/slave_sh_ran"\n')
    vardir = tmp_path / "var"
    vardir.mkdir()
    lead = StandIn(tree, vardir)
    keeper = Keeper(lead, check_testcase=False)  # type: ignore[arg-type]
    keeper.prepare(ServerSetup((), None, tree / "suite/rpl/my.cnf", (), slave_script=script))
    assert not (vardir / "slave_sh_ran").exists()
    keeper.after(report(), lead.address)
    keeper.prepare(ServerSetup((), None, marked, (), slave_script=script))
    assert (vardir / "slave_sh_ran").read_text() == "ran\n"
    keeper.after(report(), lead.address)
    # A test with a script restarts every time, as under MTR: the script runs again.
    keeper.prepare(ServerSetup((), None, marked, (), slave_script=script))
    assert (vardir / "slave_sh_ran").read_text() == "ran\nran\n"


def test_a_failing_slave_script_is_the_tests_error(tree: Path, tmp_path: Path) -> None:
    marked = tree / "suite" / "rpl" / "marked.cnf"
    marked.write_text(RPL_BASE.replace("[mysqld.2]\n", "[mysqld.2]\n#!run-slave-sh\n"))
    script = tmp_path / "x-slave.sh"
    script.write_text("echo no such link >&2; exit 3\n")
    lead = StandIn(tree, tmp_path)
    keeper = Keeper(lead, check_testcase=False)  # type: ignore[arg-type]
    with pytest.raises(ServerUnavailable, match=r"x-slave.sh failed \(exit 3\): no such link"):
        keeper.prepare(ServerSetup((), None, marked, (), slave_script=script))


def test_each_companions_error_log_is_marked_before_it_starts(tree: Path, tmp_path: Path) -> None:
    # search_pattern_in_file.inc reads an error log from its last CURRENT_TEST line: MTR marks
    # every server's log, so a message an earlier test caused on mysqld.2 is not found again.
    (tmp_path / "log").mkdir()
    lead = StandIn(tree, tmp_path)
    keeper = Keeper(lead, check_testcase=False)  # type: ignore[arg-type]
    rpl = ServerSetup((), None, tree / "suite/rpl/my.cnf", ())
    keeper.prepare(rpl, "rpl.first")
    log = tmp_path / "log" / "mysqld.2.err"
    assert log.read_text() == "CURRENT_TEST: rpl.first\n"
    keeper.after(report(), lead.address)
    keeper.prepare(rpl, "rpl.second")  # no restart: still marked
    assert log.read_text() == "CURRENT_TEST: rpl.first\nCURRENT_TEST: rpl.second\n"
