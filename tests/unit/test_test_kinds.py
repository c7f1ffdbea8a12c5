"""The registry of test kinds: the built-in ones come through the hook, a file's kind is the last
registered that takes it, a folder's files are those the kinds collect, and a bad kind is refused
with the plugin's name."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner import errors
from runner.errors import PluginError
from runner.hooks import hookimpl
from runner.plugins import Plugins
from runner.run import kind, records
from runner.run.kind import LoadedTest, Loading


class Echoes(kind.TestKind):
    name = "echoes"
    suffix = ".echo"

    def load(self, case: records.TestCase, loading: Loading) -> LoadedTest:
        return LoadedTest(lambda run: case.path.read_text())


class Scripts(kind.TestKind):
    """A plugin's own reading of ``.test`` files."""

    name = "own-test"
    suffix = ".test"

    def load(self, case: records.TestCase, loading: Loading) -> LoadedTest:
        return LoadedTest(lambda run: "")


class Adding:
    def __init__(self, *kinds: object) -> None:
        self.kinds = kinds

    @hookimpl
    def tidbrun_add_test_kinds(self, kinds: kind.TestKindRegistering) -> None:
        for each in self.kinds:
            kinds.add(each)  # type: ignore[arg-type]


def _files(root: Path, *names: str) -> None:
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("import runner.statemachine\n" if name.endswith(".py") else "")


def test_the_built_in_kinds_are_registered_through_the_hook(tmp_path: Path) -> None:
    kinds = Plugins(entry_points=False).kinds
    assert [(k.name, k.suffix) for k in kinds.all] == [("test", ".test"), ("python", ".py"),
                                                       ("template", ".test.j2")]
    assert kinds.of(Path("t/x.test.j2")).name == "template"
    assert kinds.of(Path("t/x.py")).name == "python"
    assert kinds.of(Path("t/x.inc")).name == "test"  # a file of no kind named on the command line
    assert kinds.of(Path("t/x.test.j2")).bare_name(Path("t/x.test.j2")) == "x"
    assert kinds.of(Path("t/x.test.j2")).result_path(Path("s/t/x.test.j2")) == Path("s/r/x.result")
    _files(tmp_path / "t", "a.test", "b.test.j2", "c.py", "_helper.py", "d.inc", "sub/e.test")
    _files(tmp_path, "f.py")
    assert [p.relative_to(tmp_path).as_posix() for p in kinds.files_in(tmp_path / "t")] == [
        "t/a.test", "t/b.test.j2", "t/c.py", "t/sub/e.test"]
    assert [p.name for p in kinds.files_in(tmp_path)] == ["a.test", "b.test.j2", "e.test"]  # .py: only in t/


def test_a_plugins_kind_is_found_and_wins_over_a_built_in_one(tmp_path: Path) -> None:
    kinds = Plugins(entry_points=False, objects=[("mine", Adding(Echoes(), Scripts()))]).kinds
    assert kinds.of(Path("x.echo")).name == "echoes"
    assert kinds.of(Path("x.test")).name == "own-test"
    assert kinds.of(Path("x.test.j2")).name == "template"
    _files(tmp_path / "t", "a.echo", "b.test", "c.txt")
    assert [p.name for p in kinds.files_in(tmp_path / "t")] == ["a.echo", "b.test"]


@pytest.mark.parametrize("bad", [object(), type("Nameless", (kind.TestKind,), {"suffix": ".x"})()])
def test_a_kind_that_is_not_one_stops_the_run_naming_the_plugin(bad: object) -> None:
    with pytest.raises(PluginError, match=r"^plugin 'broken'.*a test kind is a runner\.run\.kind\.TestKind"):
        Plugins(entry_points=False, objects=[("broken", Adding(bad))])


class Broken(kind.TestKind):
    name = "broken"
    suffix = ".broken"

    def load(self, case: records.TestCase, loading: Loading) -> LoadedTest:
        if case.name == "input":
            raise errors.TestFileError(None, "bad input")  # the test's error, not the plugin's
        raise KeyError("oops")


def test_a_plugins_kind_that_raises_stops_the_run_naming_the_plugin_but_a_tests_error_is_the_tests() -> None:
    broken = Plugins(entry_points=False, objects=[("mine", Adding(Broken()))]).kinds.of(Path("x.broken"))
    loading = Loading(read=lambda data: [], variables={})
    with pytest.raises(errors.PluginError, match=r"^plugin 'mine': test kind 'broken': load raised KeyError"):
        broken.load(records.TestCase(Path("x.broken"), "x", Path("x.result")), loading)
    with pytest.raises(errors.TestFileError, match="bad input"):
        broken.load(records.TestCase(Path("input.broken"), "input", Path("input.result")), loading)
