"""What the result shows: the *_log/warnings/info/… switches and the one-shot modifiers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from runner.engine.directives.registry import directive
from runner.engine.outcomes import TestFailure
from runner.language.arguments import split_quoted
from runner.render.transforms import parse_replace_column, parse_replace_regex, parse_replace_result

if TYPE_CHECKING:
    from runner.engine.interpreter import Interpreter
    from runner.language.records import Command

# enable_X / disable_X → the Toggles field they switch.
_TOGGLES = {
    "query_log": "query_log",
    "result_log": "result_log",
    "warnings": "warnings",
    "info": "info",
    "session_track_info": "session_track_info",
    "metadata": "metadata",
    "column_names": "column_names",
    "abort_on_error": "abort_on_error",
    "connect_log": "connect_log",
    "reconnect": "reconnect",
}

# Protocol variants that mysql-test-run.pl switches on with --ps-protocol, --view-protocol …
# tidbrun runs the plain text protocol, where these commands change nothing (as in mysqltest
# when the protocol is not selected).
_PROTOCOL_MODES = (
    "ps_protocol",
    "ps2_protocol",
    "view_protocol",
    "cursor_protocol",
    "service_connection",
    "non_blocking_api",
    "prepare_warnings",
)


def _make_toggle(field: str, value: bool) -> None:
    def handler(ctx: Interpreter, cmd: Command) -> None:
        argument = cmd.argument.strip()
        if argument.upper() == "ONCE":
            # `--disable_warnings ONCE`: for the next statement only.
            ctx.toggle_once(field, value)
        elif argument and not argument.startswith("#"):
            # mysqltest's check_eol_junk: a # comment may follow the command, nothing else.
            raise TestFailure(cmd.location, f'End of line junk detected: "{argument}"')
        else:
            ctx.set_toggle(field, value)

    directive(f"{'enable' if value else 'disable'}_{field}")(handler)


for _name, _field in _TOGGLES.items():
    _make_toggle(_field, True)
    _make_toggle(_field, False)


def _protocol_mode(ctx: Interpreter, cmd: Command) -> None:
    return None


for _mode in _PROTOCOL_MODES:
    directive(f"enable_{_mode}", f"disable_{_mode}")(_protocol_mode)


@directive("vertical_results")
def vertical_results(ctx: Interpreter, cmd: Command) -> None:
    ctx.set_toggle("vertical", True)


@directive("horizontal_results")
def horizontal_results(ctx: Interpreter, cmd: Command) -> None:
    ctx.set_toggle("vertical", False)


@directive("sorted_result")
def sorted_result(ctx: Interpreter, cmd: Command) -> None:
    ctx.modifiers.sorted = True


@directive("lowercase_result")
def lowercase_result(ctx: Interpreter, cmd: Command) -> None:
    ctx.modifiers.lowercase = True


def _expand_words(ctx: Interpreter, text: str) -> str:
    """replace_result/replace_column expand a word only when it starts with ``$``."""
    words = split_quoted(text)
    return " ".join(_quote(ctx.expand(w) if w.startswith("$") else w) for w in words)


def _quote(word: str) -> str:
    if word and not any(c in word for c in " \t\r\n\"'"):
        return word
    return f"'{word}'" if "'" not in word else f'"{word}"'


@directive("replace_result")
def replace_result(ctx: Interpreter, cmd: Command) -> None:
    ctx.modifiers.strings = parse_replace_result(_expand_words(ctx, cmd.argument))


@directive("replace_regex")
def replace_regex(ctx: Interpreter, cmd: Command) -> None:
    # mysqltest reads `$name` only where a /from/to/ could start (a `$` in a pattern is an anchor);
    # no argument at all clears the list, blanks alone are a parse error.
    text = cmd.argument
    ctx.modifiers.regexes = parse_replace_regex(text, ctx.variables.get) if text else ()


@directive("replace_column")
def replace_column(ctx: Interpreter, cmd: Command) -> None:
    ctx.modifiers.replace_column = parse_replace_column(_expand_words(ctx, cmd.argument))


@directive("character_set")
def character_set(ctx: Interpreter, cmd: Command) -> None:
    # Connections opened after it use this character set (the reader also switches, see parser).
    charset = ctx.expand(cmd.argument).strip()
    if not charset:
        raise ValueError("character_set needs a character set name")
    ctx.charset = charset


@directive("result_format")
def result_format(ctx: Interpreter, cmd: Command) -> None:
    version = ctx.expand(cmd.argument).strip()
    if version != "1":
        raise ValueError("only result_format 1 is supported")
    ctx.out.append(f"result_format: {version}\n")


@directive("start_timer", "end_timer")
def timer(ctx: Interpreter, cmd: Command) -> None:
    # mysqltest writes the elapsed time only to a --timer-file; nothing reaches the result.
    return None
