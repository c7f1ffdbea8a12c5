"""Running a test written in Python (``runner.statemachine``): load it, run its machines, and
hand back its output, or fail it at the test file's line.

The machines' connections are sessions of the run (its connector with the retries of tidbrun's
own connections, its statement wrapper with the watchdog), so timeouts, blocking detection and
failpoints work as for a ``.test``. The test's deadline interrupts the wait for the machines; the
failure then names each machine's state and line.
"""

from __future__ import annotations

import importlib.util
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from runner.engine.outcomes import TestFailure, TestInputError
from runner.engine.position import Position
from runner.faults.deadline import TestTimedOut
from runner.language.records import Location, Record
from runner.sessions.block_monitor import BlockMonitor
from runner.sessions.driver import Connection, ConnectParams
from runner.sessions.session import Session, StatementWrapper
from runner.statemachine.context import Context, Services, TestConfig
from runner.statemachine.coordinator import Coordinator
from runner.statemachine.machine import FunctionHandler, StateMachine
from runner.statemachine.where import ScriptFile
from runner.tidb.failpoints import FailpointScope

_modules = itertools.count(1)


def is_python_test_file(path: Path) -> bool:
    """A ``.py`` found in a ``t/`` folder is a test when it uses the test API: suites keep helper
    scripts there too (MariaDB's rocksdb suites do)."""
    if path.name.startswith("_"):
        return False
    try:
        return b"runner.statemachine" in path.read_bytes()
    except OSError:
        return False


@dataclass(slots=True)
class PythonTestRun:
    """One run of one Python test, with what the run lends it."""

    path: Path
    display: str  # the test file as reports name it
    params: ConnectParams  # the test's database and account
    connect: Callable[[ConnectParams], Connection]  # the run's connector (retries, the dialect's set-up)
    variables: dict[str, str]  # --var and matrix parameters
    reap_timeout: float
    position: Position  # for the deadline: the state the machines last entered
    output: list[str]  # what the machines echo (kept when the test fails)
    wrapper: StatementWrapper | None = None
    failpoints: FailpointScope | None = None

    def run(self) -> str:
        """The test's output; TestFailure (at the test file's line) when it fails."""
        module = self._load()
        machines = _machines_of(module)
        if not machines:
            raise TestInputError(Location(self.display, 1), "declares no StateMachine at module level")
        test_file = ScriptFile(str(self.path), self.display)
        try:
            coordinator = Coordinator(machines, test_file)
        except ValueError as exc:
            raise TestInputError(Location(self.display, 1), str(exc)) from None
        output = self.output
        output_lock = threading.Lock()
        sessions: list[Session] = []
        monitor: list[BlockMonitor] = []

        def echo(line: str) -> None:
            with output_lock:
                output.append(line + "\n")

        def open_session(name: str) -> Session:
            session = Session(name, self.params, self.connect, self.wrapper)
            sessions.append(session)
            session.connect()
            return session

        def control() -> BlockMonitor:
            if not monitor:
                monitor.append(BlockMonitor.open(self.connect, self.params))
            return monitor[0]

        services = Services(open_session=open_session, echo=echo, failpoints=self.failpoints, monitor=control)
        config = TestConfig(host=self.params.host, port=self.params.port, socket=self.params.socket,
                            user=self.params.user, database=self.params.database,
                            reap_timeout=self.reap_timeout, variables=dict(self.variables))
        coordinator.on_state = lambda machine, state: self._note_state(machines, machine, state)

        def make_context(machine: StateMachine) -> Context:
            return Context(machine.name, config, services, coordinator, machine.start)

        self.position.in_body = True
        try:
            failure = coordinator.run(make_context)
        except TestTimedOut as timed_out:
            stuck = coordinator.stuck_line()
            location = Location(self.display, stuck) if stuck is not None else timed_out.location
            raise TestFailure(location, f"{timed_out.message}\n{coordinator.report()}") from None
        finally:
            self.position.in_body = False
            if monitor:
                monitor[0].kill_statements({s.name: s for s in sessions})
                monitor[0].close()
            for session in sessions:
                try:
                    session.close(abort=True)
                except Exception:  # a connection the server already ended
                    pass
        if failure is not None:
            where = Location(self.display, failure.line) if failure.line else None
            raise TestFailure(where, f"machine '{failure.machine}' failed in state '{failure.state}': "
                                     f"{failure.message}\n{failure.report}")
        return "".join(output)

    def _load(self) -> ModuleType:
        """The test file as a module of its own (a fresh one for every run of it)."""
        name = f"tidbrun_python_test_{next(_modules)}_{self.path.stem}"
        spec = importlib.util.spec_from_file_location(name, self.path)
        if spec is None or spec.loader is None:
            raise TestInputError(None, f"{self.display}: cannot be loaded as Python")
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except SyntaxError as exc:
            raise TestInputError(Location(self.display, exc.lineno or 1), f"SyntaxError: {exc.msg}") from None
        except Exception as exc:
            line = ScriptFile(str(self.path)).raised_at(exc.__traceback__) or 1
            raise TestInputError(Location(self.display, line),
                                 f"loading the test raised {type(exc).__name__}: {exc}") from None
        return module

    def _note_state(self, machines: list[StateMachine], machine: str, state: str) -> None:
        """Where the deadline reports the test to be: the handler of the state last entered."""
        handler = next((m.handlers.get(state) for m in machines if m.name == machine), None)
        line = _handler_line(handler, self.path)
        if line is not None:
            self.position.record = Record(Location(self.display, line))


def _machines_of(module: ModuleType) -> list[StateMachine]:
    declared = getattr(module, "machines", None)
    if isinstance(declared, list | tuple) and all(isinstance(m, StateMachine) for m in declared):
        return list(declared)
    return [value for value in vars(module).values() if isinstance(value, StateMachine)]


def _handler_line(handler: object, path: Path) -> int | None:
    function = handler.function if isinstance(handler, FunctionHandler) else getattr(handler, "execute", None)
    code = getattr(function, "__code__", None)
    if code is None or Path(code.co_filename).resolve() != path.resolve():
        return None
    return int(code.co_firstlineno)
