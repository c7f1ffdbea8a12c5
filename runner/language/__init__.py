"""The test-file readers: mysqltest's (``parser``) and PingCAP mysql-tester's (``tester_parser``)."""

from __future__ import annotations

from pathlib import Path

from runner.language.parser import ParseResult


def parse_file(
    path: Path, *, dialect: str = "mysqltest", display: str | None = None, partial: bool = False
) -> ParseResult:
    """Read a whole test file with the reader of ``dialect`` (``mysqltest`` or ``mysql-tester``).

    ``partial``: a syntax error ends the records instead of raising, where the dialect's tool
    runs what comes before it (mysqltest does; mysql-tester reads the whole file first)."""
    if dialect == "mysql-tester":
        from runner.dialects.mysql_tester.reader import parse_tester_file

        return parse_tester_file(path, display=display)
    from runner.language import parser

    return parser.parse_file(path, display=display, partial=partial)
