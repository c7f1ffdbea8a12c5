"""Kinds of test files: what a file found in a suite folder (or named on the command line) is,
and how a test of that kind is named, expanded, read, run and checked.

A kind is registered by the ``tidbrun_add_test_kinds`` hook (``runner.hooks``); tidbrun's own —
a mysqltest script (``x.test``), a Python state-machine test (``x.py``) and a templated test
(``x.test.j2``) — are registered the same way from their modules (``runner.run.kind_script``,
``kind_python``, ``kind_template``). A file no kind takes, named on the command line, is read as
a mysqltest script.

A kind subclasses ``TestKind``, sets ``name`` and ``suffix`` and implements ``load`` (and
``check`` when ``--parse-only`` can say more than "it exists"); the other methods have defaults
that fit a file whose name ends with ``suffix``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from runner.engine.outcomes import BreakLoop, TestExit, TestFailure, TestSkipped
from runner.errors import PluginError, TidbrunError
from runner.judge.compare import result_path_for
from runner.sessions.driver import ConnectError

if TYPE_CHECKING:
    from runner.engine.position import Position
    from runner.language.records import Record
    from runner.run.records import TestCase
    from runner.sessions.driver import Connection, ConnectParams
    from runner.sessions.session import StatementWrapper
    from runner.tidb.failpoints import FailpointScope


@dataclass(frozen=True, slots=True)
class Loading:
    """What a kind gets to read a test before it runs."""

    read: Callable[[bytes], list[Record]]  # the dialect's reader over the test's text (mysqltest records)
    variables: Mapping[str, str]  # the --var values


@dataclass(frozen=True, slots=True)
class TestRun:
    """What a kind's test gets to run with: the test's database, the run's connector, its output."""

    case: TestCase
    params: ConnectParams  # the test's database and account
    connect: Callable[[ConnectParams], Connection]  # the run's connector (retries, the dialect's set-up)
    parameters: Mapping[str, str]  # --var and the combination's parameters
    output: list[str]  # the test's output so far (kept when the test fails): append to echo
    reap_timeout: float
    position: Position  # where the test is, for its deadline
    wrapper: StatementWrapper | None  # the run's statement wrappers (the watchdog), for sessions
    failpoints: FailpointScope | None  # the server's failpoints (TiDB)
    script: Callable[[list[Record]], str]  # run mysqltest records as a .test runs them: their output

    @property
    def display(self) -> str:
        """The test file as reports name it (``file:line`` errors start with it)."""
        return str(self.case.path)


@dataclass(frozen=True, slots=True)
class LoadedTest:
    """A test read and ready to run: ``run`` gives its output (the judge compares it with the
    result) or raises ``TestFailure``/``TestSkipped`` (``runner.engine.outcomes``)."""

    run: Callable[[TestRun], str]
    # Scanned for the directives that need the pure-Python protocol or fault proxies.
    text: bytes = b""


@dataclass(frozen=True, slots=True)
class Checking:
    """What a kind gets for ``--parse-only`` (no server)."""

    read: Callable[[Path, bytes | None], list[Record]]  # the dialect's reader: the file, or the text given
    walk: Callable[[list[Record]], Iterator[str]]  # the lines records echo by themselves, directives checked


class TestKind:
    """One kind of test file. Every method but ``load`` has a default."""

    name = ""
    suffix = ""  # how the file's name ends (``.test``); also how a ``suite.test`` name finds it

    def takes(self, path: Path) -> bool:
        """Whether a file named on the command line is of this kind."""
        return path.name.endswith(self.suffix)

    def collects(self, path: Path, folder: Path) -> bool:
        """Whether ``path``, found below the suite folder ``folder`` (a suite's ``t/`` when it has
        one), is a test of this kind (and not a helper file that has the same ending)."""
        return self.takes(path)

    def bare_name(self, path: Path) -> str:
        """The test's name without the kind's ending (``x`` for ``t/x.test``)."""
        return path.name.removesuffix(self.suffix) if path.name.endswith(self.suffix) else path.stem

    def result_path(self, path: Path) -> Path:
        """Its result file: ``r/<name>.result`` beside a ``t/``, else ``<name>.result`` beside it."""
        return result_path_for(path, stem=self.bare_name(path))

    def expand(self, case: TestCase, matrix: Mapping[str, list[str]]) -> list[TestCase]:
        """Its runs: one per combination of its parameters (``--matrix`` gives ``matrix``)."""
        return [case]

    def load(self, case: TestCase, loading: Loading) -> LoadedTest:
        """Read the test (TestFileError or OSError: it errors before it connects)."""
        raise NotImplementedError(f"test kind {self.name!r} cannot run its tests")

    def check(self, path: Path, checking: Checking) -> Iterator[str]:
        """``--parse-only``: raise TestFileError on bad input; yield the lines a run echoes by itself."""
        return iter(())


class TestKinds:
    """The registered kinds, looked up by a test file's name."""

    FALLBACK = "test"  # the kind of a file no kind takes: a mysqltest script

    def __init__(self) -> None:
        self._kinds: list[TestKind] = []

    def add(self, kind: TestKind) -> None:
        """Register a kind; one named as a registered one replaces it."""
        self._kinds = [k for k in self._kinds if k.name != kind.name] + [kind]

    @property
    def all(self) -> tuple[TestKind, ...]:
        return tuple(self._kinds)

    def of(self, path: Path) -> TestKind:
        """The kind of a test file (the one registered last, of those that take it)."""
        taker = next((kind for kind in reversed(self._kinds) if kind.takes(path)), None)
        return taker or next(kind for kind in self._kinds if kind.name == self.FALLBACK)

    def files_in(self, folder: Path) -> list[Path]:
        """The test files below a suite folder, in name order."""
        suffixes = tuple(kind.suffix for kind in self._kinds)
        found: list[Path] = []
        for top, _, names in os.walk(folder):  # one walk for every kind (symlinked folders not followed)
            for name in names:
                if name.endswith(suffixes):
                    path = Path(top, name)
                    kind = self.of(path)
                    if kind.takes(path) and kind.collects(path, folder):
                        found.append(path)
        return sorted(found)

    def expand(self, cases: list[TestCase], matrix: Mapping[str, list[str]]) -> list[TestCase]:
        """Every test's runs (its combinations), in order."""
        return [run for case in cases for run in self.of(case.path).expand(case, matrix)]


class TestKindRegistering:
    """What a ``tidbrun_add_test_kinds`` hook gets: ``add(kind)`` with a ``TestKind``."""

    def __init__(self, kinds: TestKinds, plugin: str, *, builtin: bool) -> None:
        self._kinds = kinds
        self._plugin = plugin
        self._builtin = builtin

    def add(self, kind: TestKind) -> None:
        if not isinstance(kind, TestKind) or not kind.name or not kind.suffix:
            raise TypeError("a test kind is a runner.run.kind.TestKind with a name and a suffix")
        self._kinds.add(kind if self._builtin else _PluginKind(kind, self._plugin))


# What a kind may raise: a test's outcome, or an error of the test or of the server.
_PASS_THROUGH = (TestFailure, TestSkipped, TestExit, BreakLoop, TidbrunError, ConnectError, OSError)


class _PluginKind(TestKind):
    """A plugin's kind: anything else it raises stops the run with one line naming the plugin, as
    a plugin's directive or hook does, instead of passing for a bug of tidbrun."""

    def __init__(self, kind: TestKind, plugin: str) -> None:
        self.kind = kind
        self.plugin = plugin
        self.name = kind.name
        self.suffix = kind.suffix

    def _error(self, method: str, exc: Exception) -> PluginError:
        return PluginError(self.plugin, f"test kind '{self.name}': {method} raised {type(exc).__name__}: {exc}")

    def takes(self, path: Path) -> bool:
        try:
            return self.kind.takes(path)
        except Exception as exc:
            raise self._error("takes", exc) from None

    def collects(self, path: Path, folder: Path) -> bool:
        try:
            return self.kind.collects(path, folder)
        except Exception as exc:
            raise self._error("collects", exc) from None

    def bare_name(self, path: Path) -> str:
        try:
            return self.kind.bare_name(path)
        except Exception as exc:
            raise self._error("bare_name", exc) from None

    def result_path(self, path: Path) -> Path:
        try:
            return self.kind.result_path(path)
        except Exception as exc:
            raise self._error("result_path", exc) from None

    def expand(self, case: TestCase, matrix: Mapping[str, list[str]]) -> list[TestCase]:
        try:
            return self.kind.expand(case, matrix)
        except Exception as exc:
            raise self._error("expand", exc) from None

    def load(self, case: TestCase, loading: Loading) -> LoadedTest:
        try:
            loaded = self.kind.load(case, loading)
        except _PASS_THROUGH:
            raise
        except Exception as exc:
            raise self._error("load", exc) from None

        def run(test: TestRun) -> str:
            try:
                return loaded.run(test)
            except _PASS_THROUGH:
                raise
            except Exception as exc:
                raise self._error("run", exc) from None

        return LoadedTest(run, loaded.text)

    def check(self, path: Path, checking: Checking) -> Iterator[str]:
        try:
            yield from self.kind.check(path, checking)
        except _PASS_THROUGH:
            raise
        except Exception as exc:
            raise self._error("check", exc) from None
