"""The state machines' own logic: transitions, handlers, the coordinator's events, barrier and
failure report. The standard workflow needs a server (tests/e2e/test_python_tests.py); these
machines start their own states from ``initial``, as a custom workflow may."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from runner.statemachine import Context, Handler, StateMachine, states
from runner.statemachine.context import Services, TestConfig
from runner.statemachine.coordinator import Coordinator, MachineFailure
from runner.statemachine.where import ScriptFile

THIS = Path(__file__)


def run(
    *machines: StateMachine, variables: dict[str, str] | None = None
) -> tuple[Coordinator, list[str], MachineFailure | None]:
    lines: list[str] = []
    lock = threading.Lock()

    def echo(line: str) -> None:
        with lock:
            lines.append(line)

    def no_session(name: str):
        raise AssertionError("these machines open no connection")

    coordinator = Coordinator(list(machines), ScriptFile(str(THIS), "t/x.py"))
    config = TestConfig("127.0.0.1", 3306, None, "root", "test", reap_timeout=2.0, variables=variables or {})
    services = Services(open_session=no_session, echo=echo)
    failure = coordinator.run(lambda m: Context(m.name, config, services, coordinator, m.start))
    return coordinator, lines, failure


def own_workflow(name: str, first: str) -> StateMachine:
    machine = StateMachine(name)
    machine.add(states.INITIAL, lambda ctx: first)
    return machine


def test_states_follow_the_names_handlers_return_and_class_handlers_enter_execute_exit() -> None:
    machine = own_workflow("m", "counting")
    calls: list[str] = []

    @machine.state("counting")
    class Counting(Handler):
        def enter(self, ctx: Context) -> None:
            calls.append("enter")

        def execute(self, ctx: Context) -> str:
            calls.append("execute")
            ctx.echo("rows:", ctx.var("rows", 3) * 2)
            return "ending"

        def exit(self, ctx: Context) -> None:
            calls.append("exit")

    @machine.state()
    def ending(ctx: Context) -> str:
        ctx.local["seen"] = True
        return states.COMPLETED

    coordinator, lines, failure = run(machine, variables={"rows": "21"})
    assert failure is None
    assert lines == ["rows: 42"]
    assert calls == ["enter", "execute", "exit"]
    assert coordinator.status["m"].state == states.COMPLETED


def test_events_order_two_machines_and_the_barrier_joins_them() -> None:
    first = own_workflow("first", "talking")
    second = own_workflow("second", "answering")

    @first.state()
    def talking(ctx: Context) -> str:
        ctx.echo("first: one")
        ctx.signal("said one")
        ctx.wait_for("said two")
        ctx.echo("first: three")
        ctx.barrier()
        return states.COMPLETED

    @second.state()
    def answering(ctx: Context) -> str:
        ctx.wait_for("said one")
        ctx.echo("second: two")
        with ctx.lock:
            ctx.shared["count"] = ctx.shared.get("count", 0) + 1
        ctx.signal("said two")
        ctx.barrier()
        return states.COMPLETED

    for _ in range(5):
        coordinator, lines, failure = run(first, second)
        assert failure is None
        assert lines == ["first: one", "second: two", "first: three"]
        assert coordinator.shared == {"count": 1}


def test_a_failing_machine_stops_the_others_and_the_report_says_where_each_was() -> None:
    checker = own_workflow("checker", "checking")
    waiter = own_workflow("waiter", "waiting")

    @checker.state()
    def checking(ctx: Context) -> str:
        ctx.wait_for("waiting")
        ctx.fail("wrong answer")  # the failing line
        return states.COMPLETED

    @waiter.state()
    def waiting(ctx: Context) -> str:
        ctx.signal("waiting")
        ctx.wait_for("never", timeout=60)  # the waiting line
        return states.COMPLETED

    source = THIS.read_text().splitlines()
    fail_line = source.index('        ctx.fail("wrong answer")  # the failing line') + 1
    wait_line = source.index('        ctx.wait_for("never", timeout=60)  # the waiting line') + 1
    _, _, failure = run(checker, waiter)
    assert failure is not None
    assert (failure.machine, failure.state, failure.line, failure.message) == (
        "checker", "checking", fail_line, "wrong answer")
    assert failure.report.splitlines() == [
        f"machine 'checker': failed in state 'checking' at t/x.py:{fail_line}",
        f"machine 'waiter': stopped in state 'waiting' at t/x.py:{wait_line}",
    ]


def test_an_exception_is_reported_with_its_type_at_the_line_that_raised_it() -> None:
    machine = own_workflow("m", "dividing")

    @machine.state()
    def dividing(ctx: Context) -> str:
        return str(1 // len(ctx.name.strip("m")))  # raises

    _, _, failure = run(machine)
    assert failure is not None and failure.message.startswith("ZeroDivisionError")
    raising = '        return str(1 // len(ctx.name.strip("m")))  # raises'
    assert failure.line == THIS.read_text().splitlines().index(raising) + 1


@pytest.mark.parametrize(
    ("returned", "message"),
    [
        ("nowhere", "machine 'm' has no state 'nowhere'"),
        (None, "returned None, not the name of the next state"),
        (states.ERROR, "machine 'm' ended in state 'error'"),
    ],
)
def test_a_wrong_transition_fails_the_machine(returned: object, message: str) -> None:
    machine = own_workflow("m", "going")
    machine.add("going", lambda ctx: returned)  # type: ignore[arg-type,return-value]
    _, _, failure = run(machine)
    assert failure is not None and message in failure.message


def test_a_wait_that_is_never_answered_fails_after_its_timeout() -> None:
    machine = own_workflow("m", "waiting")

    @machine.state()
    def waiting(ctx: Context) -> str:
        ctx.wait_for("nobody", timeout=0.2)
        return states.COMPLETED

    _, _, failure = run(machine)
    assert failure is not None and failure.message == "event 'nobody' was not signalled within 0.2 s"


def test_a_machine_cannot_name_a_final_state_nor_share_a_name() -> None:
    machine = StateMachine("m")
    with pytest.raises(ValueError, match="ends a machine"):
        machine.add(states.COMPLETED, lambda ctx: states.COMPLETED)
    with pytest.raises(ValueError, match="same name"):
        Coordinator([StateMachine("a"), StateMachine("a")], ScriptFile(str(THIS)))


def test_a_python_file_of_a_t_folder_is_a_test_when_it_uses_the_test_api(tmp_path: Path) -> None:
    from runner.run.suite import discover

    folder = tmp_path / "suite" / "t"
    folder.mkdir(parents=True)
    (folder / "machines.py").write_text("from runner.statemachine import StateMachine\nm = StateMachine()\n")
    (folder / "load_generator.py").write_text("import sys\n")  # a suite's helper script
    (folder / "_shared.py").write_text("from runner.statemachine import states\n")
    (folder / "plain.test").write_text("select 1;\n")
    cases = discover([tmp_path / "suite"])
    assert [(c.name, c.result.name) for c in cases] == [("machines", "machines.result"), ("plain", "plain.result")]
