"""Merging the command line with the config file (and the environment) for the settings of
issue 5: timeouts, the log and report files, and the password's source.

Priority, highest first: command line > environment (TIDB_*) > config file > defaults.
For the password: --password / -pVALUE > -p (asked at once) > TIDB_PASSWORD > config file > MYSQL_PWD > none.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner.config import file as config_file
from runner.config.credentials import password as passwords
from runner.config.run_config import FaultSettings
from runner.errors import TidbrunError


class SettingsError(TidbrunError):
    """Options that cannot go together."""


@dataclass(slots=True)
class Resolved:
    faults: FaultSettings
    password: str = field(repr=False)
    environ: dict[str, str]  # the TIDB_* variables, the config file's [server] below the real ones
    test: dict[str, Any]  # the config file's [test] section (dialect, force, paths...)
    socket: str | None = None  # the config file's [server] socket

    @property
    def variables(self) -> dict[str, str]:
        """The config file's ``[test] var`` table (--var on the command line goes over it)."""
        return dict(self.test.get("var", {}))

    def with_file_defaults(
        self,
        dialect: str | None,
        force: bool,
        verbose: bool,
        basedir: Path | None,
        reject_dir: Path | None,
        vardir: Path | None,
    ) -> tuple[str | None, bool, bool, Path | None, Path | None, Path | None]:
        """The command line's values, the config file's [test] ones where it gave none."""
        test = self.test
        return (
            dialect or test.get("dialect"),
            force or bool(test.get("force")),
            verbose or bool(test.get("verbose")),
            basedir or _path(test.get("basedir")),
            reject_dir or _path(test.get("reject_dir")),
            vardir or _path(test.get("vardir")),
        )


def resolve(
    *,
    config_path: Path | None,
    password: str | None,
    ask_password: bool,
    no_password_prompt: bool,
    statement_timeout: float | None,
    testcase_timeout: float | None,
    suite_timeout: float | None,
    connect_timeout: float | None,
    log_file: Path | None,
    report_file: Path | None,
    environ: Mapping[str, str] | None = None,
    warn: Any = None,
    prompt: Callable[[str], str] | None = None,
) -> Resolved:
    env = dict(os.environ if environ is None else environ)
    if ask_password and password is not None:
        raise SettingsError("give either -p (ask for the password) or --password, not both")
    if ask_password and no_password_prompt:
        raise SettingsError("-p asks for the password; --no-password-prompt forbids asking")
    for name, value in (("--statement-timeout", statement_timeout), ("--testcase-timeout", testcase_timeout),
                        ("--suite-timeout", suite_timeout), ("--connect-timeout", connect_timeout)):
        if value is not None and not value > 0:
            raise SettingsError(f"{name} must be a number of seconds above 0")
    settings = config_file.load(config_path) if config_path is not None else None
    if settings is not None:
        warning = config_file.permission_warning(settings)
        if warning:
            print(f"tidbrun: {warning}", file=warn or sys.stderr)
    server: dict[str, Any] = settings.server if settings is not None else {}
    test: dict[str, Any] = settings.test if settings is not None else {}
    choice = passwords.choose(
        option=password,
        ask=ask_password,
        environ=env,
        file_password=settings.password if settings is not None else None,
        file_name=str(config_path or ""),
        prompt=prompt,
    )
    merged_env = {**(settings.as_environment() if settings is not None else {}), **env}
    faults = FaultSettings(
        statement_timeout=_first(statement_timeout, test.get("statement_timeout")),
        testcase_timeout=_first(testcase_timeout, test.get("testcase_timeout")),
        suite_timeout=_first(suite_timeout, test.get("suite_timeout")),
        connect_timeout=_first(connect_timeout, server.get("connect_timeout"), FaultSettings().connect_timeout),
        log_file=log_file or _path(test.get("log_file")),
        report_file=report_file or _path(test.get("report_file")),
        password_source=choice.source,
        may_prompt=passwords.can_prompt(no_password_prompt),
    )
    return Resolved(faults, choice.value, merged_env, test, server.get("socket"))


def _first(*values: Any) -> Any:
    return next((value for value in values if value is not None), None)


def _path(value: Any) -> Path | None:
    return Path(value) if isinstance(value, str) else None
