"""The Python state-machine test (``x.py`` in a suite's ``t/``, ``runner.run.python_test``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from runner.errors import TestFileError
from runner.hooks import hookimpl
from runner.language.records import Location
from runner.run.kind import Checking, LoadedTest, Loading, TestKind, TestKindRegistering, TestRun
from runner.run.python_test import PythonTestRun, is_python_test_file
from runner.run.records import TestCase
from runner.run.templates import expand_case


class PythonKind(TestKind):
    name = "python"
    suffix = ".py"

    def collects(self, path: Path, folder: Path) -> bool:
        # A Python file elsewhere is a helper, not a test.
        return folder.name == "t" and is_python_test_file(path)

    def expand(self, case: TestCase, matrix: Mapping[str, list[str]]) -> list[TestCase]:
        # A Python test reads the parameters of --matrix with ctx.var().
        return expand_case(case, matrix) if matrix else [case]

    def load(self, case: TestCase, loading: Loading) -> LoadedTest:
        return LoadedTest(_run)  # the module is loaded when it runs: its errors fail the test at their line

    def check(self, path: Path, checking: Checking) -> Iterator[str]:
        try:
            compile(path.read_bytes(), str(path), "exec")
        except SyntaxError as exc:
            raise TestFileError(Location(str(path), exc.lineno or 1), f"SyntaxError: {exc.msg}") from None
        except (OSError, ValueError) as exc:
            raise TestFileError(None, f"cannot read {path}: {exc}") from None
        return iter(())


def _run(run: TestRun) -> str:
    return PythonTestRun(
        run.case.path, run.display, run.params, run.connect, dict(run.parameters), run.reap_timeout,
        run.position, run.output, run.wrapper, run.failpoints,
    ).run()


@hookimpl
def tidbrun_add_test_kinds(kinds: TestKindRegistering) -> None:
    kinds.add(PythonKind())
