"""The include closure of a test, found the way mysql-test-run.pl's get_tags_from_file finds it."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.mtr.closure import include_closure, include_files, resolve_include, scan_file
from runner.mtr.suites import find_basedir, suite_for_file, suite_of_test

MYSQL_TEST = Path("/usr/share/mysql/mysql-test")


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    base = tmp_path / "mysql-test"
    _write(base / "mariadb-test-run.pl", "")
    (base / "lib").mkdir(parents=True)
    _write(
        base / "include/a.inc",
        "--source include/b.inc\n# --source include/commented.inc\n--echo include/big_test.inc\n",
    )
    _write(base / "include/b.inc", "--source c.inc\n")  # beside the including file
    _write(base / "include/c.inc", "source include/a.inc;\n")  # a cycle back to a.inc
    _write(base / "include/commented.inc", "")
    _write(base / "include/never.inc", "")
    _write(base / "include/local.inc", "")
    _write(base / "main/include/local.inc", "")  # the test's folder wins over mysql-test/
    _write(
        base / "main/t1.test",
        "--source include/a.inc\n"
        "--source $MYSQL_TEST_DIR/include/never.inc\n"
        "--source include/missing.inc\n"
        "if (1) { --source include/never.inc\n}\n"
        "  source   include/local.inc;\n"
        "--source include/b.inc\n",
    )
    _write(base / "suite/foo/include/y.inc", "")
    _write(base / "include/y.inc", "")
    _write(base / "suite/foo/t/s.test", "--source include/y.inc\n--source include/master-slave.inc\n")
    return base


def test_closure_order_resolution_and_repeats(tree: Path) -> None:
    suite = suite_of_test(tree / "main/t1.test", tree)
    closure = include_closure(suite.tdir / "t1.test", suite)
    inc = tree / "include"
    assert closure.files == (
        tree / "main/t1.test",
        inc / "a.inc",
        inc / "b.inc",
        inc / "c.inc",
        tree / "main/include/local.inc",
    )
    # Repeats are kept (MTR adds a file's options once per `source` line).
    assert closure.sources[tree / "main/t1.test"] == (inc / "a.inc", tree / "main/include/local.inc", inc / "b.inc")
    assert closure.sources[inc / "b.inc"] == (inc / "c.inc",)
    assert closure.sources[inc / "c.inc"] == (inc / "a.inc",)  # the cycle is recorded, not followed
    # Lines are matched, not executed: the --echo mentions big_test.inc, the commented line does not count.
    assert closure.tags == frozenset({"big_test"})
    assert include_files(suite.tdir / "t1.test", suite) == list(closure.includes)


def test_suite_folder_before_mysql_test_folder(tree: Path) -> None:
    suite = suite_of_test(tree / "suite/foo/t/s.test", tree)
    assert (suite.name, suite.dir, suite.tdir, suite.pm_dir) == (
        "foo",
        tree / "suite/foo",
        tree / "suite/foo/t",
        tree / "suite/foo",
    )
    closure = include_closure(suite.tdir / "s.test", suite)
    assert closure.includes == (tree / "suite/foo/include/y.inc",)
    assert closure.tags == frozenset({"rpl_test"})  # master-slave.inc named, even though it is missing


def test_unreadable_and_variable_names(tree: Path) -> None:
    suite = suite_of_test(tree / "main/t1.test", tree)
    assert resolve_include("$X/include/a.inc", tree / "main/t1.test", suite) is None
    assert scan_file(tree / "does-not-exist.inc").includes == ()


def test_suite_naming(tree: Path) -> None:
    assert find_basedir(tree / "main") == tree
    main = suite_of_test(tree / "main/t1.test", tree)
    assert (main.name, main.pm_dir, main.rdir) == ("main", tree, tree / "main")
    _write(tree / "plugin/p/main/t/o.test", "")
    overlay = suite_of_test(tree / "plugin/p/main/t/o.test", tree)
    assert (overlay.name, overlay.overlay_of) == ("main-p", "main")
    _write(tree / "plugin/p/own/x.test", "")
    assert suite_of_test(tree / "plugin/p/own/x.test", tree).name == "own"
    assert suite_for_file(tree / "include/a.inc", tree) == ("main", tree)
    assert suite_for_file(tree / "suite/foo/include/y.inc", tree) == ("foo", tree / "suite/foo")


@pytest.mark.skipif(not MYSQL_TEST.is_dir(), reason="needs the mariadb-test package's mysql-test tree")
def test_real_tree_closure() -> None:
    suite = suite_of_test(MYSQL_TEST / "main/create_or_replace2.test")
    closure = include_closure(suite.tdir / "create_or_replace2.test", suite)
    names = [p.relative_to(suite.basedir).as_posix() for p in closure.files]
    assert names[0] == "main/create_or_replace2.test"
    for wanted in ("include/have_debug.inc", "include/have_binlog_format_row.inc", "include/master-slave.inc"):
        assert wanted in names
    assert names.index("include/have_debug.inc") < names.index("include/have_binlog_format_row.inc")
    assert "rpl_test" in closure.tags
    big = suite_of_test(MYSQL_TEST / "main/alter_table-big.test")
    assert "big_test" in include_closure(big.tdir / "alter_table-big.test", big).tags
