"""``tidbrun check``'s workflow: the steps every run takes before its first test, one at a time, each
timed — configuration resolved, the embedded server started (when no server is named), connecting
(with the run's retry policy), ``SELECT 1``, the database exists, version and flavour. The first
step that fails ends the workflow; the steps after it are skipped."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from runner.config.run_config import ServerSettings
from runner.faults import retry
from runner.faults.retry import Attempts
from runner.server.address import ServerAddress
from runner.server.connect import AdminConnection, AdminError, open_connection
from runner.server.flavour import detect_flavour, server_version

OK = "ok"
FAILED = "failed"
SKIPPED = "skipped"
DEFAULT_PORT = 3306  # a named host without a port, as the run takes it


@dataclass(slots=True)
class Step:
    name: str
    status: str = SKIPPED
    seconds: float = 0.0
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "seconds": round(self.seconds, 4), "detail": self.detail}


class StepFailed(Exception):
    """A step's failure, in the words shown at that step."""


@dataclass(slots=True)
class CheckReport:
    steps: list[Step] = field(default_factory=list)
    server: dict[str, Any] = field(default_factory=dict)  # address, user, version, flavour (no password)

    @property
    def ok(self) -> bool:
        return all(step.status == OK for step in self.steps)

    @property
    def failed_step(self) -> Step | None:
        return next((step for step in self.steps if step.status == FAILED), None)

    @property
    def seconds(self) -> float:
        return sum(step.seconds for step in self.steps)

    def as_dict(self) -> dict[str, Any]:
        failed = self.failed_step
        return {
            "ok": self.ok,
            "failed_step": failed.name if failed is not None else None,
            "seconds": round(self.seconds, 4),
            "server": self.server,
            "steps": [step.as_dict() for step in self.steps],
        }


STEP_NAMES = ("configuration", "embedded server", "connecting", "SELECT 1", "database exists", "version and flavour")


class Workflow:
    """Runs the steps in order; ``on_step`` is told of each as it ends (to print it at once)."""

    def __init__(
        self,
        server: ServerSettings,
        *,
        connect_timeout: float,
        configuration: Step,
        on_step: Callable[[Step], None] | None = None,
    ) -> None:
        self.settings = server
        self.policy = retry.CONNECT.with_deadline(connect_timeout)
        self.report = CheckReport([configuration])
        self.on_step = on_step or (lambda step: None)
        self.connection: AdminConnection | None = None

    def run(self) -> CheckReport:
        self.on_step(self.report.steps[0])
        with contextlib.ExitStack() as stack:
            try:
                if self.report.steps[0].status != OK:
                    raise StepFailed(self.report.steps[0].detail)
                address = self._server(stack)
                self._step("connecting", lambda: self._connect(address))
                stack.callback(self._close)
                self._step("SELECT 1", self._select_one)
                self._step("database exists", self._database)
                self._step("version and flavour", self._version)
            except StepFailed:
                pass
        done = {step.name for step in self.report.steps}
        for name in STEP_NAMES:
            if name not in done and not (name == "embedded server" and self.settings.external):
                self.report.steps.append(Step(name))
        return self.report

    def _step(self, name: str, action: Callable[[], str]) -> None:
        step = Step(name)
        self.report.steps.append(step)
        started = time.monotonic()
        try:
            step.detail = action()
            step.status = OK
        except StepFailed as exc:
            step.status, step.detail = FAILED, str(exc)
        except Exception as exc:  # an error of tidbrun's own (no server binary...) is the step's too
            step.status, step.detail = FAILED, str(exc) or type(exc).__name__
        finally:
            step.seconds = time.monotonic() - started
            self.on_step(step)
        if step.status == FAILED:
            raise StepFailed(step.detail)

    def _server(self, stack: contextlib.ExitStack) -> ServerAddress:
        settings = self.settings
        if settings.external:
            address = ServerAddress(host=settings.host or "127.0.0.1", port=settings.port or DEFAULT_PORT,
                                    socket=settings.socket, user=settings.user, password=settings.password)
            self.report.server.update(where=_where(address), embedded=False)
            return address
        started: list[ServerAddress] = []

        def start() -> str:
            from runner.server.embedded import EmbeddedServer

            server = stack.enter_context(EmbeddedServer())
            started.append(server.start())
            return f"{server.kind.kind} ({server.kind.server}) on {_where(started[0])}"

        self._step("embedded server", start)
        address = started[0]
        self.report.server.update(where=_where(address), embedded=True)
        return address

    def _connect(self, address: ServerAddress) -> str:
        attempts = Attempts()
        self.report.server["user"] = address.user
        try:
            self.connection = retry.call(
                lambda limit: open_connection(address, connect_timeout=limit), self.policy,
                f"connecting to {_where(address)}", attempts=attempts,
            )
        except retry.RetriesExhausted as exc:
            raise StepFailed(str(exc)) from None
        except AdminError as exc:
            raise StepFailed(f"{address.user}@{_where(address)}: {exc.errno} ({exc.sqlstate}): {exc.msg} "
                             f"(not retried: the server answered)") from None
        plural = "s" if attempts.count != 1 else ""
        return (f"{address.user}@{_where(address)} ({attempts.count} attempt{plural}; retries transient errors "
                f"for up to {self.policy.deadline:g} s)")

    def _select_one(self) -> str:
        rows = self._rows("SELECT 1")
        if rows != [("1",)]:
            raise StepFailed(f"SELECT 1 returned {rows!r}")
        return "1"

    def _database(self) -> str:
        name = self.settings.database
        rows = self._rows(f"SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '{_quoted(name)}'")
        self.report.server["database"] = name
        if not rows:
            raise StepFailed(f"no database '{name}' on the server that {self.settings.user} can see "
                             "(--database, TIDB_DATABASE or [server] database)")
        return name

    def _version(self) -> str:
        assert self.connection is not None
        try:
            version = server_version(self.connection)
        except AdminError as exc:
            raise StepFailed(f"{exc.errno} ({exc.sqlstate}): {exc.msg}") from None
        flavour = detect_flavour(version)
        self.report.server.update(version=version, flavour=flavour)
        return f"{version} ({flavour})"

    def _rows(self, sql: str) -> list[tuple[Any, ...]]:
        assert self.connection is not None
        try:
            return list(self.connection.query_rows(sql))
        except AdminError as exc:
            raise StepFailed(f"{exc.errno} ({exc.sqlstate}): {exc.msg}") from None

    def _close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def _where(address: ServerAddress) -> str:
    return address.socket if address.socket and not address.port else f"{address.host}:{address.port}"


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace("'", "''")


@contextlib.contextmanager
def timed(step: Step) -> Iterator[Step]:
    """Times a step run outside the workflow (the configuration, resolved by the command line)."""
    started = time.monotonic()
    try:
        yield step
    finally:
        step.seconds = time.monotonic() - started
