"""Test-file text → records, reading the mysqltest language the way `client/mysqltest.cc` does.

What mysqltest's reader does, and so this one:
- A command starts at the first non-blank character. ``#`` starts a comment line, ``--`` a
  one-line command, ``}`` closes a block; anything else runs up to the current delimiter.
- Delimiters inside quotes (' " `) do not end a statement; a backslash escapes inside quotes and
  keeps a quote from opening outside them.
- For ``if`` and ``while`` a ``{`` ends the header instead of the delimiter.
- ``write_file``/``append_file``/``perl`` take the following text up to a terminator (EOF).
- A statement's first word decides whether it is a mysqltest command or SQL for the server.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from runner.errors import TestFileError
from runner.language.arguments import split_quoted
from runner.language.budgets import BUDGET_COMMANDS, END_MEMORY_GROWTH, MEMORY_GROWTH, check_argument
from runner.language.commands import ALL_COMMANDS, HEREDOC_COMMANDS, is_command
from runner.language.permutation_block import find_block
from runner.language.records import Block, Command, EmptyLine, Location, ParseError, Query, Record, Style

_WS = " \t\r\n\f\v"
_NOT_BLANK = re.compile(r"[^ \t\r\n\f\v]")
_FIRST_WORD_END = re.compile(r"[\s(]")
_BLOCK_WORDS = ("if", "while")
# Backslash escapes inside '…' and "…" but not inside `…`; a doubled quote is the quote itself
# (MDEV-13187).
_QUOTE_END = {"'": re.compile(r"['\\]"), '"': re.compile(r'["\\]'), "`": re.compile("`")}
_MAX_DELIMITER = 16
_SET_SQL_MODE = re.compile(r"\s*set\s+(?:session\s+|@@session\.|@@)?sql_mode\s*=\s*(.*)", re.IGNORECASE | re.DOTALL)
# sql_mode values that include ANSI_QUOTES (MariaDB's composite modes too).
_ANSI_QUOTES_MODES = frozenset({"ANSI_QUOTES", "ANSI", "DB2", "MAXDB", "MSSQL", "ORACLE", "POSTGRESQL"})
# Multi-byte character sets whose second byte can look like a quote or a backslash: after
# `character_set X` mysqltest's reader takes a lead byte and its follower as one character.
_LEAD_BYTES = {  # a lead byte and a valid second byte: one character
    "big5": "[\xa1-\xf9][\x40-\x7e\xa1-\xfe]",
    "sjis": "[\x81-\x9f\xe0-\xfc][\x40-\x7e\x80-\xfc]",
    "cp932": "[\x81-\x9f\xe0-\xfc][\x40-\x7e\x80-\xfc]",
    "gbk": "[\x81-\xfe][\x40-\x7e\x80-\xfe]",
}


@dataclass(slots=True)
class _OpenBlock:
    block: Block
    outer: list[Record]
    delimiter: str  # in force when the block opened
    # mysqltest runs `delimiter` even in a block it skips, and puts back the delimiter of the
    # block's start when the outermost skipped block closes; a block that runs keeps the change.
    # The reader knows a block is skipped only when its condition is a constant.
    skipped: bool = False
    restores: bool = False


@dataclass(slots=True)
class ParseResult:
    records: list[Record]
    delimiter: str  # in force at the end of the text (an included file may change it)
    # Where reading stopped; ``records`` then hold what came before and end in ParseError records.
    error: TestFileError | None = None


@dataclass(slots=True)
class Parser:
    text: str
    file: str
    parent: Location | None = None
    delimiter: str = ";"
    _pos: int = 0
    _line: int = 1
    _records: list[Record] = field(default_factory=list)
    _open: list[_OpenBlock] = field(default_factory=list)
    _parsing_disabled: bool = False
    charset: str = ""  # `character_set` in force when the text starts (sourced files inherit it)
    # Names plugins registered as directives: commands too, besides the built-in table's.
    commands: frozenset[str] = frozenset()
    # mysqltest reads quotes the way the server's sql_mode says (its status flags ANSI_QUOTES and
    # NO_BACKSLASH_ESCAPES); the reader follows the test's own `SET sql_mode=…` statements.
    _ansi_quotes: bool = False
    _no_backslash_escapes: bool = False
    _lead_bytes: str = ""  # a regex class of multi-byte lead bytes, after `character_set`
    _scanners: dict[tuple[str, bool, str], re.Pattern[str]] = field(default_factory=dict)
    _memory_budgets: list[Location] = field(default_factory=list)  # open max_server_memory_growth blocks

    # -- driving loop --------------------------------------------------------------------------

    def _is_command(self, word: str) -> bool:
        return is_command(word) or word.lower() in self.commands

    def parse(self) -> ParseResult:
        try:
            self._read()
        except TestFileError as error:
            return self._stopped_by(error)
        return ParseResult(self._records, self.delimiter)

    def _stopped_by(self, error: TestFileError) -> ParseResult:
        """The records read before ``error``, then the error where mysqltest would meet it: at the
        end of each open block (a block that runs stops there) and after it (one that is skipped
        is still read)."""
        stop = ParseError(error.location or self._here(), error.message)
        self._records.append(stop)
        while self._open:
            opened = self._open.pop()
            self._records = opened.outer
            self._records += [opened.block, stop]
        return ParseResult(self._records, self.delimiter, error)

    def _read(self) -> None:
        self._lead_bytes = _LEAD_BYTES.get(self.charset.lower(), "")
        text = self.text
        end = len(text)
        not_blank = _NOT_BLANK.search
        records = self._records
        whole_line = False  # the last thing read was a whole line: mysqltest took its newline too
        while True:
            m = not_blank(text, self._pos)
            if m is None:
                self._advance_to(end)
                break
            pos = m.start()
            if records and type(records[-1]) is Command and records[-1].name == "error":
                self._empty_line(self._pos + whole_line, pos)
            self._line += text.count("\n", self._pos, pos)
            self._pos = pos
            ch = text[pos]
            whole_line = ch == "#" or text.startswith("--", pos)
            if ch == "#":
                self._skip_line()
            elif whole_line:
                self._dash_command()
            elif ch == "}":
                self._pos += 1
                self._close_block(self._here())
            else:
                self._delimited()
            records = self._records  # a block may have opened or closed
        if self._open:
            opened = self._open[-1].block
            raise TestFileError(opened.location, f"'{opened.kind}' block is never closed (missing '}}')")
        if self._memory_budgets:
            raise TestFileError(self._memory_budgets[-1], f"'{MEMORY_GROWTH}' is never ended "
                                f"(missing '--{END_MEMORY_GROWTH}')")

    def _empty_line(self, start: int, stop: int) -> None:
        """mysqltest's reader returns an empty-line command for a newline right after a newline it
        read in the same call (blanks in between, or a CR, make it no longer "in a row"). It shows
        nothing in result format 1; its one effect is to end a pending ``--error``, so it is passed
        on only after an ``error``."""
        found = self.text.find("\n\n", start, stop)
        if found >= 0:
            line = self._line + self.text.count("\n", self._pos, found + 1)
            self._emit(EmptyLine(Location(self.file, line, self.parent)))

    def _here(self) -> Location:
        return Location(self.file, self._line, self.parent)

    def _advance_to(self, pos: int) -> None:
        self._line += self.text.count("\n", self._pos, pos)
        self._pos = pos

    def _skip_blank(self) -> None:
        m = _NOT_BLANK.search(self.text, self._pos)
        self._advance_to(m.start() if m is not None else len(self.text))

    def _skip_line(self) -> None:
        nl = self.text.find("\n", self._pos)
        self._advance_to(len(self.text) if nl < 0 else nl)

    # -- the two command forms -----------------------------------------------------------------

    def _dash_command(self) -> None:
        loc = self._here()
        nl = self.text.find("\n", self._pos)
        stop = len(self.text) if nl < 0 else nl
        line = self.text[self._pos + 2 : stop]
        self._advance_to(stop)
        body = line.lstrip(_WS)
        if body.rstrip(_WS) == "}":
            # `-- }` closes a block, as a bare `}` does (include/innodb_trx_weight.inc).
            self._close_block(loc)
            return
        word, argument = _split_first_word(body)
        if self.delimiter and word.endswith(self.delimiter) and self._is_command(word[: -len(self.delimiter)]):
            # mysqltest's first word stops at the delimiter: `--reap;` is `reap`.
            word = word[: -len(self.delimiter)]
        if not self._is_command(word):
            raise TestFileError(
                loc,
                f"'--{word}' is not a mysqltest command (use '#' for a comment)" if word else
                "a line starting with '--' must name a mysqltest command (use '#' for a comment)",
            )
        self._command(loc, word, argument, "dash", body)

    def _delimited(self) -> None:
        # Runs once per statement of a test: the work is inlined (one scan for the first word).
        text = self.text
        start = self._pos
        loc = Location(self.file, self._line, self.parent)
        word_match = _FIRST_WORD_END.search(text, start)
        word_end = word_match.start() if word_match else len(text)
        first = text[start:word_end]
        name = first_name = first.lower()
        block_header = name in _BLOCK_WORDS
        stop, resume = self._scan_statement(start, block_header)
        if stop < 0:
            raise TestFileError(
                loc, f"statement is not terminated by the delimiter '{self.delimiter}' before the end of the file"
            )
        statement = to_format_v1(text[start:stop])
        self._line += text.count("\n", start, resume)
        self._pos = resume
        if block_header:
            self._open_block(loc, name, statement[len(first) :])
            return
        # The first word ends at blank, '(' or the delimiter, as in mysqltest's read_command.
        # to_format_v1 only drops blanks after a newline, so a first word that ends inside the
        # statement is ``first`` there too.
        if word_end < stop:
            word, argument = first, statement[len(first) :].lstrip(_WS)
        else:
            word, argument = statement, ""
            name = statement.lower()
        delimiter = self.delimiter
        if delimiter and word.endswith(delimiter):
            word = word[: -len(delimiter)]
            name = word.lower()
        if name in ALL_COMMANDS or name in self.commands:
            if name == "query":
                self._emit(Query(loc, argument, delimiter))
            else:
                self._command(loc, word, argument, "delimited", statement)
        else:
            if not self._parsing_disabled:
                self._records.append(Query(loc, statement, delimiter))
            if not first or first_name == "set":  # what _SET_SQL_MODE can match
                self._follow_sql_mode(statement)

    def _follow_sql_mode(self, statement: str) -> None:
        m = _SET_SQL_MODE.match(statement)
        if m is None:
            return
        modes = {word.upper() for word in re.findall(r"[A-Za-z_0-9]+", m.group(1))}
        self._ansi_quotes = bool(modes & _ANSI_QUOTES_MODES)
        self._no_backslash_escapes = "NO_BACKSLASH_ESCAPES" in modes

    def _scanner(self, block_header: bool) -> re.Pattern[str]:
        key = (self.delimiter, block_header, self._lead_bytes)
        rx = self._scanners.get(key)
        if rx is None:
            alternatives = [re.escape(self.delimiter), r"['\"`\\]"]
            if block_header:
                alternatives.append(r"\{")
            if self._lead_bytes:
                alternatives.insert(0, self._lead_bytes)
            rx = re.compile("|".join(alternatives))
            self._scanners[key] = rx
        return rx

    def _scan_statement(self, start: int, block_header: bool) -> tuple[int, int]:
        """Where the statement starting at ``start`` ends, and where reading goes on after it."""
        text = self.text
        if not (block_header or self._lead_bytes or self._ansi_quotes or self._no_backslash_escapes):
            whole = _whole_statement(self.delimiter)
            if whole is not None:
                m = whole.match(text, start)
                if m is not None:
                    return m.end() - len(self.delimiter), m.end()
                # Unterminated: the step-by-step scan below says so the way it always has.
        rx = self._scanner(block_header)
        pos = start
        while True:
            m = rx.search(text, pos)
            if m is None:
                return -1, len(text)
            token = m.group()
            if self._lead_bytes and token[0] >= "\x80" and token != self.delimiter:
                pos = m.end()
            elif token == "\\":
                # Outside quotes a backslash only keeps the next quote from opening one.
                pos = m.end() + (1 if text[m.end() : m.end() + 1] in _QUOTE_END else 0)
            elif token in _QUOTE_END and token != self.delimiter:
                pos = self._skip_quoted(m.end(), token)
                if pos < 0:
                    return -1, len(text)
            elif token == "{" and block_header:
                return m.start(), m.end()
            else:
                return m.start(), m.end()

    def _skip_quoted(self, pos: int, quote: str) -> int:
        literal = self._no_backslash_escapes or (quote == '"' and self._ansi_quotes)
        rx = _QUOTE_END["`"] if literal and quote == "`" else _QUOTE_END[quote]
        if literal and quote != "`":
            rx = re.compile(quote)
        if self._lead_bytes:
            rx = re.compile(self._lead_bytes + "|" + rx.pattern)
        text = self.text
        while True:
            m = rx.search(text, pos)
            if m is None:
                return -1
            token = m.group()
            if token[0] >= "\x80":
                pos = m.end()
            elif token == "\\":
                pos = m.end() + 1
            elif text.startswith(quote, m.end()):
                pos = m.end() + 1  # a doubled quote stands for the quote itself (MDEV-13187)
            else:
                return m.end()

    # -- what a command means to the reader ----------------------------------------------------

    def _command(self, loc: Location, word: str, argument: str, style: Style, text: str) -> None:
        name = word.lower()
        if name == "delimiter":
            self._set_delimiter(loc, argument)
        elif name in ("if", "while"):
            self._open_block(loc, name, argument, dash=True)
        elif name == "end":
            self._close_block(loc)
        elif name == "character_set":
            self._lead_bytes = _LEAD_BYTES.get(argument.strip().lower(), "")
            self._emit(Command(loc, name, argument, style, self.delimiter, text))
        elif name == "disable_parsing":
            self._parsing_disabled = True
        elif name == "enable_parsing":
            self._parsing_disabled = False
        elif name in HEREDOC_COMMANDS:
            self._heredoc(loc, name, argument, style, text)
        elif name == "permutations":
            block, resume = find_block(self.text, self._pos, loc, self.delimiter, argument)
            self._advance_to(resume)
            self._emit(block)
        elif name == "end_permutations" and not self._parsing_disabled:
            raise TestFileError(loc, "'end_permutations' without a 'permutations' that it ends")
        elif name in BUDGET_COMMANDS and not self._parsing_disabled:
            self._budget(loc, name, argument)
            self._emit(Command(loc, name, argument, style, self.delimiter, text))
        else:
            self._emit(Command(loc, name, argument, style, self.delimiter, text))

    def _budget(self, loc: Location, name: str, argument: str) -> None:
        try:
            check_argument(name, argument)
        except ValueError as exc:
            raise TestFileError(loc, str(exc)) from None
        if name == MEMORY_GROWTH:
            self._memory_budgets.append(loc)
        elif name == END_MEMORY_GROWTH:
            if not self._memory_budgets:
                raise TestFileError(loc, f"'{name}' without a '{MEMORY_GROWTH}' that it ends")
            self._memory_budgets.pop()

    def _set_delimiter(self, loc: Location, argument: str) -> None:
        new = argument.strip(_WS)
        if not new:
            raise TestFileError(loc, "delimiter needs a value: 'delimiter //;' or '--delimiter //'")
        if len(new) > _MAX_DELIMITER:
            raise TestFileError(loc, f"delimiter longer than {_MAX_DELIMITER} characters")
        if not self._parsing_disabled:
            # The reader switches now; the record stays because, run, it ends a pending --error.
            self._emit(Command(loc, "delimiter", argument, "delimited", self.delimiter, f"delimiter {argument}"))
            self.delimiter = new

    def _heredoc(self, loc: Location, name: str, argument: str, style: Style, text: str) -> None:
        words = split_quoted(argument)
        if name == "perl":
            terminator = words[0] if words else "EOF"
        else:
            if not words:
                raise TestFileError(loc, f"{name} needs a file name")
            terminator = words[1] if len(words) > 1 else "EOF"
        # No characters but blanks may follow the command on its own line.
        nl = self.text.find("\n", self._pos)
        rest_end = len(self.text) if nl < 0 else nl
        if self.text[self._pos : rest_end].strip(_WS):
            raise TestFileError(loc, f"trailing characters after {name} on the same line")
        body_start = rest_end + 1
        found = self.text.find(terminator, body_start)
        if found < 0:
            raise TestFileError(loc, f"{name}: end of file before the terminator '{terminator}'")
        body = self.text[body_start:found] if body_start <= found else ""
        self._advance_to(found + len(terminator))
        self._emit(Command(loc, name, argument, style, self.delimiter, text, body=body, terminator=terminator))

    def _open_block(self, loc: Location, kind: str, header: str, dash: bool = False) -> None:
        condition = _block_condition(loc, kind, header)
        if dash and not header.rstrip(_WS).endswith("{"):
            # `--while (c)` may leave its '{' to the following line.
            self._skip_blank()
            if not self.text.startswith("{", self._pos):
                raise TestFileError(loc, f"'{kind}' needs a '{{' to open its block")
            self._advance_to(self._pos + 1)
        if self._parsing_disabled:
            return
        block = Block(loc, "if" if kind == "if" else "while", condition)
        inside_skipped = bool(self._open) and self._open[-1].skipped
        never_runs = _constant_truth(condition) is False
        self._open.append(
            _OpenBlock(
                block, self._records, self.delimiter,
                skipped=inside_skipped or never_runs, restores=never_runs and not inside_skipped,
            )
        )
        self._records = block.body

    def _close_block(self, loc: Location) -> None:
        if self._parsing_disabled:
            return
        if not self._open:
            raise TestFileError(loc, "'}' closes a block that was never opened")
        opened = self._open.pop()
        if opened.restores:
            self.delimiter = opened.delimiter
        opened.block.end = loc
        self._records = opened.outer
        self._records.append(opened.block)

    def _emit(self, record: Record) -> None:
        if not self._parsing_disabled:
            self._records.append(record)


_WHOLE_STATEMENTS: dict[str, re.Pattern[str] | None] = {}


def _whole_statement(delimiter: str) -> re.Pattern[str] | None:
    """One regex for the scan of ``_scan_statement`` in its plain case (no lead bytes, backslash
    escapes on, ANSI_QUOTES off, not an if/while header): a statement, its quoted parts and its
    delimiter in one match. Possessive, so it never takes a different path than the scan; where
    the scan fails (an unterminated quote) it does not match. None for a delimiter holding a quote
    or a backslash (the scan's own order of tests decides those)."""
    if delimiter in _WHOLE_STATEMENTS:
        return _WHOLE_STATEMENTS[delimiter]
    rx = None
    if not any(c in delimiter for c in "'\"`\\"):
        first, escaped = re.escape(delimiter[0]), re.escape(delimiter)
        other = rf"(?!{escaped}){first}|" if len(delimiter) > 1 else ""
        rx = re.compile(
            rf"(?:[^{first}'\"`\\]++|{other}\\['\"`]?|'(?:[^'\\]++|\\.|'')*+'"
            rf'|"(?:[^"\\]++|\\.|"")*+"|`(?:[^`]++|``)*+`)*+{escaped}',
            re.DOTALL,
        )
    _WHOLE_STATEMENTS[delimiter] = rx
    return rx


def to_format_v1(text: str) -> str:
    """mysqltest's result format 1: a newline swallows the blanks (and blank lines) after it,
    unless it directly follows a closing quote. Quoted text is kept as it is."""
    if "\n" not in text:
        return text
    out: list[str] = []
    i, n = 0, len(text)
    after_quote = False
    while i < n:
        c = text[i]
        if c == "\n" and not after_quote:
            out.append(c)
            i += 1
            while i < n and text[i] in _WS:
                i += 1
            after_quote = False
        elif c in "'\"`":
            close = text.find(c, i + 1)
            close = n - 1 if close < 0 else close
            out.append(text[i : close + 1])
            i = close + 1
            after_quote = True
        else:
            out.append(c)
            i += 1
            after_quote = False
    return "".join(out)


def _split_first_word(text: str) -> tuple[str, str]:
    m = _FIRST_WORD_END.search(text)
    if m is None:
        return text, ""
    return text[: m.start()], text[m.start() :].lstrip(_WS)


def _block_condition(loc: Location, kind: str, header: str) -> str:
    header = header.strip(_WS)
    if header.endswith("{"):
        header = header[:-1].rstrip(_WS)
    if not header.startswith("("):
        raise TestFileError(loc, f"'{kind}' needs a condition in parentheses: {kind} (<expr>)")
    close = header.rfind(")")
    if close <= 0:
        raise TestFileError(loc, f"'{kind}' condition has no closing parenthesis")
    if header[close + 1 :].strip(_WS):
        raise TestFileError(loc, f"unexpected text after the '{kind}' condition: {header[close + 1 :].strip()!r}")
    return header[1:close].strip(_WS)


_CONSTANT_CONDITION = re.compile(r"(!?)[ \t\r\n\f\v]*([0-9]+)")


def _constant_truth(condition: str) -> bool | None:
    """The value of an if/while condition that is a plain number (``0``, ``!1``); None when only
    running the test can tell."""
    m = _CONSTANT_CONDITION.fullmatch(condition)
    if m is None:
        return None
    return (int(m.group(2)) != 0) != bool(m.group(1))


def parse_text(
    text: str, file: str, *, parent: Location | None = None, delimiter: str = ";", charset: str = "",
    partial: bool = False, commands: frozenset[str] = frozenset(),
) -> ParseResult:
    """The records of ``text``. A syntax error raises TestFileError, or with ``partial`` ends the
    records (ParseResult.error says which) so that a run gets as far as mysqltest would."""
    result = Parser(text, file, parent, delimiter, charset=charset, commands=commands).parse()
    if result.error is not None and not partial:
        raise result.error
    return result


def read_test_text(path: Path) -> str:
    """Test files are bytes: latin-1 maps each byte to one character and back unchanged.

    CR LF becomes LF, as mysqltest's reader does.
    """
    return test_text(path.read_bytes())


def test_text(data: bytes) -> str:
    """A test file's bytes as the reader takes them (see read_test_text)."""
    return data.decode("latin-1").replace("\r\n", "\n")


Loader = Callable[[Path, Location | None, str], ParseResult]


def parse_file(
    path: Path,
    *,
    parent: Location | None = None,
    delimiter: str = ";",
    display: str | None = None,
    charset: str = "",
    partial: bool = False,
    commands: frozenset[str] = frozenset(),
) -> ParseResult:
    try:
        text = read_test_text(path)
    except OSError as exc:
        raise TestFileError(parent, f"cannot read {path}: {exc.strerror}") from None
    return parse_text(
        text, display or str(path), parent=parent, delimiter=delimiter, charset=charset, partial=partial,
        commands=commands,
    )
