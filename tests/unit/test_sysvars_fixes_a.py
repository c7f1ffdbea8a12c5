"""Where tidbrun's server set-up differed from mysql-test-run.pl's (sys_vars.sysvars_star,
secure_file_priv2, replicate_rewrite_db): a test's own single-server ``.cnf`` is the template my.cnf
is built from (``@OPT.port`` resolved there as ConfigFactory does), a test's ``.opt`` sees the
variables MTR exports before it reads any test, and a ``restart:`` line is split as Perl's
``split(' ', ...)`` splits it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from runner.run import suite
from runner.run.cases import plan_tests
from runner.server.address import ServerAddress
from runner.server.companions import Companions
from runner.server.embedded import EmbeddedServer, ServerKind
from runner.server.expect import read_instruction

MYSQL_TEST = Path("/usr/share/mysql/mysql-test")
needs_tree = pytest.mark.skipif(
    not (MYSQL_TEST / "suite" / "sys_vars").is_dir()
    or not (shutil.which("mariadbd") or Path("/usr/sbin/mariadbd").is_file())
    or shutil.which("perl") is None,
    reason="needs MariaDB's mysql-test tree (main, sys_vars), mariadbd and perl",
)

OWN_CNF = """\
!include include/default_my.cnf

[server]
plugin-maturity=alpha

[mysqld.1]
extra-port=         @ENV.MASTER_EXTRA_PORT

[ENV]
MASTER_EXTRA_PORT=  @OPT.port
"""

# Ports in the groups themselves (plugin/handler_socket, suite/wsrep): each @OPT.port a port of its
# own, and an option sees the resolved value of one before it in the same group.
PORTS_CNF = """\
!include include/default_my.cnf

[mysqld.1]
#galera_port=@OPT.port
loose-handlersocket-port=@OPT.port
loose-provider-options='base_port=@mysqld.1.#galera_port'
"""


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A mysql-test tree as far as config templates go, and a test with a .cnf of its own."""
    root = tmp_path / "mysql-test"
    (root / "include").mkdir(parents=True)
    (root / "main").mkdir()
    (root / "mariadb-test-run.pl").write_text("")
    (root / "include" / "default_mysqld.cnf").write_text("[mysqld]\nplugin-maturity=unknown\n\n[server]\nloose-aria\n")
    (root / "include" / "default_my.cnf").write_text(
        "!include default_mysqld.cnf\n\n[mysqld.1]\nloose-enable-performance-schema\n\n"
        "[ENV]\nMASTER_MYPORT= @mysqld.1.port\n"
    )
    (root / "main" / "own.cnf").write_text(OWN_CNF)
    (root / "main" / "ports.cnf").write_text(PORTS_CNF)
    return root


def groups_of(server: EmbeddedServer, kind: ServerKind) -> dict[str, list[str]]:
    address = ServerAddress("127.0.0.1", 4000, "/s1", "root")
    return {group.name: group.options for group in server._config_groups(kind, address)}


# -- sysvars_star: a test's own .cnf is my.cnf's template, one server or more ----------------------


def test_a_single_server_cnf_is_the_template_of_mycnf(tree: Path, tmp_path: Path) -> None:
    kind = ServerKind("mariadb", tmp_path / "prefix" / "sbin" / "mariadbd")
    lead = EmbeddedServer(mysql_test_dir=tree, vardir=tmp_path / "var", kind=kind)
    lead._test_environment = {"MASTER_EXTRA_PORT": "4567"}  # what the keeper passes on restart
    Companions(lead).configure(tree / "main" / "own.cnf")
    groups = groups_of(lead, kind)
    # [server] as MTR writes it: the tree's options, then the test's (origin CONFIG, not COMMAND-LINE)
    assert groups["server"] == ["loose-aria", "plugin-maturity=alpha"]
    assert groups["mysqld"] == ["plugin-maturity=unknown"]
    assert groups["mysqld.1"][:2] == ["loose-enable-performance-schema", "extra-port=4567"]
    assert not any(name.startswith("mysqld.") and name != "mysqld.1" for name in groups)
    # The next test without a .cnf of its own is back on include/default_my.cnf.
    Companions(lead).configure(None)
    assert groups_of(lead, kind)["server"] == ["loose-aria"]


def test_opt_port_references_get_ports_that_stay_the_same(tree: Path, tmp_path: Path) -> None:
    kind = ServerKind("mariadb", tmp_path / "prefix" / "sbin" / "mariadbd")
    lead = EmbeddedServer(mysql_test_dir=tree, vardir=tmp_path / "var", kind=kind)
    Companions(lead).configure(tree / "main" / "ports.cnf")
    options = dict(line.split("=", 1) for line in groups_of(lead, kind)["mysqld.1"][1:4])
    galera, handlersocket = options["#galera_port"], options["loose-handlersocket-port"]
    assert galera.isdigit() and handlersocket.isdigit() and galera != handlersocket
    assert options["loose-provider-options"] == f"'base_port={galera}'"
    assert groups_of(lead, kind)["mysqld.1"][1:4] == [f"{name}={value}" for name, value in options.items()]


@needs_tree
def test_a_single_server_cnf_gives_no_command_line_options() -> None:
    test = MYSQL_TEST / "main" / "connect.test"
    case = suite.TestCase(test, "connect", test.with_suffix(".result"))
    (planned,) = plan_tests([case], MYSQL_TEST, big_test=False, external=False)
    assert planned.config == MYSQL_TEST / "main" / "connect.cnf"
    assert not any(option.startswith(("--extra-port", "--extra-max-connections")) for option in planned.setup)
    environment = dict(planned.server_environment)
    assert environment["MASTER_EXTRA_PORT"].isdigit()  # @OPT.port, for the test and for my.cnf
    assert ("MASTER_EXTRA_PORT", environment["MASTER_EXTRA_PORT"]) in planned.environment


# -- secure_file_priv2: a test's .opt sees what MTR exports before reading tests --------------------


@needs_tree
def test_opt_files_see_mtr_tree_variables() -> None:
    test = MYSQL_TEST / "suite" / "sys_vars" / "t" / "secure_file_priv2.test"
    result = MYSQL_TEST / "suite" / "sys_vars" / "r" / "secure_file_priv2.result"
    case = suite.TestCase(test, "secure_file_priv2", result)
    (planned,) = plan_tests([case], MYSQL_TEST, big_test=False, external=False)
    # An empty --secure_file_priv= would lift the restriction the test checks.
    assert f"--secure_file_priv={MYSQL_TEST / 'std_data'}" in planned.setup


# -- replicate_rewrite_db: restart: options split as MTR splits them ---------------------------------


def test_restart_options_split_on_ascii_blanks_only() -> None:
    instruction = read_instruction("restart: --replicate_rewrite_db='X->Y'  --a=x\xa0y\t--b=\x1fz\n")
    assert instruction.options == ("--replicate_rewrite_db='X->Y'", "--a=x\xa0y", "--b=\x1fz")
    assert read_instruction("restart:   \n").options == ()
