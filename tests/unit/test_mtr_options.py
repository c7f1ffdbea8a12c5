"""Server options of a test as mysql-test-run.pl computes them (.opt files, TZ, $VARs, restarts)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from runner.mtr.closure import include_closure
from runner.mtr.options import (
    base_options,
    expand_env,
    mysqld_arguments,
    needs_restart,
    opts_from_file,
    parse_opt_line,
    plugins_turned_on,
    server_options,
)
from runner.mtr.suites import suite_of_test

MYSQL_TEST = Path("/usr/share/mysql/mysql-test")
HAVE_MTR_PERL = (MYSQL_TEST / "lib/mtr_cases.pm").is_file() and shutil.which("perl") is not None


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _perl_opts(files: list[Path]) -> list[list[str]]:
    """MTR's own mtr_cases::opts_from_file over ``files`` (bytes kept via latin-1 both ways)."""
    script = (
        "use mtr_cases; use JSON::PP; my $j = JSON::PP->new->latin1;"
        "print $j->encode([map { [mtr_cases::opts_from_file($_)] } @ARGV]);"
    )
    out = subprocess.run(
        ["perl", "-I", str(MYSQL_TEST / "lib"), "-e", script, *map(str, files)],
        cwd=MYSQL_TEST,
        capture_output=True,
        check=True,
    )
    decoded = json.loads(out.stdout.decode("latin-1"))
    return [[arg.encode("latin-1").decode("utf-8", "surrogateescape") for arg in args] for args in decoded]


HARD_LINES = [
    "--a=1 --b='x y'  \"--c=p q\"",
    "  --init_connect=set @a='a\\\\0c'  ",
    '--d="it\'s" --e\t--f',
    "--g='\"nested\"' --h=\"'x'\"",
    "--plugin-load-add=$AUTH_SOCKET_SO --loose-enable-unix-socket",
    "'--quoted whole' x''y",
    "",
    "\t\t",
]


@pytest.mark.skipif(not HAVE_MTR_PERL, reason="needs perl and mysql-test's lib/mtr_cases.pm")
def test_opt_parsing_matches_mtr(tmp_path: Path) -> None:
    files = sorted(MYSQL_TEST.rglob("*.opt"))
    for number, line in enumerate(HARD_LINES):
        files.append(_write(tmp_path / f"hard{number}.opt", line + "\n"))
    assert len(files) > 100
    expected = _perl_opts(files)
    for path, want in zip(files, expected, strict=True):
        assert opts_from_file(path) == want, path


def test_opt_line_examples() -> None:
    assert parse_opt_line("--b='x y'  \"--c=p q\"") == ["--b=x y", "--c=p q"]
    assert parse_opt_line("   ") == []


def test_expand_env() -> None:
    env = {"A": "1", "B_2": "two"}
    assert expand_env("--x=$A/${B_2}/$NOPE/${NOPE}/$", env) == "--x=1/two///$"
    assert expand_env("$A$B_2", env) == "1two"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    base = tmp_path / "mysql-test"
    _write(base / "mariadb-test-run.pl", "")
    (base / "lib").mkdir(parents=True)
    _write(base / "include/inner.inc", "")
    _write(base / "include/inner.opt", "--inner\n")
    _write(base / "include/outer.inc", "--source include/inner.inc\n")
    _write(base / "include/outer-master.opt", "--outer-master")
    _write(base / "include/outer-slave.opt", "--outer-slave")
    _write(base / "suite/s/suite.opt", "--from-suite-opt")
    _write(base / "suite/s/t/t.test", "--source include/outer.inc\n--source include/inner.inc\n")
    _write(base / "suite/s/t/t.opt", "--timezone=$ZONE --own=$VALUE")
    _write(base / "suite/s/t/t-master.opt", "--default-time-zone=+03:00")
    _write(base / "suite/s/t/t-slave.opt", "--timezone=Slave/Zone")
    return base


def test_option_order_and_timezone(tree: Path) -> None:
    suite = suite_of_test(tree / "suite/s/t/t.test", tree)
    closure = include_closure(suite.tdir / "t.test", suite)
    base = base_options(closure, ["--from-command-line"])
    # suite.opt, includes depth first (a file's own after its includes; repeats kept), the test last.
    assert base.master == (
        "--from-suite-opt",
        "--inner",
        "--outer-master",
        "--inner",
        "--own=$VALUE",
        "--default-time-zone=+03:00",
        "--from-command-line",
    )
    assert base.slave == (
        "--from-suite-opt",
        "--inner",
        "--outer-slave",
        "--inner",
        "--own=$VALUE",
        "--from-command-line",
    )
    # --timezone leaves the list; the slave's options are processed last, so its zone wins.
    assert base.timezone == "Slave/Zone"
    options = server_options(closure, {"VALUE": "v"}, combination_options=["--comb=$VALUE"])
    assert options.mysqld[:2] == ("--comb=v", "--from-suite-opt")
    assert "--own=v" in options.mysqld
    assert options.timezone == "Slave/Zone"
    assert options.config_template == tree / "include/default_my.cnf"


def test_default_time_zone_sets_gmt8(tree: Path) -> None:
    (tree / "suite/s/t/t-slave.opt").unlink()
    (tree / "suite/s/t/t.opt").write_text("--own")
    suite = suite_of_test(tree / "suite/s/t/t.test", tree)
    base = base_options(include_closure(suite.tdir / "t.test", suite))
    assert base.timezone == "GMT-8"
    assert "--default-time-zone=+03:00" in base.master


def test_restart_decisions(tree: Path) -> None:
    suite = suite_of_test(tree / "suite/s/t/t.test", tree)
    closure = include_closure(suite.tdir / "t.test", suite)
    first = server_options(closure, {"VALUE": "1"})
    same = server_options(closure, {"VALUE": "1"})
    other = server_options(closure, {"VALUE": "2"})
    assert first.key == same.key and not needs_restart(first, same)
    assert needs_restart(first, other)
    assert needs_restart(None, first)
    reordered = server_options(closure, {"VALUE": "1"}, combination_options=["--x", "--y"])
    assert needs_restart(server_options(closure, {"VALUE": "1"}, combination_options=["--y", "--x"]), reordered)
    _write(tree / "suite/s/t/t-master.sh", "true")
    scripted = server_options(closure, {"VALUE": "1"})
    assert scripted.always_restart and needs_restart(scripted, scripted)
    _write(tree / "suite/s/t/t.cnf", "")
    assert server_options(closure, {}).config_template == tree / "suite/s/t/t.cnf"


def test_rpl_tests_get_the_rpl_config(tree: Path) -> None:
    _write(tree / "suite/s/t/r.test", "--source include/master-slave.inc\n")
    suite = suite_of_test(tree / "suite/s/t/r.test", tree)
    options = server_options(include_closure(suite.tdir / "r.test", suite), {})
    assert options.config_template == tree / "suite/rpl/my.cnf"
    _write(tree / "suite/s/my.cnf", "")
    assert server_options(include_closure(suite.tdir / "r.test", suite), {}).config_template == tree / "suite/s/my.cnf"


def test_optional_plugins_turned_on() -> None:
    optional = ["innodb", "sequence", "partition", "unix-socket", "feedback"]
    options = [
        "--innodb",
        "--loose-sequence",
        "--loose-enable-partition",
        "--plugin-load-add=auth_socket.so",
        "--loose-enable-unix_socket",
        "--feedback=ON",
        "--loose-skip-plugin-feedback",
    ]
    assert plugins_turned_on(options, optional) == {"innodb", "sequence", "partition", "unix-socket"}
    assert plugins_turned_on(["--innodb=OFF", "--plugin-sequence=FORCE", "--skip-partition"], optional) == {"sequence"}
    assert plugins_turned_on(["--innodb", "--skip-innodb"], optional) == frozenset()


def test_mysqld_arguments() -> None:
    defaults, args = mysqld_arguments(
        ["--defaults-file=/x.cnf", "--binlog-format=row", "--skip-core-file", "--loose-skip-log-bin", "--a"],
        as_root=True,
        config_has_log_slave_updates=True,
    )
    assert defaults == "--defaults-file=/x.cnf"
    assert args == ["--user=root", "--log-output=file", "--a", "--loose-debug-sync-timeout=300"]
    _, args = mysqld_arguments(["--log-bin=master-bin", "--binlog-format=row", "--user=me"], as_root=True)
    assert args == [
        "--log-output=file",
        "--log-bin=master-bin",
        "--binlog-format=row",
        "--user=me",
        "--core-file",
        "--loose-debug-sync-timeout=300",
    ]
