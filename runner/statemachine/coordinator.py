"""Runs a test's machines at once, one thread each, and knows which is where.

Machines share a dictionary (with a lock), named events and a barrier. The first machine that fails
stops the others (their waits, sleeps and next statements end); the test's failure names every
machine with its state and the test-file line it was at.
"""

from __future__ import annotations

import ctypes
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from runner.statemachine.context import Context, MachineStopped, SqlError, TestAssertion
from runner.statemachine.machine import StateMachine
from runner.statemachine.where import ScriptFile

_STOP_GRACE = 2.0  # seconds a stopped machine gets to leave its handler before it is abandoned


@dataclass(slots=True)
class MachineStatus:
    state: str = "not started"
    done: bool = False
    stopped: bool = False
    error: BaseException | None = None
    line: int | None = None  # where it failed, or where it was when the test stopped
    thread: threading.Thread | None = None


@dataclass(frozen=True, slots=True)
class MachineFailure:
    """The first machine that failed: where, in which state, why; and how all machines stood."""

    machine: str
    state: str
    line: int | None
    message: str
    report: str


class Coordinator:
    def __init__(self, machines: list[StateMachine], test_file: ScriptFile) -> None:
        names = [m.name for m in machines]
        if len(set(names)) != len(names):
            raise ValueError(f"two machines have the same name: {names}")
        self.machines = machines
        self.test_file = test_file
        self.shared: dict[str, Any] = {}
        self.lock = threading.RLock()  # the test's, around its read-modify-writes of ``shared``
        self.monitor_lock = threading.Lock()  # the control connection answers one question at a time
        self.stopping = threading.Event()
        self.barrier = threading.Barrier(len(machines))
        self.status: dict[str, MachineStatus] = {m.name: MachineStatus() for m in machines}
        self.contexts: dict[str, Context] = {}
        self._events: dict[str, threading.Event] = {}
        self.on_state: Callable[[str, str], None] | None = None  # (machine, state): for the deadline's report
        self.first_failure: str | None = None

    # -- for the contexts -------------------------------------------------------------------------

    def event(self, name: str) -> threading.Event:
        with self.lock:
            return self._events.setdefault(name, threading.Event())

    def context(self, machine: str) -> Context:
        found = self.contexts.get(machine)
        if found is None:
            raise TestAssertion(f"no machine named '{machine}' (machines: {', '.join(self.contexts)})")
        return found

    def entered(self, machine: str, state: str) -> None:
        self.status[machine].state = state
        if self.on_state is not None:
            self.on_state(machine, state)

    # -- running ----------------------------------------------------------------------------------

    def run(self, make_context: Callable[[StateMachine], Context]) -> MachineFailure | None:
        """Every machine to its end; the first failure, if any. An exception raised in the calling
        thread while it waits (the test's deadline) stops the machines and goes up."""
        for machine in self.machines:
            self.contexts[machine.name] = make_context(machine)
        for machine in self.machines:
            thread = threading.Thread(target=self._run_one, args=(machine,), name=f"tidbrun-machine-{machine.name}",
                                      daemon=True)
            self.status[machine.name].thread = thread
            thread.start()
        try:
            for status in self.status.values():
                while status.thread is not None and status.thread.is_alive() and not self.stopping.is_set():
                    status.thread.join(0.05)
        except BaseException:
            self.stop(interrupt=True)
            raise
        if self.stopping.is_set():  # one failed: the others get a moment to leave, then are left
            self.stop(interrupt=True)
        return self.failure()

    def _run_one(self, machine: StateMachine) -> None:
        status = self.status[machine.name]
        try:
            machine.run(self.contexts[machine.name])
        except MachineStopped:
            status.stopped = True
        except BaseException as exc:
            if self.stopping.is_set() and self.first_failure is not None and isinstance(exc, SqlError | TestAssertion):
                status.stopped = True  # a consequence of the stop (a killed statement, a broken barrier)
            else:
                status.error = exc
                status.line = self.test_file.raised_at(exc.__traceback__)
                with self.lock:
                    if self.first_failure is None:
                        self.first_failure = machine.name
                self.stop()
        finally:
            status.done = True

    def stop(self, *, interrupt: bool = False) -> None:
        """Stop every machine still running: their waits end at once; ``interrupt`` also raises
        MachineStopped in a handler busy in Python code (a loop), and gives them a moment."""
        for status in self.status.values():
            if not status.done and status.line is None:
                status.line = self.test_file.thread_at(status.thread.ident if status.thread else None)
        self.stopping.set()
        self.barrier.abort()
        if not interrupt:
            return
        for status in self.status.values():
            thread = status.thread
            if thread is not None and thread.is_alive() and thread.ident is not None:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident),
                                                           ctypes.py_object(MachineStopped))
        deadline = time.monotonic() + _STOP_GRACE
        for status in self.status.values():
            if status.thread is not None:
                status.thread.join(max(0.0, deadline - time.monotonic()))

    # -- reporting --------------------------------------------------------------------------------

    def failure(self) -> MachineFailure | None:
        name = self.first_failure
        if name is None:
            return None
        status = self.status[name]
        error = status.error
        assert error is not None
        if isinstance(error, TestAssertion):
            message = str(error)
        elif isinstance(error, SqlError):
            message = f"statement failed: {error}"
        else:
            message = f"{type(error).__name__}: {error}"
        return MachineFailure(name, status.state, status.line, message, self.report())

    def stuck_line(self) -> int | None:
        """The test-file line of the first machine that had not finished when the test was stopped."""
        return next((s.line for s in self.status.values() if not s.done or s.stopped if s.line), None)

    def report(self) -> str:
        """One line per machine: its state, and the test-file line it failed at or was at."""
        lines = []
        for name, status in self.status.items():
            if status.error is not None:
                how = "failed"
            elif status.stopped or (self.stopping.is_set() and not status.done):
                how = "stopped"
            elif status.done:
                how = "finished"
            else:
                how = "running"
            where = f" at {self.test_file.display}:{status.line}" if status.line and how != "finished" else ""
            lines.append(f"machine '{name}': {how} in state '{status.state}'{where}")
        return "\n".join(lines)
