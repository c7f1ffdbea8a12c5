"""What every result dialect is asked to write, and the display settings it is given."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from runner.render.transforms import Replacer
from runner.sessions.driver import Outcome, Result, ServerError

Warning_ = tuple[str, str, str]  # level, code, message as SHOW WARNINGS gives them


@dataclass(slots=True)
class View:
    """How the next statement's output is shown: the test's toggles plus its one-shot modifiers."""

    result_log: bool = True
    warnings: bool = True
    info: bool = False
    session_track: bool = False  # enable_session_track_info
    metadata: bool = False
    column_names: bool = True
    vertical: bool = False
    sorted: bool = False
    lowercase: bool = False
    replace: Replacer = field(default_factory=Replacer)
    replace_column: dict[int, str] | None = None
    # Nothing but result sets, column names and rows as they come (set once: a View is not changed
    # after it is made): the renderers' short path for the statement after statement of a test.
    plain: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        self.plain = bool(
            self.result_log and self.column_names and not (
                self.info or self.session_track or self.metadata or self.vertical or self.sorted or self.lowercase
                or self.replace or self.replace_column
            )
        )


@dataclass(slots=True)
class ErrorVerdict:
    """How an error (or its absence) matched the test's ``--error`` list."""

    expected: bool
    listed: int  # how many codes the --error list had
    first_is_success: bool  # the list starts with 0 (success allowed)


class Dialect(Protocol):
    name: str

    def statement(self, sql: str, delimiter: str, view: View) -> str:
        """The echo of a statement in the query log."""
        ...

    def outcome(self, outcome: Outcome, warnings: list[Warning_] | None, view: View) -> str:
        """Result sets, counters and warnings of a statement that did not fail (warnings None:
        it raised none)."""
        ...

    def results(self, results: list[Result], view: View) -> str:
        """The result sets a statement produced before it failed."""
        ...

    def error(self, error: ServerError, verdict: ErrorVerdict, view: View) -> str:
        """An error the test expected (or accepts because abort-on-error is off)."""
        ...
