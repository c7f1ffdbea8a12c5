"""``--error`` lists: numbers, ER_* names, S<SQLSTATE>, and matching an error against them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from runner.errors import TidbrunError


class ErrorListError(TidbrunError):
    pass


@cache
def _names() -> dict[str, int]:
    from runner.language.error_names import ERROR_NAMES

    # mysqltest knows server (ER_/WARN_) and handler (HA_) names; client CR_ names are refused.
    return {name: number for name, number in ERROR_NAMES.items() if name[0] in "EWH"}


@cache
def _numbers() -> dict[int, str]:
    numbers: dict[int, str] = {}
    for name, number in _names().items():
        numbers.setdefault(number, name)
    return numbers


def error_name(errno: int) -> str:
    """The symbolic name mysqltest prints for an error number (``<Unknown>`` when it has none)."""
    return _numbers().get(errno, "<Unknown>")


@dataclass(frozen=True, slots=True)
class ExpectedErrors:
    codes: tuple[int | str, ...]  # an int is an errno, a str a SQLSTATE

    @classmethod
    def parse(cls, text: str) -> ExpectedErrors:
        codes: list[int | str] = []
        # mysqltest stops at the end of the text after stepping past a comma, so one comma at the
        # very end closes the list (`ER_X,`); any other empty entry (`ER_X,,ER_Y`, `,ER_X`) is refused.
        entries = text.split(",")
        if len(entries) > 1 and entries[-1] == "":
            entries.pop()
        for raw in entries:
            # mysqltest reads a code up to a blank; what follows is ignored (`ER_X 1425`).
            words = raw.split()
            token = words[0] if words else ""
            if not token:
                raise ErrorListError(f"empty entry in the error list '{text}'")
            if token.isdigit():
                codes.append(int(token))
            elif token[0] in "Ss" and len(token) == 6 and token[1:].isalnum():
                codes.append(token[1:].upper())
            elif token[0] in "Ss" and len(token) != 6 and token[1:].isalnum() and token[1].isdigit():
                raise ErrorListError(f"SQLSTATE must be 5 characters: '{token}'")
            else:
                number = _names().get(token)
                if number is None:
                    raise ErrorListError(f"unknown SQL error name '{token}'")
                codes.append(number)
        if len(codes) > 12:
            raise ErrorListError("too many errors listed (at most 12)")
        return cls(tuple(codes))

    @property
    def first_is_success(self) -> bool:
        first = self.codes[0]
        return first == 0 or first == "00000"

    @property
    def accepts_success(self) -> bool:
        """A statement that succeeds passes (mysqltest: only when the list starts with 0)."""
        return self.first_is_success

    def matches(self, errno: int, sqlstate: str) -> bool:
        return any(code == errno if isinstance(code, int) else code == sqlstate for code in self.codes)

    def describe_first(self) -> str:
        first = self.codes[0]
        if isinstance(first, int):
            return f"{error_name(first)} ({first})"
        return first
