"""A tidbrun bug one test runs into (an unexpected exception out of the test's run) makes that test
err with the exception named; the run goes on with the next test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from runner.engine.position import Position
from runner.faults.breaker import CircuitBreaker
from runner.faults.deadline import Deadlines
from runner.faults.reach import Reach
from runner.faults.watch import Watch
from runner.run import guard as guard_module
from runner.run import suite
from runner.server.address import ServerAddress


class FakeRunner:
    """The part of SuiteRunner the guard uses; run_one fails as a bug would for test 'bad'."""

    def __init__(self) -> None:
        self.address = ServerAddress(host="127.0.0.1", port=3306, socket=None, user="root")
        self.between_tests: Any = None
        self.position = Position()

    def run_one(self, case: suite.TestCase) -> suite.TestReport:
        if case.name == "bad":
            raise RuntimeError("something tidbrun did not expect")
        return suite.TestReport(case, "pass", 0.0)

    def connect_params(self) -> Any:
        return None


def case(name: str) -> suite.TestCase:
    return suite.TestCase(Path(f"/t/{name}.test"), name, Path(f"/r/{name}.result"))


def guard(monkeypatch: pytest.MonkeyPatch) -> guard_module.TestGuard:
    monkeypatch.delenv("TIDBRUN_DEBUG", raising=False)
    watch = Watch(None, None)
    return guard_module.TestGuard(FakeRunner(), watch=watch, deadlines=Deadlines(watch, None, None),  # type: ignore[arg-type]
                     reach=Reach(CircuitBreaker()))


def test_the_test_errs_and_the_next_one_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    g = guard(monkeypatch)
    bad = g.run(case("bad"))
    assert bad.status == "error"
    assert bad.message.startswith("internal error: RuntimeError: something tidbrun did not expect")
    assert g.run(case("good")).status == "pass"


def test_with_tidbrun_debug_the_exception_goes_up(monkeypatch: pytest.MonkeyPatch) -> None:
    g = guard(monkeypatch)
    monkeypatch.setenv("TIDBRUN_DEBUG", "1")
    with pytest.raises(RuntimeError):
        g.run(case("bad"))
