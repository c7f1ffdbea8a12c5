"""The standard workflow every state machine starts with, and its handlers.

    initial → parsing_config → connecting → testing_connection → verifying_database
            → getting_version → (the test's first own state, else completed)

A state is a plain name; ``completed`` and ``error`` end a machine. The standard handlers print
nothing (hosts, ports and versions differ between runs): what they learn is on the context.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from runner.statemachine.context import Context

INITIAL = "initial"
PARSING_CONFIG = "parsing_config"
CONNECTING = "connecting"
TESTING_CONNECTION = "testing_connection"
VERIFYING_DATABASE = "verifying_database"
GETTING_VERSION = "getting_version"
COMPLETED = "completed"
ERROR = "error"

FINAL = frozenset({COMPLETED, ERROR})


def initial(ctx: Context) -> str:
    return PARSING_CONFIG


def parsing_config(ctx: Context) -> str:
    # tidbrun resolved the configuration before the test started; a machine only checks it has one.
    if not ctx.config.user:
        ctx.fail("no user to connect as")
    return CONNECTING


def connecting(ctx: Context) -> str:
    ctx.connect()
    return TESTING_CONNECTION


def testing_connection(ctx: Context) -> str:
    answer = ctx.sql("SELECT 1").scalar()
    if answer != "1":
        ctx.fail(f"SELECT 1 answered {answer!r}")
    return VERIFYING_DATABASE


def verifying_database(ctx: Context) -> str:
    current = ctx.sql("SELECT DATABASE()").scalar()
    if current != ctx.config.database:
        ctx.fail(f"connected to database {current!r}, expected {ctx.config.database!r}")
    return GETTING_VERSION


def getting_version(ctx: Context) -> str:
    ctx.version = ctx.sql("SELECT VERSION()").scalar() or ""
    low = ctx.version.lower()
    ctx.flavour = "tidb" if "tidb" in low else "mariadb" if "mariadb" in low else "mysql"
    return ctx.first_own_state


HANDLERS = {
    INITIAL: initial,
    PARSING_CONFIG: parsing_config,
    CONNECTING: connecting,
    TESTING_CONNECTION: testing_connection,
    VERIFYING_DATABASE: verifying_database,
    GETTING_VERSION: getting_version,
}
