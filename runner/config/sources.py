"""A run's options from their sources, by priority: command line > ``TIDB_*`` environment > config
file > defaults — with where each value came from, for ``tidbrun config show``.

An option that joins its sources (``merge``: ``--var``, ``--plugin``...) gets the file's items, then
the environment's, then the command line's (a later ``--var`` of the same name wins).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner.config.file import ConfigFile, ConfigFileError, Entry
from runner.config.schema import Option, Schema, as_path
from runner.errors import TidbrunError

CLI = "cli"
ENV = "env"
FILE = "file"
DEFAULT = "default"


class OptionValueError(TidbrunError):
    """A ``TIDB_*`` variable, or a typed option, whose value is not one of its option's."""


@dataclass(frozen=True, slots=True)
class Origin:
    source: str  # cli, env, file or default
    detail: str = ""  # the option as typed, the variable, or file:line

    def __str__(self) -> str:
        return f"{self.source} {self.detail}" if self.detail else self.source


@dataclass(slots=True)
class Resolution:
    schema: Schema
    values: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, list[Origin]] = field(default_factory=dict)
    file: ConfigFile | None = None

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def origin(self, name: str) -> str:
        """Where the value came from: ``cli --host``, ``env TIDB_PORT``, ``file x.toml:3``, ``default``."""
        return " + ".join(str(origin) for origin in self.origins[name])

    def shown(self, name: str) -> str:
        """The value as ``config show`` prints it; a secret only as whether it is set."""
        option = self.schema[name]
        value = self.values[name]
        if option.secret:
            return f"set (from {self.origin(name)})" if value else "not set"
        if option.kind.written is not None and value is not None:
            return str(option.kind.written(value))
        return _display(value)

    def __repr__(self) -> str:  # never a secret
        shown = {name: self.shown(name) for name in self.values}
        return f"Resolution({shown})"


def resolve(
    schema: Schema,
    *,
    cli: Mapping[str, Any],
    environ: Mapping[str, str],
    file: ConfigFile | None,
    cli_names: Mapping[str, str] | None = None,
    strict: bool = True,
) -> Resolution:
    """Every option of ``schema``'s value and origin. ``cli``: the options given on the command
    line (by name); ``strict`` False leaves the file's unknown keys for a later pass (before the
    plugins that add options are loaded)."""
    from_file = file_values(schema, file, strict=strict) if file is not None else {}
    resolution = Resolution(schema, file=file)
    for option in schema:
        layers: list[tuple[Any, Origin]] = []
        if option.name in from_file:
            value, line = from_file[option.name]
            layers.append((value, Origin(FILE, f"{file.path}:{line}" if file is not None else "")))
        variable = option.variable
        if variable is not None and variable in environ:
            layers.append((_from_environment(option, variable, environ[variable]), Origin(ENV, variable)))
        if option.name in cli:
            flag = (cli_names or {}).get(option.name, "--" + option.name.replace("_", "-"))
            if option.kind.choices and cli[option.name] is not None and cli[option.name] not in option.kind.choices:
                raise OptionValueError(f"{flag} {cli[option.name]!r}: must be {option.kind.name}")
            layers.append((cli[option.name], Origin(CLI, flag)))
        if not layers:
            resolution.values[option.name] = _copy(option.default)
            resolution.origins[option.name] = [Origin(DEFAULT)]
        elif option.merge:
            resolution.values[option.name] = [item for value, _ in layers for item in (value or [])]
            resolution.origins[option.name] = [origin for _, origin in layers]
        else:
            value, origin = layers[-1]
            resolution.values[option.name] = value
            resolution.origins[option.name] = [origin]
        if option.kind.path and isinstance(resolution.values[option.name], str):
            resolution.values[option.name] = Path(resolution.values[option.name])
    return resolution


def file_values(schema: Schema, file: ConfigFile, *, strict: bool = True) -> dict[str, tuple[Any, int]]:
    """The file's entries as option values (with their lines); ConfigFileError naming file:line
    for an unknown or misplaced key and for a value of the wrong type."""
    values: dict[str, tuple[Any, int]] = {}
    for entry in file.entries:
        option = _option_of(schema, entry, file) if strict else _known(schema, entry)
        if option is None:
            continue
        try:
            value = option.kind.check(entry.value)
        except (ValueError, UnicodeEncodeError):
            raise ConfigFileError(file.location(entry.line),
                                  f"[{option.section}] {option.file_key} must be {option.kind.name}") from None
        if option.kind.path:
            value = [as_path(item, file.base) for item in value] if isinstance(value, list) else as_path(
                value, file.base)
        values[option.name] = (value, entry.line)
    return values


def parse_values(data: bytes, path: Path, schema: Schema | None = None) -> dict[str, Any]:
    """A config file's bytes → {option name: value}, checked (ConfigFileError with file:line)."""
    from runner.config.file import parse
    from runner.config.schema import builtin_schema

    return {name: value for name, (value, _) in file_values(schema or builtin_schema(), parse(data, path)).items()}


def _known(schema: Schema, entry: Entry) -> Option | None:
    return schema.at(entry.section, entry.key) if entry.section is not None else None


def _option_of(schema: Schema, entry: Entry, file: ConfigFile) -> Option:
    where = file.location(entry.line)
    if entry.section is None:
        if entry.key in schema.sections:
            raise ConfigFileError(where, f"'{entry.key}' must be a [{entry.key}] table")
        guess = schema.closest(None, entry.key)
        hint = f" (did you mean {guess.place}?)" if guess is not None else ""
        raise ConfigFileError(where, f"unknown key '{entry.key}' outside a section{hint}")
    if entry.section not in schema.sections:
        known = ", ".join(f"[{section}]" for section in schema.sections)
        raise ConfigFileError(where, f"unknown section [{entry.section}] (known: {known}; a plugin's section "
                                     "is known once the plugin is loaded)")
    option = schema.at(entry.section, entry.key)
    if option is None:
        guess = schema.closest(entry.section, entry.key)
        hint = f" (did you mean {guess.place}?)" if guess is not None else ""
        raise ConfigFileError(where, f"unknown key '{entry.key}' in [{entry.section}]{hint}")
    return option


def _from_environment(option: Option, variable: str, text: str) -> Any:
    try:
        value = option.kind.check(option.kind.parse(text))
    except (ValueError, UnicodeEncodeError):
        shown = "(hidden)" if option.secret else repr(text)
        raise OptionValueError(f"{variable}={shown}: must be {option.kind.name}") from None
    return value


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


def _display(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value) if value else "(none)"
    return str(value)
