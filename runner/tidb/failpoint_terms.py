"""pingcap/failpoint's term grammar: which texts a failpoint can be enabled with.

A term chain is ``term ( "->" term )*``; a term is ``modifier* action [ "(" value ")" ]``:

- modifiers: ``N*`` (only the next N evaluations) and ``P%`` (with probability P, ``50%``,
  ``12.5%``), in any number and order;
- actions: ``off``, ``return``, ``sleep``, ``panic``, ``break``, ``print``, ``pause``;
- value: nothing, ``()``, a string (``"text"`` or `` `text` ``), an integer, ``true`` or ``false``.

failpoint's own parser (``parse``/``parseTerm``/``parseVal`` in terms.go) reads the value with
``fmt.Sscanf`` and then skips as many characters as the *printed* value is long, without checking
the closing parenthesis. So it refuses, with no reason beyond HTTP 400, values written any other
way (``+5``, ``007``, ``(t)``, strings with escapes), and it takes some texts it then misreads:
``return("a"x`` (no ``)``), ``5*`` (a modifier without an action, which crashes when evaluated),
``(1)``, a chain ending in ``->``. tidbrun refuses all of these before sending, saying why.
``sleep`` must have a value (milliseconds, or a Go duration such as ``"1s"``): without one
failpoint ignores it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ACTIONS = ("off", "return", "sleep", "panic", "break", "print", "pause")
_INT64_MAX = 2**63 - 1
_MODIFIER = re.compile(r"([0-9]+)(\.[0-9]*)?([*%])")
_INTEGER = re.compile(r"\((-?(?:0|[1-9][0-9]*))\)")
# time.ParseDuration: a sequence of decimal numbers, each with a unit (or just "0").
_DURATION = re.compile(r"[-+]?(?:0|(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|µs|μs|ms|s|m|h))+)")

Value = str | int | bool | None


class FailpointTermError(ValueError):
    """A term failpoint would refuse or misread; the message says where and why."""


@dataclass(frozen=True, slots=True)
class Term:
    text: str  # the term as written, modifiers included
    counts: tuple[int, ...]  # N of each N*
    percents: tuple[float, ...]  # P of each P%
    action: str
    value: Value  # None: no value, or ()


def parse_terms(text: str) -> list[Term]:
    """The chain of terms in ``text``; raises FailpointTermError when failpoint would not take it."""
    if not text:
        raise FailpointTermError("empty failpoint term (use e.g. return(true), 1*return(5), sleep(1000), pause)")
    terms: list[Term] = []
    rest = text
    while True:
        term = _term(text, rest)
        terms.append(term)
        rest = rest[len(term.text) :]
        if not rest:
            return terms
        if not rest.startswith("->"):
            raise _error(text, rest, "expected '->' between terms")
        rest = rest[2:]
        if not rest:
            raise _error(text, rest, "nothing after '->'")


def validate_term(text: str) -> None:
    parse_terms(text)


def _term(whole: str, rest: str) -> Term:
    counts: list[int] = []
    percents: list[float] = []
    position = 0
    while True:
        match = _MODIFIER.match(rest, position)
        if match is None:
            break
        number, fraction, kind = match.groups()
        if int(number) > _INT64_MAX:  # failpoint reads the whole part as an int64 first
            raise _error(whole, rest[position:], "number too large")
        if kind == "*":
            if fraction is not None:
                raise _error(whole, rest[position:], "a count (N*) must be a whole number")
            counts.append(int(number))
        else:
            percents.append(float(number + (fraction or "")))
        position = match.end()
    if rest[position : position + 1].isdigit():
        raise _error(whole, rest[position:], "a number must be followed by '*' (count) or '%' (probability)")
    action = next((name for name in ACTIONS if rest.startswith(name, position)), None)
    if action is None:
        raise _error(whole, rest[position:], f"expected an action: {', '.join(ACTIONS)}")
    position += len(action)
    value, length = _value(whole, rest[position:])
    if action == "sleep" and (value is None or isinstance(value, bool)):
        raise _error(whole, rest[position:], "sleep needs milliseconds or a duration: sleep(100), sleep(\"1s\")")
    if action == "sleep" and isinstance(value, str) and not _DURATION.fullmatch(value):
        raise _error(whole, rest[position:], f"not a Go duration: {value!r} (e.g. \"500ms\", \"1s\", \"2m\")")
    position += length
    return Term(rest[:position], tuple(counts), tuple(percents), action, value)


def _value(whole: str, rest: str) -> tuple[Value, int]:
    """The value after an action and how many characters it takes."""
    if not rest.startswith("("):
        return None, 0
    if rest.startswith("()"):
        return None, 2
    if rest[1:2] in ('"', "`"):
        quote = rest[1]
        close = rest.find(quote, 2)
        if close < 0:
            raise _error(whole, rest, f"unterminated string: missing closing {quote}")
        body = rest[2:close]
        if quote == '"' and ("\\" in body or "\n" in body):
            raise _error(whole, rest, "failpoint misreads strings with escapes or newlines")
        if "\r" in body:
            raise _error(whole, rest, "failpoint misreads strings with a carriage return")
        if rest[close + 1 : close + 2] != ")":
            raise _error(whole, rest[close + 1 :], "expected ')' after the string")
        return body, close + 2
    match = _INTEGER.match(rest)
    if match is not None:
        number = int(match.group(1))
        if not -_INT64_MAX - 1 <= number <= _INT64_MAX:
            raise _error(whole, rest, "integer out of range")
        return number, match.end()
    for word, flag in (("(true)", True), ("(false)", False)):
        if rest[: len(word)].lower() == word:  # fmt's %t: any case
            return flag, len(word)
    raise _error(
        whole, rest, "a value must be a string (\"text\"), an integer written plainly (5, -1) or true/false, then ')'"
    )


def _error(whole: str, rest: str, reason: str) -> FailpointTermError:
    where = f" at {rest!r}" if rest else " at the end"
    return FailpointTermError(f"bad failpoint term {whole!r}: {reason}{where}")


def argument_error(argument: str) -> str | None:
    """What is wrong with a ``--failpoint`` command's argument (``enable <path> <term>``,
    ``disable <path>``, ``list``), None when nothing is: checked before a run, without a server."""
    words = argument.strip().split(None, 1)
    action = words[0].lower() if words else ""
    rest = words[1].strip() if len(words) > 1 else ""
    usage = "usage: --failpoint enable <path> <term> | --failpoint disable <path> | --failpoint list"
    if action == "enable":
        path, term = [*rest.split(None, 1), "", ""][:2]
        if not path or not term.strip():
            return f"--failpoint enable needs a path and a term; {usage}"
        try:
            validate_term(term.strip())
        except FailpointTermError as exc:
            return str(exc)
        return None
    if action == "disable":
        return None if rest and len(rest.split()) == 1 else f"--failpoint disable needs one path; {usage}"
    if action == "list" and not rest:
        return None
    return usage
