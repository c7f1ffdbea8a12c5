"""Running a ``--permutations`` block, the way PostgreSQL's isolationtester runs a spec.

Each session of the block gets a connection of its own for the whole block. For every permutation
tidbrun runs the block's setup (on the test's current connection) and each session's setup, then
the steps in order: it sends a step and watches it (``runner.sessions.block_monitor``) until it finishes or
waits for a lock. A step that waits is reported ``<waiting ...>`` and the next step goes on; after
every step the waiting ones are looked at again, in the order they started waiting, and reported
``<... completed>`` when they finish. A step whose session is still busy with an earlier step
waits for it first. When nothing more can run — the steps left wait on each other — the
permutation ends with a message, the waiting statements are killed, and the teardowns run.
After the session teardowns tidbrun rolls back whatever a session left open, so each permutation
starts from the same state.

The lines go to the result in the test's dialect::

    starting permutation: s1a s2a s1c
    step s1a: update t set v = 2 where id = 1
    step s2a: update t set v = 3 where id = 1 <waiting ...>
    step s1c: commit
    step s2a: <... completed>
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from runner.engine.outcomes import TestFailure, TestInputError
from runner.engine.state import Modifiers
from runner.engine.variables import VariableError
from runner.engine.waits import failure, monitor_of
from runner.language.permutation_block import permutation_lines
from runner.render.base import ErrorVerdict
from runner.sessions.block_monitor import BlockMonitor, Verdict
from runner.sessions.driver import ConnectError, Outcome
from runner.sessions.lock_probes import ProbeError
from runner.sessions.session import Session, SessionStateError

if TYPE_CHECKING:
    from runner.engine.interpreter import Interpreter
    from runner.language.records import Location, PermutationLine, Permutations, Sql, Step

MUTUALLY_BLOCKED = "failed to complete permutation due to mutually-blocking steps"
_KILLED_GRACE_SECONDS = 10.0


def run_permutations(ctx: Interpreter, block: Permutations) -> None:
    run = _BlockRun(ctx, block)
    try:
        run.open()
        for line in permutation_lines(block):
            run.permutation(line)
    finally:
        run.close()
        ctx.modifiers = Modifiers()
        ctx.expected = None


@dataclass(slots=True, eq=False)
class _Running:
    step: Step
    session: Session
    held_by: tuple[str, ...]  # steps whose completion must be reported before this one's


class _BlockRun:
    def __init__(self, ctx: Interpreter, block: Permutations) -> None:
        self.ctx = ctx
        self.block = block
        self.view = ctx.view()
        self.sessions: dict[str, Session] = {}
        self.steps = {step.name: step for spec in block.sessions for step in spec.steps}
        self.running: dict[str, _Running] = {}  # session name → its unfinished step
        self.waiting: list[_Running] = []  # reported <waiting ...>, in that order
        self.monitor: BlockMonitor | None = None

    # -- the block's connections ---------------------------------------------------------------------

    def open(self) -> None:
        try:
            self.monitor = monitor_of(self.ctx)
        except (ConnectError, ProbeError) as exc:
            raise TestFailure(self.block.location, f"permutations: cannot open the control connection: {exc}") from None
        for spec in self.block.sessions:
            session = Session(spec.name, self.ctx.defaults, self.ctx.connect, self.ctx.statement_wrapper)
            try:
                session.connect()
            except ConnectError as exc:
                raise TestFailure(spec.location, f"session {spec.name}: cannot connect: {exc}") from None
            self.sessions[spec.name] = session

    def close(self) -> None:
        if self.monitor is not None:
            self.monitor.kill_statements(self.sessions)
        for session in self.sessions.values():
            try:
                session.close()
            except Exception:
                pass

    # -- one permutation --------------------------------------------------------------------------------

    def permutation(self, line: PermutationLine) -> None:
        self.ctx.out.append(f"\nstarting permutation: {' '.join(line.steps)}\n")
        self.running.clear()
        self.waiting.clear()
        for sql in self.block.setup:
            self.run_sql(self.ctx.session(sql.location), sql, "setup")
        for spec in self.block.sessions:
            for sql in spec.setup:
                self.run_sql(self.sessions[spec.name], sql, f"setup of session {spec.name}")
        completed = True
        for index, name in enumerate(line.steps):
            step = self.steps[name]
            if step.session in self.running and not self.finish_session(step.session):
                self.mutually_blocked(line.steps[index:])
                completed = False
                break
            self.start(step, line.blockers.get(index, ()), line.location)
        if completed and not self.drain():
            self.mutually_blocked(())
        for spec in self.block.sessions:
            for sql in spec.teardown:
                self.run_sql(self.sessions[spec.name], sql, f"teardown of session {spec.name}")
        for session in self.sessions.values():
            session.execute("ROLLBACK")  # whatever a session left open must not reach the next one
        for sql in self.block.teardown:
            self.run_sql(self.ctx.session(sql.location), sql, "teardown")

    def start(self, step: Step, held_by: tuple[str, ...], location: Location) -> None:
        session = self.sessions[step.session]
        try:
            session.send(self.ctx.expand(step.sql.text))
        except VariableError as exc:
            raise TestInputError(step.sql.location, str(exc)) from None
        running = _Running(step, session, held_by)
        self.running[step.session] = running
        verdict = self.watch(running)
        if verdict is Verdict.DONE and not self.held(running):
            self.complete(running, first=True)
        else:
            self.ctx.out.append(f"step {step.name}: {step.sql.text} <waiting ...>\n")
            self.waiting.append(running)
        self.check_waiting()

    def watch(self, running: _Running) -> Verdict:
        assert self.monitor is not None
        try:
            watched = self.monitor.watch(running.session, self.ctx.reap_timeout)
        except ProbeError as exc:
            raise TestFailure(running.step.sql.location, f"step {running.step.name}: cannot ask the server whether "
                                                         f"it is blocked: {exc}") from None
        if watched.verdict is Verdict.RUNNING:
            raise self.failure(running.step.sql.location, f"step {running.step.name} neither finished nor waited "
                                                          f"for a lock within {self.ctx.reap_timeout:g} s "
                                                          "(--reap-timeout)")
        return watched.verdict

    def held(self, running: _Running) -> bool:
        active = {r.step.name for r in self.running.values() if r is not running}
        return any(name in active for name in running.held_by)

    def check_waiting(self) -> None:
        """Report the waiting steps that finished, in the order they started waiting; again from
        the start after each report, since a finished step may have let another one go on."""
        progress = True
        while progress and self.waiting:
            progress = False
            for running in list(self.waiting):
                if self.watch(running) is Verdict.DONE and not self.held(running):
                    self.waiting.remove(running)
                    self.complete(running, first=False)
                    progress = True
                    break

    def finish_session(self, name: str) -> bool:
        """The next step's session is still busy with an earlier step: wait for that one (a lock
        wait timeout may end it). False when it did not finish in time."""
        running = self.running[name]
        if not running.session.wait_done(self.ctx.reap_timeout):
            return False
        self.check_waiting()
        return name not in self.running

    def drain(self) -> bool:
        """After the last step: wait for the steps still waiting. False when they do not finish."""
        deadline = time.monotonic() + self.ctx.reap_timeout
        while self.waiting:
            while not any(r.session.wait_done(0) for r in self.waiting):
                if time.monotonic() >= deadline:
                    return False
                self.waiting[0].session.wait_done(0.01)
            before = len(self.waiting)
            self.check_waiting()
            if len(self.waiting) == before and time.monotonic() >= deadline:
                return False
        return True

    def mutually_blocked(self, not_run: tuple[str, ...]) -> None:
        waiting = " ".join(r.step.name for r in self.running.values())
        text = f"{MUTUALLY_BLOCKED} (waiting: {waiting}"
        text += f"; not run: {' '.join(not_run)})" if not_run else ")"
        self.ctx.out.append(text + "\n")
        assert self.monitor is not None
        self.monitor.kill_statements(self.sessions)
        for running in list(self.running.values()):
            if not running.session.wait_done(_KILLED_GRACE_SECONDS):
                raise self.failure(running.step.sql.location, f"step {running.step.name} did not stop after KILL QUERY")
            running.session.reap()
        self.running.clear()
        self.waiting.clear()

    # -- output ---------------------------------------------------------------------------------------

    def complete(self, running: _Running, *, first: bool) -> None:
        outcome = running.session.reap()
        del self.running[running.step.session]
        step = running.step
        head = f"step {step.name}: {step.sql.text}\n" if first else f"step {step.name}: <... completed>\n"
        self.ctx.out.append(head + self.render(outcome, running.session))

    def render(self, outcome: Outcome, session: Session) -> str:
        dialect, view = self.ctx.dialect, self.view
        if outcome.error is not None:
            self.ctx.set_error_variables(outcome.error.errno)
            before = dialect.results(outcome.results, view) if outcome.results else ""
            return before + dialect.error(outcome.error, ErrorVerdict(False, 0, False), view)
        self.ctx.set_error_variables(0)
        warnings = self.ctx.fetch_warnings(session) if outcome.warning_count and view.warnings else None
        return dialect.outcome(outcome, warnings, view)

    def run_sql(self, session: Session, sql: Sql, what: str) -> None:
        """A setup or teardown: its result sets are shown, an error stops the test."""
        try:
            session.send(self.ctx.expand(sql.text))
        except VariableError as exc:
            raise TestInputError(sql.location, str(exc)) from None
        except SessionStateError as exc:
            raise TestFailure(sql.location, f"{what}: {exc}") from None
        if not session.wait_done(self.ctx.reap_timeout):
            raise self.failure(sql.location, f"{what} did not finish within {self.ctx.reap_timeout:g} s "
                                             "(--reap-timeout)")
        outcome = session.reap()
        if outcome.error is not None:
            error = outcome.error
            raise TestFailure(sql.location, f"{what} failed: {error.errno} ({error.sqlstate}): {error.message}")
        if any(result.columns is not None for result in outcome.results):
            self.ctx.out.append(self.ctx.dialect.outcome(outcome, None, self.view))

    def failure(self, location: Location, message: str) -> TestFailure:
        shown = {**self.ctx.sessions, **{f"{name} (permutations)": s for name, s in self.sessions.items()}}
        return failure(self.ctx, location, message, shown)

