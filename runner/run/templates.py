"""Templated tests: ``x.test.j2`` rendered with jinja2 over a matrix of parameters.

The matrix comes from the file's front matter — a jinja comment opening the file::

    {# tidbrun
    [matrix]
    level = ["READ-COMMITTED", "REPEATABLE-READ"]
    rows = [1, 10, 100]
    #}

— and from ``--matrix name=v1,v2`` (which replaces or adds a parameter). Each combination is one
run named as mysql-test-run.pl names combinations, ``x 'level=READ-COMMITTED,rows=10'``, whose
result is ``r/x,level=READ-COMMITTED,rows=10.result``; ``shared_result = true`` in the front matter
makes every combination compare with ``r/x.result``. The template sees the parameters and
``var`` (the ``--var`` values); an undefined name is an error. Errors point into the ``.j2`` file,
and so do the line numbers of the rendered test (records are relocated through line marks).
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from runner.errors import TestFileError
from runner.language.records import Block, Location, Record
from runner.run.records import TestCase

TEMPLATE_SUFFIX = ".test.j2"
_FRONT = re.compile(r"\A\{#-?[ \t]*tidbrun[ \t]*\n(?P<body>.*?)-?#\}", re.DOTALL)
_MARK = re.compile(r"\x00(\d+)\x01")
_LEADING_MARKS = re.compile(r"(?:\x00\d+\x01)+")


def is_template(path: Path) -> bool:
    return path.name.endswith(TEMPLATE_SUFFIX)


class FrontMatter:
    """The ``{# tidbrun … #}`` comment: ``[matrix]`` (name → values) and ``shared_result``."""

    def __init__(self, path: Path, text: str) -> None:
        self.matrix: dict[str, list[str]] = {}
        self.shared_result = False
        found = _FRONT.match(text)
        if found is None:
            return
        first = text[: found.start("body")].count("\n") + 1
        try:
            data = tomllib.loads(found.group("body"))
        except tomllib.TOMLDecodeError as exc:
            line = first + _toml_line(str(exc)) - 1
            raise TestFileError(Location(str(path), line), f"front matter: {exc}") from None
        body = found.group("body")
        unknown = sorted(set(data) - {"matrix", "shared_result"})
        if unknown:
            raise TestFileError(Location(str(path), first + _key_line(body, unknown[0])),
                                f"front matter: unknown key(s) {unknown} (known: matrix, shared_result)")
        matrix = data.get("matrix", {})
        bad = [n for n, v in matrix.items() if not isinstance(v, list) or not v] if isinstance(matrix, dict) else []
        if not isinstance(matrix, dict) or bad:
            raise TestFileError(Location(str(path), first + _key_line(body, bad[0] if bad else "matrix")),
                                "front matter: [matrix] maps each name to a non-empty list")
        self.matrix = {name: [_text(v) for v in values] for name, values in matrix.items()}
        self.shared_result = bool(data.get("shared_result", False))


def _key_line(body: str, key: str) -> int:
    """The 0-based line of the front matter where ``key`` is set (or its table starts)."""
    for number, line in enumerate(body.splitlines()):
        if re.match(rf"\s*(\[\s*{re.escape(key)}\s*\]|{re.escape(key)}\s*=)", line):
            return number
    return 0


def _toml_line(message: str) -> int:
    found = re.search(r"line (\d+)", message)
    return int(found.group(1)) if found else 1


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_matrix(items: list[str]) -> dict[str, list[str]]:
    """``--matrix name=v1,v2`` options → {name: [v1, v2]}; a later one for a name wins."""
    matrix: dict[str, list[str]] = {}
    for item in items:
        name, sep, values = item.partition("=")
        name = name.strip()
        chosen = [v.strip() for v in values.split(",") if v.strip()]
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) or not chosen:
            raise ValueError(f"--matrix needs NAME=VALUE[,VALUE...] with a name of letters, digits and _: {item!r}")
        matrix[name] = chosen
    return matrix


def combinations(matrix: Mapping[str, list[str]]) -> Iterator[tuple[tuple[str, str], ...]]:
    names = list(matrix)
    for values in itertools.product(*(matrix[n] for n in names)):
        yield tuple(zip(names, values, strict=True))


def expand_templates(cases: list[TestCase], option_matrix: Mapping[str, list[str]]) -> list[TestCase]:
    """The templated tests among ``cases`` expanded (``expand_template``), the others as they are."""
    return [run for case in cases for run in (expand_template(case, option_matrix) if is_template(case.path)
                                               else [case])]


def expand_template(case: TestCase, option_matrix: Mapping[str, list[str]]) -> list[TestCase]:
    """One case per combination of the templated test's matrix (the front matter's, with
    ``--matrix`` over it); a front matter that cannot be read is reported when the test runs."""
    try:
        front = FrontMatter(case.path, case.path.read_text(encoding="utf-8", errors="replace"))
    except (OSError, TestFileError):
        return [case]
    return expand_case(case, {**front.matrix, **option_matrix}, shared_result=front.shared_result)


def expand_case(case: TestCase, matrix: Mapping[str, list[str]], *, shared_result: bool = False) -> list[TestCase]:
    """One case per combination of ``matrix``, named as mysql-test-run.pl names combinations, each
    with its own result unless ``shared_result``; the case itself when the matrix is empty."""
    if not matrix:
        return [case]
    expanded: list[TestCase] = []
    for combo in combinations(matrix):
        label = ",".join(f"{k}={v}" for k, v in combo)
        result = case.result
        if not shared_result:
            result = case.result.with_name(f"{case.result.name.removesuffix('.result')},{label}.result")
        expanded.append(replace(case, name=f"{case.name} '{label}'", result=result, parameters=combo))
    return expanded


class RenderedTest:
    """The test text a template rendered to, and the template line of each rendered line."""

    def __init__(self, text: bytes, lines: list[int]) -> None:
        self.text = text
        self.lines = lines

    def relocate(self, records: list[Record], display: str) -> None:
        """Point the records' locations (rendered lines) at the template's lines."""
        for record in records:
            record.location = self._location(record.location, display)
            if isinstance(record, Block):
                self.relocate(record.body, display)
                if record.end is not None:
                    record.end = self._location(record.end, display)

    def error(self, exc: TestFileError, display: str) -> TestFileError:
        """A reader's error about the rendered text, about the template's line instead."""
        if exc.location is None:
            return exc
        return TestFileError(self._location(exc.location, display), exc.message)

    def _location(self, location: Location, display: str) -> Location:
        if location.parent is not None or location.file != display:
            return location  # a sourced file's line: its own
        index = location.line - 1
        line = self.lines[index] if 0 <= index < len(self.lines) else location.line
        return Location(display, line)


def render(path: Path, parameters: Mapping[str, str], variables: Mapping[str, str]) -> RenderedTest:
    """The template rendered for one combination; TestFileError at the template's line."""
    # jinja2 is loaded only when a template is rendered: every run imports this module.
    import jinja2
    from jinja2.ext import Extension
    from jinja2.lexer import Token

    class LineMarks(Extension):
        """Marks each line of the template's own text with its line number (taken out again after
        rendering), so that every rendered line can be traced back to the line that made it."""

        def filter_stream(self, stream: Any) -> Iterator[Token]:
            for token in stream:
                if token.type == "data":
                    parts = token.value.split("\n")
                    value = "\n".join(f"\x00{token.lineno + i}\x01{part}" for i, part in enumerate(parts))
                    yield Token(token.lineno, "data", value)
                else:
                    yield token

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(path.parent)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=[LineMarks],
        autoescape=False,  # a test file is SQL, not HTML
    )
    display = str(path)
    try:
        FrontMatter(path, path.read_text(encoding="utf-8"))
        template = environment.get_template(path.name)
        rendered = template.render({**parameters, "var": dict(variables)})
    except jinja2.TemplateSyntaxError as exc:
        raise TestFileError(Location(display, exc.lineno or 1), f"template syntax error: {exc.message}") from None
    except (jinja2.TemplateError, ArithmeticError, TypeError, ValueError, LookupError) as exc:
        line = _template_line(exc, path) or 1
        kind = "undefined" if isinstance(exc, jinja2.UndefinedError) else "template error"
        raise TestFileError(Location(display, line), f"{kind}: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TestFileError(None, f"cannot read {display}: {exc}") from None
    return _unmarked(rendered)


def _template_line(exc: BaseException, path: Path) -> int | None:
    """The template's line in the traceback jinja2 rewrote to point into it."""
    import traceback

    wanted = str(path.resolve())
    line = None
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        if str(Path(frame.f_code.co_filename).resolve()) == wanted:
            line = lineno
    return line


def _unmarked(rendered: str) -> RenderedTest:
    lines: list[int] = []
    out: list[str] = []
    last = 1
    for raw in rendered.split("\n"):
        # A line's own mark is the last one before its first character: those before it are the
        # marks of empty ends of the template's text (the line after a newline).
        leading = _LEADING_MARKS.match(raw)
        found = _MARK.findall(leading.group()) if leading else _MARK.findall(raw)[:1]
        if found:
            last = int(found[-1])
        lines.append(last)
        out.append(_MARK.sub("", raw))
    return RenderedTest("\n".join(out).encode("utf-8"), lines)
