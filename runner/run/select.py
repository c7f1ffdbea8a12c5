"""Which of the collected tests run: ``--do-test``/``--skip-test`` (regular expressions, as
mysql-test-run.pl takes them), ``-k EXPR`` (as pytest's: substrings with ``and``/``or``/``not``
and parentheses), ``--suite NAME`` and combinations named on the command line (``main.t 'a,b'``).

A test is matched by its bare name (``alias``) and by its ``suite.test`` name (``main.alias``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from runner.config.selection import Selection
from runner.run.names import display_name, suite_name
from runner.run.records import TestCase

# mysql-test-run.pl's init_pattern: a pattern of only these characters is a prefix of the name.
_PLAIN_PATTERN = re.compile(r"[a-z0-9.]*")


class SelectionError(ValueError):
    """A --do-test/--skip-test pattern or a -k expression that cannot be read."""


def compile_pattern(pattern: str, option: str) -> re.Pattern[str]:
    text = f"^{pattern}" if _PLAIN_PATTERN.fullmatch(pattern) else pattern
    try:
        return re.compile(text)
    except re.error as exc:
        raise SelectionError(f"{option} {pattern!r}: not a regular expression ({exc})") from None


# -- -k ---------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\(|\)|[^\s()]+")
Matcher = Callable[[str], bool]


def compile_keyword(expression: str) -> Matcher:
    """A -k expression as a test of a name: ``a and not (b or c)``, case-insensitive substrings."""
    tokens = _TOKEN.findall(expression)
    position = 0

    def peek() -> str | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> str:
        nonlocal position
        position += 1
        return tokens[position - 1]

    def fail(why: str) -> SelectionError:
        return SelectionError(f"-k {expression!r}: {why}")

    def or_expression() -> Matcher:
        left = and_expression()
        while peek() == "or":
            take()
            right = and_expression()
            left = (lambda a, b: lambda name: a(name) or b(name))(left, right)
        return left

    def and_expression() -> Matcher:
        left = not_expression()
        while peek() == "and":
            take()
            right = not_expression()
            left = (lambda a, b: lambda name: a(name) and b(name))(left, right)
        return left

    def not_expression() -> Matcher:
        token = peek()
        if token is None:
            raise fail("an expression ends too early")
        if token == "not":
            take()
            inner = not_expression()
            return lambda name: not inner(name)
        if token == "(":
            take()
            inner = or_expression()
            if peek() != ")":
                raise fail("a '(' is not closed")
            take()
            return inner
        if token in (")", "and", "or"):
            raise fail(f"unexpected '{token}'")
        word = take().lower()
        return lambda name: word in name.lower()

    if not tokens:
        return lambda name: True
    matcher = or_expression()
    if position != len(tokens):
        raise fail(f"unexpected '{tokens[position]}'")
    return matcher


def check(selection: Selection) -> None:
    """SelectionError for the first pattern or expression that cannot be read."""
    for pattern in selection.do_test:
        compile_pattern(pattern, "--do-test")
    for pattern in selection.skip_test:
        compile_pattern(pattern, "--skip-test")
    if selection.keyword is not None:
        compile_keyword(selection.keyword)


def select(cases: list[TestCase], selection: Selection) -> tuple[list[TestCase], int]:
    """The cases the selection keeps, in their order, and how many it left out."""
    if not selection.active:
        return cases, 0
    do = [compile_pattern(p, "--do-test") for p in selection.do_test]
    skip = [compile_pattern(p, "--skip-test") for p in selection.skip_test]
    keyword = compile_keyword(selection.keyword) if selection.keyword is not None else None
    only: dict[str, set[str]] = {}
    for file, name in selection.only:
        only.setdefault(file, set()).add(name)
    kept: list[TestCase] = []
    for case in cases:
        full = display_name(case)
        names = (case.name, full)
        if do and not any(p.search(n) for p in do for n in names):
            continue
        if any(p.search(n) for p in skip for n in names):
            continue
        if keyword is not None and not keyword(full):
            continue
        if selection.suites and suite_name(case.path, case.name) not in selection.suites:
            continue
        wanted = only.get(os.path.realpath(case.path))
        if wanted is not None and full not in wanted:
            continue
        kept.append(case)
    return kept, len(cases) - len(kept)
