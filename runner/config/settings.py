"""A run's resolved options (``runner.config.sources``) made into the settings of its parts:
timeouts, the log and report files, and the password with its source.

For the password: --password / -pVALUE > -p (asked at once) > TIDB_PASSWORD > config file > MYSQL_PWD > none.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from runner.config import file as config_file
from runner.config.credentials import password as passwords
from runner.config.run_config import FaultSettings
from runner.config.schema import Schema, builtin_schema
from runner.config.sources import CLI, ENV, FILE, Resolution, resolve
from runner.errors import TidbrunError

CONFIG_ENV = "TIDB_CONFIG"  # names the config file when --config does not


class SettingsError(TidbrunError):
    """Options that cannot go together."""


@dataclass(slots=True)
class Resolved:
    faults: FaultSettings
    password: str = field(repr=False)


def config_path(given: Path | None, environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> Path | None:
    """The config file: --config, else TIDB_CONFIG, else ./tidbrun.toml, ./tidbrun.json or
    ./pyproject.toml's [tool.tidbrun]."""
    env = os.environ if environ is None else environ
    if given is not None:
        return given
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV])
    return config_file.find(cwd or Path.cwd())


def resolve_options(
    cli: Mapping[str, Any],
    *,
    config: Path | None,
    schema: Schema | None = None,
    environ: Mapping[str, str] | None = None,
    cli_names: Mapping[str, str] | None = None,
    strict: bool = True,
    warn: TextIO | None = None,
) -> Resolution:
    """Every option's value and origin; a config file's warning (a password others can read) on ``warn``."""
    env = os.environ if environ is None else environ
    loaded = config_file.load(config) if config is not None else None
    if loaded is not None and strict:
        warning = config_file.permission_warning(loaded)
        if warning:
            print(f"tidbrun: {warning}", file=warn or sys.stderr)
    return resolve(schema or builtin_schema(), cli=cli, environ=env, file=loaded, cli_names=cli_names,
                   strict=strict)


def settle(
    options: Resolution,
    *,
    ask_password: bool = False,
    prompt: Callable[[str], str] | None = None,
) -> Resolved:
    """The fault settings and the password of a run whose options are resolved."""
    values = options.values
    origin = options.origins["password"][-1]
    given_password = values["password"] if origin.source == CLI else None
    if ask_password and given_password is not None:
        raise SettingsError("give either -p (ask for the password) or --password, not both")
    if ask_password and values["no_password_prompt"]:
        raise SettingsError("-p asks for the password; --no-password-prompt forbids asking")
    for name in ("statement_timeout", "testcase_timeout", "suite_timeout", "connect_timeout"):
        value = values[name]
        if value is not None and not value > 0:
            raise SettingsError(f"--{name.replace('_', '-')} must be a number of seconds above 0")
    choice = passwords.choose(
        option=given_password,
        ask=ask_password,
        environ=_password_environ(values["password"] if origin.source == ENV else None),
        file_password=values["password"] if origin.source == FILE else None,
        file_name=str(options.file.path) if options.file is not None else "",
        prompt=prompt,
    )
    faults = FaultSettings(
        statement_timeout=values["statement_timeout"],
        testcase_timeout=values["testcase_timeout"],
        suite_timeout=values["suite_timeout"],
        connect_timeout=values["connect_timeout"],
        log_file=values["log_file"],
        report_file=values["report_file"],
        password_source=choice.source,
        may_prompt=passwords.can_prompt(values["no_password_prompt"]),
        log_level=values["log_level"],
        log_format=values["log_format"],
    )
    return Resolved(faults, choice.value)


def _password_environ(tidb_password: str | None) -> dict[str, str]:
    """The environment as the password's choice reads it: TIDB_PASSWORD as the options resolved
    it, and MYSQL_PWD, which is below the config file and so no run option."""
    environ = {passwords.ENV_NAME: tidb_password} if tidb_password is not None else {}
    if passwords.MYSQL_ENV_NAME in os.environ:
        environ[passwords.MYSQL_ENV_NAME] = os.environ[passwords.MYSQL_ENV_NAME]
    return environ
