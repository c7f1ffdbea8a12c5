"""Test-file text → records, read the way PingCAP's mysql-tester reads a `.test`.

mysql-tester has read test files in two ways. Since it learnt ``delimiter`` (pingcap/mysql-tester
0d83955, December 2024), ``loadQueries`` and ``ParseQuery`` read line by line:
- Every line is trimmed; ``#`` lines and empty lines are dropped.
- A ``--`` line is one command, never split on the delimiter; its word must be a command name.
- A line starting with ``delimiter `` changes the delimiter.
- Any other line is added to a buffer; the buffer up to the *last* delimiter in it is one statement
  (so ``select 1; select 2;`` on a line is one statement), the rest waits for the next line.
- A statement whose first word is a command name is that command (``connect (...);``).

The records are the ones the mysqltest reader makes: a statement is a Query whose ``sql`` is its
text without the final delimiter, so ``sql + delimiter`` is exactly what mysql-tester echoes.
A Command keeps mysql-tester's argument as is: untrimmed, and for the statement form with the
delimiter at its end (``connection c1;`` has argument `` c1;``); handlers trim it as mysql-tester does.

Before that (the commits TiDB's release branches up to 8.5 pin in run-tests.sh) it read *lines*:
a statement goes on until a line that ends with ``;``; a ``#`` line, a ``--`` command or the end of
the file ends a statement that has none (it is sent as it is); there is no delimiter (a
``delimiter`` line is SQL). Which of the two a file is read with follows the suite it belongs to:
the mysql-tester commit its ``run-tests.sh`` names (``reader_syntax``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from runner.errors import TestFileError
from runner.language.commands import CHAOS_COMMANDS
from runner.language.parser import ParseResult
from runner.language.records import Command, Location, Query, Record, Style

# type.go commandMap: every word mysql-tester reads as a command (the rest is SQL).
TESTER_COMMANDS: frozenset[str] = frozenset(
    {
        "connection", "query", "connect", "sleep", "real_sleep", "inc", "dec", "source", "disconnect",
        "let", "echo", "while", "end", "system", "result", "require", "save_master_pos",
        "sync_with_master", "sync_slave_with_master", "error", "send", "reap", "dirty_close",
        "replace_result", "replace_column", "ping", "eval", "eval_result", "enable_query_log",
        "disable_query_log", "enable_result_log", "disable_result_log", "enable_connect_log",
        "disable_connect_log", "wait_for_slave_to_stop", "enable_warnings", "disable_warnings",
        "enable_info", "disable_info", "enable_session_track_info", "disable_session_track_info",
        "enable_metadata", "disable_metadata", "exec", "execw", "delimiter", "disable_abort_on_error",
        "enable_abort_on_error", "vertical_results", "horizontal_results", "query_vertical",
        "query_horizontal", "sorted_result", "lowercase_result", "start_timer", "end_timer",
        "character_set", "disable_ps_protocol", "enable_ps_protocol", "disable_reconnect",
        "enable_reconnect", "if", "disable_parsing", "enable_parsing", "replace_regex",
        "replace_numeric_round", "remove_file", "file_exists", "write_file", "copy_file", "perl", "die",
        "exit", "skip", "chmod", "append_file", "cat_file", "diff_files", "send_quit", "change_user",
        "mkdir", "rmdir", "list_files", "list_files_write_file", "list_files_append_file",
        "send_shutdown", "shutdown_server", "result_format", "move_file", "remove_files_wildcard",
        "send_eval", "output", "reset_connection", "single_query", "begin_concurrent", "end_concurrent",
        "wait_tiflash_replica_ready",
    }
)

# The ones mysql-tester's Run acts on (main.go); it skips the others with "command not implemented".
# `query` becomes a statement and `--delimiter` is read here.
TESTER_IMPLEMENTED: frozenset[str] = frozenset(
    {
        "connection", "connect", "disconnect", "let", "echo", "error", "replace_column", "replace_regex",
        "enable_query_log", "disable_query_log", "enable_result_log", "disable_result_log",
        "enable_warnings", "disable_warnings", "enable_info", "disable_info", "sorted_result",
        "remove_file", "begin_concurrent", "end_concurrent", "wait_tiflash_replica_ready", "query",
    }
)

# tidbrun's own TiDB directives, read in `--name` form in mysql-tester files too (mysql-tester
# itself rejects them, so files that use them are tidbrun's).
TIDBRUN_COMMANDS: frozenset[str] = frozenset({"failpoint", "wait_until", *CHAOS_COMMANDS})

# Commands whose argument mysql-tester trims (getQueryType).
_TRIMMED_ARGUMENT = frozenset({"echo", "sorted_result"})

_ASCII_SPACE = " \t\n\v\f\r"
# Go's unicode.IsSpace: what bytes.TrimSpace / strings.TrimSpace remove, read as UTF-8.
_GO_SPACE = (
    _ASCII_SPACE + "\x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
)


def go_trim_space(text: str) -> str:
    """Go's ``strings.TrimSpace`` on test text (latin-1 characters standing for UTF-8 bytes)."""
    text = text.strip(_ASCII_SPACE)
    if not text or (text[0] < "\x80" and text[-1] < "\x80"):
        return text
    decoded = text.encode("latin-1").decode("utf-8", "surrogateescape").strip(_GO_SPACE)
    return decoded.encode("utf-8", "surrogateescape").decode("latin-1")


def first_word(text: str, delimiter: str) -> str:
    """The command word of ``text``: up to the first '(', blank, newline or delimiter (ParseQuery)."""
    for i, ch in enumerate(text):
        if ch in "( \n" or text.startswith(delimiter, i):
            return text[:i]
    return text


@dataclass(slots=True)
class TesterReader:
    file: str
    delimiter: str = ";"
    records: list[Record] = field(default_factory=list)
    commands: frozenset[str] = frozenset()  # directives plugins added: commands too
    _buffer: str = ""
    _buffer_line: int = 0
    _delimiter_line: int = 0

    def read(self, text: str) -> ParseResult:
        for number, raw in enumerate(text.split("\n"), start=1):
            self._line(number, go_trim_space(raw))
        if self._buffer:
            raise TestFileError(
                self._here(self._buffer_line),
                f"text not terminated by the delimiter '{self.delimiter}' before the end of the file: "
                f"{self._buffer[:80]!r}",
            )
        return ParseResult(self.records, self.delimiter)

    def _here(self, line: int) -> Location:
        return Location(self.file, line)

    def _no_pending(self, line: int, what: str) -> None:
        if self._buffer:
            raise TestFileError(
                self._here(self._buffer_line),
                f"statement not terminated by the delimiter '{self.delimiter}' before the {what} at line {line}: "
                f"{self._buffer[:80]!r}",
            )

    def _line(self, number: int, line: str) -> None:
        if line.startswith("#"):
            self._no_pending(number, "comment")
        elif line.startswith("--"):
            self._no_pending(number, "command")
            self._dash_command(number, line)
        elif line[:10].lower() == "delimiter ":
            self._no_pending(number, "delimiter change")
            # A plain split: `delimiter  ;;` (two blanks) gives an empty delimiter.
            self.delimiter = line.split(" ")[1]
            self._delimiter_line = number
        elif line:
            self._sql(number, line)

    def _sql(self, number: int, line: str) -> None:
        if not self.delimiter:
            # mysql-tester's LastIndex of "" finds the end of an empty buffer again and again.
            raise TestFileError(
                self._here(number),
                f"the delimiter set at line {self._delimiter_line} is empty; mysql-tester never gets past this line",
            )
        if self._buffer:
            self._buffer += "\n" + line
        else:
            self._buffer = line
            self._buffer_line = number
        end = self._buffer.rfind(self.delimiter)
        if end >= 0:
            end += len(self.delimiter)
            statement, self._buffer = self._buffer[:end], self._buffer[end:]
            self._statement(self._buffer_line, go_trim_space(statement))
            self._buffer_line = number
        if self._buffer and go_trim_space(self._buffer).startswith("#"):
            self._buffer = ""  # a trailing comment after the last delimiter

    def _dash_command(self, number: int, line: str) -> None:
        if len(line) < 3:
            return
        body = line[3:] if line[2] == " " else line[2:]
        word = first_word(body, self.delimiter)
        name = word.lower()
        if name not in TESTER_COMMANDS and name not in TIDBRUN_COMMANDS and name not in self.commands:
            raise _not_a_command(self._here(number), word)
        argument = body[len(word) :]
        if name == "delimiter":
            self.delimiter = go_trim_space(argument).split(" ")[0]
            self._delimiter_line = number
            return
        self._command(number, name, argument, "dash", body)

    def _statement(self, line: int, statement: str) -> None:
        if len(statement) < 3:
            return  # mysql-tester drops it silently
        if statement.startswith("--"):
            # Text left after a delimiter (`select 1; -- note`) starts the next statement.
            body = statement[3:] if statement[2] == " " else statement[2:]
            word = first_word(body, self.delimiter)
            if word.lower() not in TESTER_COMMANDS:
                raise TestFileError(
                    self._here(line),
                    f"statement starts with '--{word}', which is not a mysql-tester command "
                    "(is a '-- comment' after a delimiter on the line above?)",
                )
            self._command(line, word.lower(), body[len(word) :], "delimited", body)
            return
        word = first_word(statement, self.delimiter)
        if word.lower() in TESTER_COMMANDS or word.lower() in self.commands:
            self._command(line, word.lower(), statement[len(word) :], "delimited", statement)
        else:
            self.records.append(Query(self._here(line), *self._split_delimiter(statement)))

    def _split_delimiter(self, text: str) -> tuple[str, str]:
        """The text sent to the server and the delimiter echoed after it (TrimSuffix)."""
        if self.delimiter and text.endswith(self.delimiter):
            return text[: -len(self.delimiter)], self.delimiter
        return text, ""

    def _command(self, line: int, name: str, argument: str, style: Style, text: str) -> None:
        location = self._here(line)
        if name == "query":
            # `query` is Q_QUERY: the rest of the text, leading blank included, is the statement.
            if argument:
                self.records.append(Query(location, *self._split_delimiter(argument)))
            return
        if name in _TRIMMED_ARGUMENT:
            argument = go_trim_space(argument)
        shown, _ = self._split_delimiter(text) if style == "delimited" else (text, "")
        self.records.append(Command(location, name, argument, style, self.delimiter, shown))


@dataclass(slots=True)
class LineReader:
    """The older mysql-tester's reader: statements end at a line ending in ``;``, no delimiter."""

    file: str
    commands: frozenset[str] = frozenset()  # directives plugins added: commands too
    records: list[Record] = field(default_factory=list)

    def read(self, text: str) -> ParseResult:
        pieces: list[tuple[int, str]] = []
        new_statement = True
        for number, raw in enumerate(text.split("\n"), start=1):
            line = go_trim_space(raw)
            if line.startswith("#"):
                new_statement = True
            elif line.startswith("--"):
                pieces.append((number, line))
                new_statement = True
            elif line:
                if new_statement:
                    pieces.append((number, line))
                else:
                    first, pending = pieces[-1]
                    pieces[-1] = (first, pending + "\n" + line)
                new_statement = line.endswith(";")
        for number, piece in pieces:
            self._piece(number, piece)
        return ParseResult(self.records, ";")

    def _piece(self, number: int, text: str) -> None:
        if len(text) < 3:
            return  # mysql-tester drops it silently
        location = Location(self.file, number)
        dashed = text.startswith("--")
        body = (text[3:] if text[2] == " " else text[2:]) if dashed else text
        word = first_word(body, ";")
        name = word.lower()
        known = name in TESTER_COMMANDS or name in self.commands
        if dashed and not known and name not in TIDBRUN_COMMANDS:
            raise _not_a_command(location, word)
        if not dashed and not known:
            # Sent as written, the ';' too: the server's syntax errors quote it ("near 'x;'").
            self.records.append(Query(location, text, ""))
            return
        argument = body[len(word) :]
        if name == "delimiter":
            return  # not implemented by this mysql-tester: a warning in its log, nothing else
        if name == "query":
            if argument:
                self.records.append(Query(location, argument, ""))
            return
        if name in _TRIMMED_ARGUMENT:
            argument = go_trim_space(argument)
        style: Style = "dash" if dashed else "delimited"
        self.records.append(Command(location, name, argument, style, ";", body if dashed else body.removesuffix(";")))


def _not_a_command(location: Location, word: str) -> TestFileError:
    return TestFileError(
        location,
        f"'--{word}' is not a mysql-tester command (a line starting with '--' must be one; use '#' for a comment)"
        if word else "a line starting with '--' must name a mysql-tester command (use '#' for a comment)",
    )


Syntax = Literal["delimiter", "lines"]

# The mysql-tester commits that read `delimiter` (0d83955 and every commit after it, as of
# December 2026). A suite whose run-tests.sh pins any other commit was recorded with the line reader.
DELIMITER_READER_COMMITS = (
    "0d83955ea569706e5296cd3e2f54efb7f1206d0b",
    "2f83b8240aebb1a026e12e987bc336dc01d7559c",
    "12f37562a884a2d680d5ca619df80c8d0a080aff",
    "edd04900b742d13b36b56e8b68b68c2fac167f30",
    "95f51dcb0494e877ed16bfceb4a82ec0c241c84b",
    "8889e7d230b15c0dec129aa6b88a02a5c151f70d",
    "f2d90ea9522d30c9a8e8d70cc31c7f016ca2801f",
)
_PINNED_TESTER = re.compile(rb"github\.com/pingcap/mysql-tester/src@([0-9a-f]{7,40})\b")


def reader_syntax(test_file: Path) -> Syntax:
    """How mysql-tester reads ``test_file``: as the commit its suite's run-tests.sh pins does
    ("delimiter" when there is no such script or it names no commit)."""
    for folder in test_file.resolve().parents:
        if folder.name == "t":
            return _suite_syntax(folder.parent)
    return "delimiter"


@functools.lru_cache(maxsize=32)
def _suite_syntax(suite: Path) -> Syntax:
    try:
        script = (suite / "run-tests.sh").read_bytes()
    except OSError:
        return "delimiter"
    pinned = _PINNED_TESTER.search(script)
    if pinned is None:
        return "delimiter"
    commit = pinned.group(1).decode("ascii")
    return "delimiter" if any(known.startswith(commit) for known in DELIMITER_READER_COMMITS) else "lines"


def read_tester_text(path: Path) -> str:
    """Bytes as latin-1 characters, one per byte; lines are split on LF only (CR is trimmed)."""
    return path.read_bytes().decode("latin-1")


def parse_tester_text(
    text: str, file: str, commands: frozenset[str] = frozenset(), syntax: Syntax = "delimiter"
) -> ParseResult:
    reader = TesterReader(file, commands=commands) if syntax == "delimiter" else LineReader(file, commands=commands)
    return reader.read(text)


def parse_tester_file(
    path: Path, *, display: str | None = None, commands: frozenset[str] = frozenset()
) -> ParseResult:
    try:
        text = read_tester_text(path)
        syntax = reader_syntax(path)
    except OSError as exc:
        raise TestFileError(None, f"cannot read {path}: {exc.strerror}") from None
    return parse_tester_text(text, display or str(path), commands, syntax)
