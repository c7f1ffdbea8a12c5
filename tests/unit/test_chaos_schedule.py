"""Reading a chaos schedule (``tidbrun stress --chaos``): the actions, and the errors that name the
action at fault."""

from __future__ import annotations

import pytest

from runner.stress.chaos_schedule import Action, ScheduleError, check_fits, parse_schedule


def test_every_action_in_one_schedule() -> None:
    schedule = parse_schedule("10s kill; 12s restart; 30s pause 5s; 45s cut 3s; 60s delay 200ms 5s")
    assert schedule.actions == (
        Action(10, "kill"), Action(12, "restart"), Action(30, "pause", 5), Action(45, "cut", 3),
        Action(60, "delay", 5, 0.2),
    )
    assert schedule.end == 65 and schedule.touches_server
    assert [action.describe() for action in schedule.actions] == [
        "kill", "restart", "pause for 5s", "cut for 3s", "delay 200ms for 5s"]


def test_new_lines_units_and_a_bare_latency_in_milliseconds() -> None:
    schedule = parse_schedule("500ms cut 1.5s\n\n1m delay 50 2s;")
    assert schedule.actions == (Action(0.5, "cut", 1.5), Action(60, "delay", 2, 0.05))
    assert not schedule.touches_server


@pytest.mark.parametrize(("text", "message"), [
    ("", "the chaos schedule is empty"),
    ("kill", "'kill': an action is a time and what to do"),
    ("ten kill; 12s restart", "'ten kill': 'ten' is not a duration"),
    ("1s explode", "'1s explode': unknown action 'explode'"),
    ("1s pause", "'1s pause': usage: AT pause FOR"),
    ("1s kill now; 2s restart", "'1s kill now': usage: AT kill"),
    ("1s delay 2s", "'1s delay 2s': usage: AT delay LATENCY FOR"),
    ("1s delay 0ms 2s", "a delay is above 0 and at most 60s"),
    ("1s cut 0s", "a cut must last longer than 0 s"),
    ("5s cut 1s; 2s cut 1s", "'2s cut for 1s' comes after a later time"),
    ("1s kill", "the server is left killed: add a restart after the last kill"),
    ("1s kill; 2s pause 1s; 3s restart", "'2s pause for 1s': the server is killed then"),
    ("1s pause 5s; 2s kill; 8s restart", "'2s kill': the server is paused then"),
    ("1s pause 5s; 3s restart", "'3s restart': the server is paused then"),
    ("1s cut 5s; 3s delay 100ms 1s", "'3s delay 100ms for 1s' overlaps the cut or delay before it"),
])
def test_errors_name_the_action(text: str, message: str) -> None:
    with pytest.raises(ScheduleError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_schedule(text)


def test_a_pause_over_is_no_obstacle_and_a_restart_of_a_running_server_is_allowed() -> None:
    schedule = parse_schedule("1s pause 1s; 2s kill; 3s restart; 4s restart")
    assert [action.kind for action in schedule.actions] == ["pause", "kill", "restart", "restart"]


def test_every_action_must_be_over_before_the_load_ends() -> None:
    schedule = parse_schedule("5s kill; 6s restart; 8s cut 3s")
    check_fits(schedule, 12)
    with pytest.raises(ScheduleError, match=r"'8s cut for 3s' ends at 11s, not before the end of the load \(10s\)"):
        check_fits(schedule, 10)
