"""The templated test (``x.test.j2``, ``runner.run.templates``): a mysqltest script rendered for
each combination of its matrix."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from runner.errors import TestFileError
from runner.hooks import hookimpl
from runner.language.records import Record
from runner.run.kind import Checking, LoadedTest, Loading, TestKind, TestKindRegistering
from runner.run.records import TestCase
from runner.run.templates import TEMPLATE_SUFFIX, FrontMatter, combinations, expand_template, render


class TemplateKind(TestKind):
    name = "template"
    suffix = TEMPLATE_SUFFIX

    def expand(self, case: TestCase, matrix: Mapping[str, list[str]]) -> list[TestCase]:
        return expand_template(case, matrix)

    def load(self, case: TestCase, loading: Loading) -> LoadedTest:
        rendered = render(case.path, dict(case.parameters), loading.variables)
        try:
            records = loading.read(rendered.text)
        except TestFileError as exc:
            raise rendered.error(exc, str(case.path)) from None
        rendered.relocate(records, str(case.path))
        return LoadedTest(lambda run: run.script(records), rendered.text)

    def check(self, path: Path, checking: Checking) -> Iterator[str]:
        # Each combination of the front matter's matrix, with no --var.
        front = FrontMatter(path, path.read_text(encoding="utf-8", errors="replace"))
        for combination in combinations(front.matrix):
            rendered = render(path, dict(combination), {})
            try:
                records: list[Record] = checking.read(path, rendered.text)
            except TestFileError as exc:
                raise rendered.error(exc, str(path)) from None
            rendered.relocate(records, str(path))
            yield from checking.walk(records)


@hookimpl
def tidbrun_add_test_kinds(kinds: TestKindRegistering) -> None:
    kinds.add(TemplateKind())
