"""A config file's text from option values: every option of the schema, by section, with its help;
the values given set, the others commented out (TOML) or left out (JSON) with their defaults.

JSON has no comments: an option's help is a ``"$key"`` entry beside it, which the reader skips."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from runner.config.schema import ASSIGNMENTS, Option, Schema

HEADER = "tidbrun configuration: the command line and TIDB_* variables go over it (tidbrun config show)."


def render(schema: Schema, values: Mapping[str, Any], fmt: str) -> str:
    return _json(schema, values) if fmt == "json" else _toml(schema, values)


def _file_value(option: Option, value: Any) -> Any:
    """A value as the file holds it: paths as text, ``--var`` items as a table."""
    if isinstance(value, Path):
        return str(value)
    if option.kind is ASSIGNMENTS:
        return dict(item.partition("=")[::2] for item in value)
    if option.kind.written is not None and value is not None:
        return option.kind.written(value)
    return value


def _note(option: Option) -> str:
    where = f"env {option.variable}" if option.variable else "no variable"
    default = option.default
    shown = "none" if default in (None, [], "") else json.dumps(_file_value(option, default))
    return f"{option.help} ({where}; default: {shown})"


def _toml(schema: Schema, values: Mapping[str, Any]) -> str:
    import tomlkit  # only config init writes TOML

    document = tomlkit.document()
    document.add(tomlkit.comment(HEADER))
    for section in schema.sections:
        table = tomlkit.table()
        for option in schema:
            if option.section != section:
                continue
            table.add(tomlkit.comment(_note(option)))
            if option.name in values:
                table.add(option.file_key, _file_value(option, values[option.name]))
            elif option.default not in (None, [], ""):
                example = tomlkit.item(_file_value(option, option.default)).as_string()
                table.add(tomlkit.comment(f"{option.file_key} = {example}"))
            else:
                table.add(tomlkit.comment(f"{option.file_key} ="))
        document.add(tomlkit.nl())
        document.add(section, table)
    return tomlkit.dumps(document)


def _json(schema: Schema, values: Mapping[str, Any]) -> str:
    document: dict[str, Any] = {"$comment": HEADER + ' Keys starting with "$" are comments.'}
    for section in schema.sections:
        body: dict[str, Any] = {}
        for option in schema:
            if option.section != section:
                continue
            body[f"${option.file_key}"] = _note(option)
            if option.name in values:
                body[option.file_key] = _file_value(option, values[option.name])
        document[section] = body
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
