"""Which password tidbrun connects with, by priority:

1. ``--password VALUE`` (or ``-pVALUE``) on the command line;
2. ``-p`` alone: asked for at once, without echo;
3. the environment: ``TIDB_PASSWORD``;
4. the config file: ``[server] password``;
5. the environment: ``MYSQL_PWD``, as the MySQL clients read it (below their option files);
6. none — and when the server then refuses the connection for want of one, tidbrun asks, if a
   terminal is there to ask on and ``--no-password-prompt`` was not given (CI).

The value never leaves this object but to the driver: its repr hides it, and only ``source`` is
ever shown.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TextIO

ENV_NAME = "TIDB_PASSWORD"
MYSQL_ENV_NAME = "MYSQL_PWD"
# The server's "you need a password" answers: access denied (with or without one given).
ASKS_FOR_PASSWORD = frozenset({1045, 1698})


@dataclass(frozen=True, slots=True)
class PasswordChoice:
    value: str = field(repr=False)
    source: str  # for messages: "--password", "prompt", "TIDB_PASSWORD", "config file x.toml", "MYSQL_PWD", "none"

    @property
    def given(self) -> bool:
        return self.source != "none"


def choose(
    *,
    option: str | None,
    ask: bool,
    environ: Mapping[str, str],
    file_password: str | None,
    file_name: str = "",
    prompt: Callable[[str], str] | None = None,
    label: str = "",
) -> PasswordChoice:
    if option is not None:
        return PasswordChoice(option, "--password")
    if ask:
        reader = prompt or read_password
        return PasswordChoice(reader(f"Enter password{label}: "), "prompt")
    if ENV_NAME in environ:
        return PasswordChoice(environ[ENV_NAME], ENV_NAME)
    if file_password is not None:
        return PasswordChoice(file_password, f"config file {file_name}".rstrip())
    if MYSQL_ENV_NAME in environ:
        return PasswordChoice(environ[MYSQL_ENV_NAME], MYSQL_ENV_NAME)
    return PasswordChoice("", "none")


def can_prompt(no_prompt: bool, stdin: TextIO | None = None) -> bool:
    stream = stdin if stdin is not None else sys.stdin
    try:
        return not no_prompt and stream is not None and stream.isatty()
    except (AttributeError, ValueError):
        return False


def read_password(prompt: str) -> str:
    """Without echo on a terminal; from a line of standard input otherwise (``echo pw | tidbrun -p``)."""
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(prompt)
    line = sys.stdin.readline() if sys.stdin is not None else ""
    return line.rstrip("\r\n")


def split_short_option(argv: list[str]) -> list[str]:
    """MySQL's ``-p``: alone it asks for the password, ``-pVALUE`` gives it (never ``-p VALUE``,
    which would take a test path for a password)."""
    out: list[str] = []
    for index, argument in enumerate(argv):
        if argument == "--":
            out.extend(argv[index:])
            break
        if argument == "-p":
            out.append("--ask-password")
        elif argument.startswith("-p") and not argument.startswith("--"):
            out.append("--password=" + argument[2:])
        else:
            out.append(argument)
    return out
