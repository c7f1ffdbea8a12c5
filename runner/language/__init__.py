"""Reading: test-file text -> typed records with their location and include chain.

``parser`` is mysqltest's reader; ``commands`` the names it takes for commands; ``records`` what
it produces. Another dialect's reader lives with its dialect (``runner.dialects``).
"""

from __future__ import annotations

from runner.language.parser import ParseResult, parse_file

__all__ = ["ParseResult", "parse_file"]
