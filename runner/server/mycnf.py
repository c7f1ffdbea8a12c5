"""Reading mysql-test's option files and writing the ``my.cnf`` a test run uses.

mysql-test-run.pl builds one ``my.cnf`` per run from ``include/default_my.cnf`` (which includes
``default_mysqld.cnf`` and ``default_client.cnf``), resolves ``@ENV.X`` references, and adds paths,
ports and a ``[client]`` group. The server is started with ``--defaults-group-suffix=.1`` and the
client tools read the same file, so ``$MYSQL`` picks up ``[mysql] default-character-set=latin1``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

_ENV_REF = re.compile(r"@ENV\.(\w+)")


@dataclass
class OptionGroup:
    """One ``[group]`` of an option file: its option lines in file order, normalised."""

    name: str
    options: list[str] = field(default_factory=list)


def _normalise(line: str) -> str:
    # MTR writes "key=value" without the alignment spaces of the source files.
    if "=" not in line:
        return line.strip()
    key, value = line.split("=", 1)
    return f"{key.strip()}={value.strip()}"


def read_option_file(path: Path, *, _seen: frozenset[Path] = frozenset()) -> list[OptionGroup]:
    """Parse an option file, following ``!include`` (relative to the including file).

    Groups that appear more than once keep one entry, options appended in order.
    """
    path = path.resolve()
    if path in _seen:
        return []
    groups: dict[str, OptionGroup] = {}
    current: OptionGroup | None = None
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("!include "):
            included = path.parent / line.split(None, 1)[1].strip()
            for group in read_option_file(included, _seen=_seen | {path}):
                _merge(groups, group)
            current = None
            continue
        if line.startswith("!"):
            continue
        if line.startswith("[") and line.endswith("]"):
            name = line[1:-1].strip()
            current = groups.setdefault(name, OptionGroup(name))
            continue
        if current is not None:
            current.options.append(_normalise(line))
    return list(groups.values())


def _merge(groups: dict[str, OptionGroup], group: OptionGroup) -> None:
    target = groups.setdefault(group.name, OptionGroup(group.name))
    target.options.extend(group.options)


def group_options(groups: Iterable[OptionGroup], name: str) -> list[str]:
    for group in groups:
        if group.name == name:
            return list(group.options)
    return []


def option_name(line: str) -> str:
    """``loose-innodb_buffer_pool_size=8M`` → ``loose-innodb_buffer_pool_size``."""
    return line.split("=", 1)[0].strip()


def resolve_env_refs(options: Iterable[str], env: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """Replace ``@ENV.NAME`` with ``env[NAME]``.

    Returns (resolved options, options dropped because they name a variable we do not have).
    """
    kept: list[str] = []
    dropped: list[str] = []
    for line in options:
        missing = [m.group(1) for m in _ENV_REF.finditer(line) if m.group(1) not in env]
        if missing:
            dropped.append(line)
            continue
        kept.append(_ENV_REF.sub(lambda m: env[m.group(1)], line))
    return kept, dropped


def render(groups: Iterable[OptionGroup]) -> str:
    parts: list[str] = []
    for group in groups:
        parts.append(f"[{group.name}]")
        parts.extend(group.options)
        parts.append("")
    return "\n".join(parts)


def client_group_options(
    *,
    host: str,
    port: int,
    socket: str | None,
    user: str,
    password: str,
) -> list[str]:
    """What MTR copies from ``[mysqld.1]`` into ``[client]`` and ``[client.1]``.

    An empty password is written as MTR writes it; a real one is not written at all — the client
    tools get it from ``MYSQL_PWD`` (``mtr_env.test_environment``), so no file holds it (and a
    ``password=`` line would override ``MYSQL_PWD``)."""
    options = [f"user={user}"]
    if not password:
        options.append("password=")
    if socket:
        options.append(f"socket={socket}")
    options += [f"host={host}", f"port={port}"]
    return options
