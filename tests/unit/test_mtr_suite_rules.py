"""suite.pm evaluated by Perl as MTR does, disabled.def, and the order of MTR's static skips."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from runner.mtr.closure import include_closure
from runner.mtr.features import MysqldFeatures
from runner.mtr.suite_rules import (
    MtrSettings,
    RuleBook,
    Skip,
    disabled,
    disabled_list,
    evaluate_suite_pms,
    parse_disabled,
    static_skip,
)
from runner.mtr.suites import suite_of_test

MYSQL_TEST = Path("/usr/share/mysql/mysql-test")
HAVE_MTR_PERL = (MYSQL_TEST / "lib/My/Suite.pm").is_file() and shutil.which("perl") is not None
needs_perl = pytest.mark.skipif(not HAVE_MTR_PERL, reason="needs perl and mysql-test's lib/")

FEATURES = MysqldFeatures(
    version_id=101119,
    version="10.11.19-MariaDB",
    variables={"have-x": "YES", "version-ssl-library": "OpenSSL 3.0.17"},
    optional_plugins=("innodb",),
)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


MAIN_SUITE_PM = """package My::Suite::Main;
@ISA = qw(My::Suite);
sub skip_combinations {
  my %skip;
  $skip{'include/have_debug.inc'} = 'Requires debug build' unless defined $::mysqld_variables{'debug-dbug'};
  $skip{'include/have_x.inc'} = 'Need x' unless $::mysqld_variables{'have-x'} eq 'YES';
  $skip{'include/have_y.inc'} = 'Need Y_SO' unless $ENV{Y_SO};
  $skip{'include/platform.combinations'} = [ 'win' ];
  $skip{'main/t_only.test'} = 'not this one' if $::opt_ps_protocol;
  %skip;
}
bless { };
"""


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    base = tmp_path / "mysql-test"
    _write(base / "mariadb-test-run.pl", "")
    if MYSQL_TEST.is_dir():
        (base / "lib").symlink_to(MYSQL_TEST / "lib")
    _write(base / "suite.pm", MAIN_SUITE_PM)
    for name in ("have_debug", "have_x", "have_y", "big_test"):
        _write(base / f"include/{name}.inc", "")
    _write(base / "include/platform.inc", "")
    _write(base / "include/platform.combinations", "[win]\n\n[unix]\n")
    _write(base / "suite/off/suite.pm", 'return "No off engine" unless $ENV{OFF_SO};\nbless { };\n')
    _write(base / "suite/off/t/a.test", "")
    _write(base / "suite/dies/suite.pm", "die 'broken suite.pm';\n")
    _write(base / "suite/errs/suite.pm", "use mtr_report; mtr_error('No SST scripts'); bless { };\n")
    return base


@needs_perl
def test_suite_pm_answers(tree: Path) -> None:
    env = {"PATH": "/usr/bin:/bin"}
    found = evaluate_suite_pms(
        [tree, tree / "suite/off", tree / "suite/dies", tree / "suite/errs", tree / "suite/none"],
        tree,
        FEATURES,
        env=env,
    )
    main = found[tree]
    assert main.skip is None and main.error is None
    assert main.file_skips == {
        tree / "include/have_debug.combinations": "Requires debug build",
        tree / "include/have_y.combinations": "Need Y_SO",
    }
    assert main.choice_skips == {tree / "include/platform.combinations": frozenset({"win"})}
    assert found[tree / "suite/off"].skip == "No off engine"
    assert "broken suite.pm" in (found[tree / "suite/dies"].error or "")
    assert "No SST scripts" in (found[tree / "suite/errs"].error or "")  # mtr_error fails the suite only
    assert found[tree / "suite/none"].skip is None  # no suite.pm: My::Suite's defaults
    # The answer depends on the server, the environment and MTR's options; each is cached.
    again = evaluate_suite_pms([tree], tree, FEATURES, env=env)
    assert again[tree] is main
    with_y = evaluate_suite_pms([tree], tree, FEATURES, env={**env, "Y_SO": "y.so"})[tree]
    assert tree / "include/have_y.combinations" not in with_y.file_skips
    debug = MysqldFeatures(1, "1", {**FEATURES.variables, "debug-dbug": ""}, ())
    assert (
        tree / "include/have_debug.combinations"
        not in evaluate_suite_pms([tree], tree, debug, env=env)[tree].file_skips
    )
    ps = evaluate_suite_pms([tree], tree, FEATURES, env=env, settings=MtrSettings(ps_protocol=True))[tree]
    assert ps.file_skips[tree / "main/t_only.combinations"] == "not this one"


@needs_perl
def test_static_skip_order(tree: Path) -> None:
    book = RuleBook(tree, FEATURES, env={"PATH": "/usr/bin:/bin"})

    def skip_of(path: Path) -> Skip | None:
        suite = suite_of_test(path, tree)
        return static_skip(include_closure(suite.tdir / path.name, suite), book)

    _write(tree / "main/dbg.test", "--source include/have_x.inc\n--source include/have_debug.inc\n")
    assert skip_of(tree / "main/dbg.test") == Skip("Requires debug build")
    _write(tree / "main/two.test", "--source include/have_debug.inc\n--source include/have_y.inc\n")
    # Dimensions apply in reverse: the last include's skip is met first.
    assert skip_of(tree / "main/two.test") == Skip("Need Y_SO")
    _write(tree / "main/big.test", "--source include/have_debug.inc\n--source include/big_test.inc\n")
    assert skip_of(tree / "main/big.test") == Skip("Test needs --big-test")
    _write(
        tree / "main/disabled.def", "# comment\nbig : not today  \nmain.wild* : all of them\nother.x : wrong suite\n"
    )
    assert skip_of(tree / "main/big.test") == Skip("not today", disabled=True)
    _write(tree / "main/wildcat.test", "")
    assert skip_of(tree / "main/wildcat.test") == Skip("all of them", disabled=True)
    assert skip_of(tree / "suite/off/t/a.test") == Skip("No off engine")
    _write(tree / "main/plain.test", "--source include/platform.inc\n")
    assert skip_of(tree / "main/plain.test") is None
    big_book = RuleBook(tree, FEATURES, env={"PATH": "/usr/bin:/bin"}, settings=MtrSettings(big_test=1))
    suite = suite_of_test(tree / "main/dbg.test", tree)
    (tree / "main/disabled.def").unlink()
    assert static_skip(include_closure(suite.tdir / "big.test", suite), big_book) == Skip("Requires debug build")


def test_disabled_def(tmp_path: Path) -> None:
    suite_dir = tmp_path / "mysql-test/suite/s"
    _write(suite_dir / "disabled.def", "a : one\ns.b: two\n  c-d :   \nbad line\nx.e : wrong suite\n")
    _write(suite_dir / "t/disabled.def", "zz_* : wildcard\n")
    _write(suite_dir / "t/a.test", "")
    listing = parse_disabled([suite_dir / "disabled.def", suite_dir / "t/disabled.def"], "s")
    assert listing.exact == {"s.a": "one", "s.b": "two", "s.c-d": ""}
    assert listing.wildcards == (("s.zz_*", "wildcard"),)
    suite = suite_of_test(suite_dir / "t/a.test", tmp_path / "mysql-test")
    assert disabled("a", suite) == "one"
    assert disabled("c-d", suite) == ""  # an empty comment still disables
    assert disabled("zz_1", suite) == "wildcard"
    assert disabled("zz", suite) == "wildcard"  # MTR matches the entry as a regex: "_*" is "any number of _"
    assert disabled("e", suite) is None
    # A --skip-test-list entry without a suite name matches that test in any suite.
    skip_list = _write(tmp_path / "unstable-tests", "e : flaky everywhere\nother.a : not this suite's\n")
    assert disabled("e", suite, disabled_list(suite, [skip_list])) == "flaky everywhere"
    assert disabled("a", suite, disabled_list(suite, [skip_list])) == "one"
