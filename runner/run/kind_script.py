"""The mysqltest script (``x.test``): read by the dialect's reader, run by the interpreter."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from runner.hooks import hookimpl
from runner.run.kind import Checking, LoadedTest, Loading, TestKind, TestKindRegistering
from runner.run.records import TestCase


class ScriptKind(TestKind):
    name = "test"
    suffix = ".test"

    def bare_name(self, path: Path) -> str:
        return path.stem  # also the name of a file of no kind named on the command line

    def load(self, case: TestCase, loading: Loading) -> LoadedTest:
        text = case.path.read_bytes()  # read once: for the protocol check and for the reader
        records = loading.read(text)
        return LoadedTest(lambda run: run.script(records), text)

    def check(self, path: Path, checking: Checking) -> Iterator[str]:
        yield from checking.walk(checking.read(path, None))


@hookimpl
def tidbrun_add_test_kinds(kinds: TestKindRegistering) -> None:
    kinds.add(ScriptKind())
