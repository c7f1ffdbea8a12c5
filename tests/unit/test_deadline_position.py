"""The deadline timer learns where a test is from the interpreter's Position, not from its frames."""

from __future__ import annotations

import time

import pytest

from runner.engine.position import Position
from runner.faults.deadline import Deadlines
from runner.faults.deadline import TestTimedOut as TimedOut
from runner.faults.watch import Watch
from runner.language.records import Command, Location, Query


def _expire(position: Position) -> Deadlines:
    deadlines = Deadlines(Watch(None), testcase_timeout=0.05, suite_timeout=None)
    deadlines.arm(position)
    for _ in range(200):
        if deadlines.expiry is not None:
            break
        time.sleep(0.01)
    deadlines.disarm()
    return deadlines


def test_an_expiry_names_the_command_the_test_is_at() -> None:
    here = Location("t/a.inc", 3, Location("t/a.test", 7))
    deadlines = _expire(Position(Command(here, "sleep", " 30", "dash", ";"), in_body=True))
    assert deadlines.expiry is not None
    # Without the include chain: the failure is reported at this command, chain and all.
    assert deadlines.expiry.running == ["'sleep 30' at t/a.inc:3"]
    assert deadlines.expiry.location == here


def test_an_expiry_at_a_statement_names_its_line() -> None:
    deadlines = _expire(Position(Query(Location("t/a.test", 2), "select 1", ";"), in_body=True))
    assert deadlines.expiry is not None and deadlines.expiry.running == ["the test at t/a.test:2"]


def test_the_alarm_stops_the_body_but_not_the_cleanup_after_it() -> None:
    position = Position(Query(Location("t/a.test", 2), "select 1", ";"), in_body=True)
    deadlines = _expire(position)
    with pytest.raises(TimedOut) as stopped:
        deadlines._on_alarm(0, None)
    assert stopped.value.location == Location("t/a.test", 2)
    position.in_body = False
    deadlines._on_alarm(0, None)  # after the body: nothing raised
