"""mysql-tester's ``--error`` list (``checkExpectedError`` with ``--check-error=true``).

It differs from mysqltest's: the list is split on ``,`` and every item kept, so ``--error 1451, 1451``
has two items (and prints ``Got one of the listed errors``); an item is a number or a name from
mysql-tester's own table, an unknown name is kept but never matches; ``0`` anywhere in the list
lets the statement succeed, while only a ``0`` *first* keeps a matching error off the result.
Errors are matched by number only (no SQLSTATE), and only server errors have one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from runner.dialects.mysql_tester.reader import go_trim_space
from runner.engine.expected_errors import ExpectedErrors

_ATOI = re.compile(r"[+-]?[0-9]+")
# Client-side errors (connection lost, …): Go's driver reports them as plain errors, not MySQLError.
_CLIENT_ERRORS = range(2000, 3000)


@cache
def _names() -> dict[str, int]:
    from runner.dialects.mysql_tester.error_names import TESTER_ERROR_NAMES

    return TESTER_ERROR_NAMES


@dataclass(frozen=True, slots=True)
class TesterExpectedErrors(ExpectedErrors):
    items: tuple[str, ...] = ()  # the list as written, each item trimmed

    @classmethod
    def parse(cls, text: str) -> TesterExpectedErrors:
        items = tuple(go_trim_space(item) for item in go_trim_space(text).split(","))
        return cls(tuple(_code(item) for item in items), items)

    @property
    def first_is_success(self) -> bool:
        return self.items[0] == "0"

    @property
    def accepts_success(self) -> bool:
        return "0" in self.items

    def matches(self, errno: int, sqlstate: str) -> bool:
        if errno == 0 or errno in _CLIENT_ERRORS:
            return False
        return any(isinstance(code, int) and code == errno for code in self.codes)

    def unknown_names(self) -> list[str]:
        return [code for code in self.codes if isinstance(code, str)]


def _code(item: str) -> int | str:
    """A number (Go's Atoi), a known name's number, or the unknown name itself."""
    if _ATOI.fullmatch(item):
        return int(item)
    return _names().get(item, item)
