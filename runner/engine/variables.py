"""mysqltest variables: ``$name`` values, their expansion, and how they read as numbers and truth."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from runner.errors import TidbrunError

_VAR_NAME = re.compile(r"[A-Za-z0-9_]+")
_INT = re.compile(r"[ \t]*[-+]?[0-9]+")


class VariableError(TidbrunError):
    pass


class Variables:
    """Test variables; an unknown name falls back to the environment, then to empty (as mysqltest).

    Names are case-insensitive, as in MariaDB's mysqltest (``$datadir`` reads ``$DATADIR``; tests
    count on it); the environment handed to child processes keeps its own spelling.
    """

    def __init__(self, environment: Mapping[str, str] | None = None) -> None:
        self._values: dict[str, str] = {}
        self.environment: dict[str, str] = dict(os.environ if environment is None else environment)
        self._environment_folded: dict[str, str] | None = None

    def get(self, name: str) -> str:
        value = self._values.get(name.lower())
        if value is None:
            value = self.environment.get(name)
            if value is None:
                if self._environment_folded is None:
                    self._environment_folded = {k.lower(): v for k, v in self.environment.items()}
                value = self._environment_folded.get(name.lower(), "")
        return value

    def set(self, name: str, value: str) -> None:
        self._values[name.lower()] = value

    def update(self, values: Mapping[str, str]) -> None:
        """Set several variables at once (the interpreter's per-statement $mysql_errno/$mysql_errname;
        names given in lower case)."""
        self._values.update(values)

    def set_env(self, name: str, value: str) -> None:
        """``let NAME = value`` without a dollar sets the variable and exports it to child processes."""
        self._values[name.lower()] = value
        self.environment[name] = value
        self._environment_folded = None

    def __contains__(self, name: str) -> bool:
        return name.lower() in self._values

    def expand(self, text: str, *, keep_escapes: bool = False) -> str:
        """Replace ``$name`` by its value; ``\\$``, ``\\\\`` and ``\\"`` escape (mysqltest's do_eval)."""
        if "$" not in text and "\\" not in text:
            return text
        out: list[str] = []
        i, n = 0, len(text)
        escaped = False
        while i < n:
            c = text[i]
            if c == "$":
                if escaped:
                    escaped = False
                    out.append(c)
                    i += 1
                    continue
                if text.startswith("(", i + 1):
                    i = self._expression(text, i, out)
                    continue
                m = _VAR_NAME.match(text, i + 1)
                if m is None:
                    raise VariableError(f"bad variable name after '$' in: {text.strip()[:80]}")
                out.append(self.get(m.group()))
                i = m.end()
                continue
            if c == "\\":
                nxt = text[i + 1 : i + 2]
                if escaped:
                    escaped = False
                    out.append(c)
                elif nxt in ("\\", "$", '"'):
                    escaped = True
                    if keep_escapes:
                        out.append(c)
                else:
                    out.append(c)
                i += 1
                continue
            escaped = False
            out.append(c)
            i += 1
        return "".join(out)

    def _expression(self, text: str, start: int, out: list[str]) -> int:
        """``$(...)`` at ``start``: the parentheses pair up in the raw text, then the inside is expanded
        and evaluated (MDEV-36107); returns the index after the closing parenthesis."""
        # The evaluator loads with the first $(...): most tests have none.
        from runner.engine.expressions import ExpressionError, closing_paren, evaluate_to_text, unmatched_message

        close = closing_paren(text, start + 1)
        if close is None:
            raise ExpressionError(unmatched_message(text[start:]))
        out.append(evaluate_to_text(self.expand(text[start + 2 : close])))
        return close + 1


def as_int(value: str) -> int | None:
    """The value as mysqltest's var_check_int sees it: a whole integer, or None."""
    m = _INT.fullmatch(value.rstrip(" \t"))
    return int(m.group()) if m else None


def is_true(value: str) -> bool:
    """mysqltest's truth: a non-zero integer, or a string not starting (after blanks/signs) with 0."""
    number = as_int(value)
    if number is not None:
        return number != 0
    stripped = value.lstrip(" \t\r\n-+")
    return bool(stripped) and not stripped.startswith("0")
