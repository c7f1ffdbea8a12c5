"""Picking tests by name: suite.test names both ways, --do-test/--skip-test, -k, and the summary's
closing lines."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runner.cli.names import resolve_arguments
from runner.config.selection import Selection
from runner.report.closing import closing_lines
from runner.report.collect import list_collected
from runner.run import records
from runner.run.names import UnknownTestName, display_name, resolve_name, split_name, suite_name
from runner.run.select import SelectionError, check, compile_keyword, select
from runner.run.suite import discover


def make(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("select 1;\n")
    return path


def mtr_tree(root: Path) -> Path:
    tree = root / "mysql-test"
    make(tree / "mysql-test-run.pl")
    (tree / "lib").mkdir()
    make(tree / "main" / "alias.test")
    make(tree / "main" / "join.test")
    make(tree / "suite" / "innodb" / "t" / "alias.test")
    make(tree / "suite" / "spider" / "bugfix" / "t" / "mdev.test")
    return tree


def test_suite_names_as_mysql_test_run_prints_them(tmp_path: Path) -> None:
    tree = mtr_tree(tmp_path)
    assert [display_name(c) for c in discover([tree / "main"])] == ["main.alias", "main.join"]
    assert display_name(discover([tree / "suite" / "innodb"])[0]) == "innodb.alias"
    assert display_name(discover([tree / "suite" / "spider" / "bugfix"])[0]) == "spider/bugfix.mdev"
    case = discover([tree / "main" / "alias.test"])[0]
    assert display_name(records.TestCase(case.path, "alias 'innodb,row'", case.result)) == "main.alias 'innodb,row'"


def test_suite_names_outside_a_mysql_test_tree(tmp_path: Path) -> None:
    make(tmp_path / "suite" / "t" / "isolation.test")
    make(tmp_path / "integrationtest" / "t" / "executor" / "delete.test")
    make(tmp_path / "loose" / "x.test")
    assert display_name(discover([tmp_path / "suite"])[0]) == "suite.isolation"
    assert display_name(discover([tmp_path / "integrationtest"])[0]) == "integrationtest.executor/delete"
    assert display_name(discover([tmp_path / "loose" / "x.test"])[0]) == "loose.x"
    assert suite_name(tmp_path / "loose" / "x.test", "x") == "loose"


def test_names_printed_are_accepted_back(tmp_path: Path) -> None:
    tree = mtr_tree(tmp_path)
    make(tmp_path / "suite" / "t" / "isolation.test")
    for case in [*discover([tree / "main"]), *discover([tree / "suite" / "innodb"]),
                 *discover([tree / "suite" / "spider" / "bugfix"]), *discover([tmp_path / "suite"])]:
        path, only = resolve_name(display_name(case), [tmp_path])
        assert (path.resolve(), only) == (case.path.resolve(), None)
    path, only = resolve_name("main.alias 'innodb,row'", [tree])
    assert path.resolve() == (tree / "main" / "alias.test").resolve()
    assert only == "main.alias 'innodb,row'"


def test_a_name_that_is_no_test_or_several_is_refused(tmp_path: Path) -> None:
    mtr_tree(tmp_path)
    with pytest.raises(UnknownTestName, match=re.escape("nor a test named so: main.nothing")):
        resolve_name("main.nothing", [tmp_path])
    with pytest.raises(UnknownTestName, match="no such test file or folder: nodot"):
        resolve_name("nodot", [tmp_path])
    make(tmp_path / "a" / "s" / "t" / "x.test")
    make(tmp_path / "b" / "s" / "t" / "x.test")
    with pytest.raises(UnknownTestName, match=re.escape("s.x names more than one test")):
        resolve_name("s.x", [tmp_path / "a", tmp_path / "b"])


def test_split_name() -> None:
    assert split_name("main.alias") == ("main", "alias", None)
    assert split_name("main.t 'a,b'") == ("main", "t", "a,b")
    assert split_name("t/x.test") is None and split_name("x") is None and split_name("main.t junk") is None


def cases(tmp_path: Path) -> list[records.TestCase]:
    tree = mtr_tree(tmp_path)
    found = discover([tree / "main", tree / "suite" / "innodb"])
    alias = found[0]
    return [records.TestCase(alias.path, "alias 'a'", alias.result),
            records.TestCase(alias.path, "alias 'b'", alias.result), *found[1:]]


def names(kept: list[records.TestCase]) -> list[str]:
    return [display_name(case) for case in kept]


def test_do_test_and_skip_test_as_mysql_test_run(tmp_path: Path) -> None:
    all_cases = cases(tmp_path)
    kept, left_out = select(all_cases, Selection(do_test=("ali",)))
    assert names(kept) == ["main.alias 'a'", "main.alias 'b'", "innodb.alias"] and left_out == 1
    # A plain pattern is a prefix, of the bare name or of suite.test; others are searched.
    assert names(select(all_cases, Selection(do_test=("main.al",)))[0]) == ["main.alias 'a'", "main.alias 'b'"]
    assert names(select(all_cases, Selection(do_test=("lias",)))[0]) == []
    assert names(select(all_cases, Selection(do_test=("j[o]in$",)))[0]) == ["main.join"]
    assert names(select(all_cases, Selection(skip_test=("innodb", "'b'")))[0]) == ["main.alias 'a'", "main.join"]


def test_k_expressions_as_pytest(tmp_path: Path) -> None:
    all_cases = cases(tmp_path)
    assert names(select(all_cases, Selection(keyword="alias and not innodb"))[0]) == ["main.alias 'a'",
                                                                                      "main.alias 'b'"]
    assert names(select(all_cases, Selection(keyword="JOIN or (innodb and alias)"))[0]) == ["main.join",
                                                                                            "innodb.alias"]
    assert names(select(all_cases, Selection(keyword="not not join"))[0]) == ["main.join"]
    assert compile_keyword("")("anything")


@pytest.mark.parametrize(("expression", "why"), [
    ("a and", "ends too early"), ("(a or b", "'(' is not closed"), ("a b", "unexpected 'b'"),
    ("or a", "unexpected 'or'"), (")", "unexpected ')'"),
])
def test_k_expressions_that_cannot_be_read(expression: str, why: str) -> None:
    with pytest.raises(SelectionError, match=re.escape(why)):
        compile_keyword(expression)


def test_a_named_combination_runs_alone(tmp_path: Path) -> None:
    all_cases = cases(tmp_path)
    basedir = tmp_path / "mysql-test"
    paths, selection = resolve_arguments([Path("main.alias 'b'")], basedir, [], [], None)
    assert paths[0].resolve() == (basedir / "main" / "alias.test").resolve()
    assert names(select(all_cases, selection)[0]) == ["main.alias 'b'", "main.join", "innodb.alias"]


def test_bad_patterns_are_refused_before_the_run(tmp_path: Path) -> None:
    with pytest.raises(SelectionError, match="--do-test '\\(': not a regular expression"):
        resolve_arguments([tmp_path], None, ["("], [], None)
    with pytest.raises(SelectionError, match="-k 'a and'"):
        resolve_arguments([tmp_path], None, [], [], "a and")


def test_closing_lines_name_every_failure_and_the_slowest() -> None:
    ran = [(0.1, "s.a", "pass"), (3.0, "s.b", "fail"), (0.2, "s.c 'x'", "error"), (1.0, "s.d", "pass"),
           (0.3, "s.e", "pass"), (0.05, "s.f", "pass"), (0.4, "s.g", "pass")]
    lines = closing_lines(ran)
    assert lines[:4] == ["", "failed (2):", "  s.b", "  s.c 'x'"]
    assert lines[4:6] == ["", "slowest 5:"]
    assert [line.split()[0] for line in lines[6:]] == ["s.b", "s.d", "s.g", "s.e", "s.c"]
    assert lines[6].split() == ["s.b", "3000", "ms"]
    assert closing_lines([(0.1, "s.a", "pass")]) == []


def test_collect_only_lists_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    all_cases = cases(tmp_path)
    skipped = records.TestCase(all_cases[-1].path, all_cases[-1].name, all_cases[-1].result, skip="Test requires: 'x'")
    assert list_collected([*all_cases[:-1], skipped], deselected=2) == 0
    out = capsys.readouterr()
    assert out.out.splitlines() == ["main.alias 'a'", "main.alias 'b'", "main.join",
                                    "innodb.alias  (skip: Test requires: 'x')"]
    assert out.err == "4 tests collected, 1 of them skipped, 2 deselected\n"


def test_an_argument_too_long_for_a_file_name_is_a_usage_error(tmp_path: Path) -> None:
    for argument in ("a." + "x" * 300, "x" * 300 + ".test"):
        with pytest.raises(ValueError, match=r"cannot use the test argument .*: File name too long"):
            resolve_arguments([Path(argument)], tmp_path, [], [], None)


@given(st.lists(st.sampled_from(["a", "b", " ", "(", ")", "and", "or", "not", "é", "\t"]), max_size=20).map(" ".join))
@settings(max_examples=300, deadline=None)
def test_any_k_expression_is_read_or_refused_in_one_line(expression: str) -> None:
    try:
        matcher = compile_keyword(expression)
    except SelectionError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("-k ")
        return
    assert matcher("main.a b") in (True, False)


@given(st.text(max_size=30))
@settings(max_examples=200, deadline=None)
def test_any_do_test_pattern_is_compiled_or_refused(pattern: str) -> None:
    try:
        check(Selection(do_test=(pattern,)))
    except SelectionError as exc:
        assert str(exc).startswith("--do-test ")
