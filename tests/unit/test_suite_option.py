"""--suite NAME[,NAME]: the suites of a mysql-test tree, as mysql-test-run.pl's --suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.cli.names import resolve_arguments
from runner.mtr.suites import suite_folders
from runner.run.select import select
from runner.run.suite import discover


def tree(root: Path) -> Path:
    base = root / "mysql-test"
    for file in ("mysql-test-run.pl", "main/a.test", "main/a2.test", "suite/inno/t/b.test",
                 "plugin/sp/sp/bugfix/t/c.test", "plugin/ov/main/d.test"):
        (base / file).parent.mkdir(parents=True, exist_ok=True)
        (base / file).touch()
    (base / "lib").mkdir()
    return base


def test_suite_folders_as_mtr_lays_them_out(tmp_path: Path) -> None:
    base = tree(tmp_path)
    assert suite_folders("main", base) == [base / "main"]  # not the plugin's overlay of main
    assert suite_folders("inno", base) == [base / "suite" / "inno"]
    assert suite_folders("sp/bugfix", base) == [base / "plugin" / "sp" / "sp" / "bugfix"]
    assert suite_folders("nope", base) == []


def test_suites_alone_name_the_tests(tmp_path: Path) -> None:
    base = tree(tmp_path)
    paths, selection = resolve_arguments([], base, [], [], None, ["inno,sp/bugfix", "inno"])
    assert paths == [base / "suite" / "inno", base / "plugin" / "sp" / "sp" / "bugfix"]
    assert [c.name for c in select(discover(paths), selection)[0]] == ["b", "c"]


def test_the_tree_as_argument_becomes_its_suites_and_other_paths_are_filtered(tmp_path: Path) -> None:
    base = tree(tmp_path)
    paths, selection = resolve_arguments([base], None, [], [], None, ["main"])
    assert paths == [base / "main"]
    paths, selection = resolve_arguments([base / "main", base / "suite" / "inno"], None, [], [], None, ["inno"])
    kept, deselected = select(discover(paths), selection)
    assert [c.name for c in kept] == ["b"] and deselected == 2


def test_a_bare_test_name_is_looked_for_in_the_suites(tmp_path: Path) -> None:
    base = tree(tmp_path)
    paths, _ = resolve_arguments([Path("b")], base, [], [], None, ["main,inno"])
    assert paths == [base / "suite" / "inno" / "t" / "b.test"]
    with pytest.raises(ValueError, match="no test zz in the suites main, inno"):
        resolve_arguments([Path("zz")], base, [], [], None, ["main,inno"])


def test_a_suite_the_tree_lacks_or_no_tree_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = tree(tmp_path)
    with pytest.raises(ValueError, match="--suite nope: no such suite in"):
        resolve_arguments([], base, [], [], None, ["nope"])
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match="--suite names suites of a mysql-test tree"):
        resolve_arguments([], None, [], [], None, ["main"])
    with pytest.raises(ValueError, match="give test files or folders"):
        resolve_arguments([], None, [], [], None, [])
