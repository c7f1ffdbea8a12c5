"""mysql-test-run.pl's config templates, read as ``My::Config`` reads them.

A test's my.cnf is built from a template (``include/default_my.cnf``, ``suite/rpl/my.cnf``, a
test's own ``.cnf``): each ``[mysqld.N]`` group is one server MTR starts. ``My::Config`` differs
from a plain option-file reader in ways that show in the generated file: ``!include`` is relative
to the including file, else to MTR's working directory (the mysql-test folder); an option given
again in a group takes the new value in its old place, except options that may be given many times
(``plugin-load-add``, ``optimizer-switch``); ``#!magic`` comments (``#!use-slave-opt``) are options
with an empty value. ``My::ConfigFactory`` resolves ``@group.option`` references (``@mysqld.2.port``)
once every server's port and socket are known.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from runner.server import mycnf

log = logging.getLogger("tidbrun.server")

# Options MTR lets a group repeat (My::Config's %multipart_options), names written with '-'.
_MULTIPART = frozenset({"plugin-load-add", "optimizer-switch"})
_GROUP = re.compile(r"^\[(.*)\]")
_MAGIC = re.compile(r"^(#!\S+)(?:\s*(.*?)\s*)?$")
_INCLUDE = re.compile(r"^!include\s*(.*?)\s*$")
_BARE = re.compile(r"^(#?[\w-]+)\s*$")
_VALUED = re.compile(r"^(#?[\w-]+)\s*=\s*(.*?)\s*$")
_FILTER = re.compile(r"^(\w+.\w+)\s*=\s*(.*)\s*")  # connection_name.replicate-do-db=...
# ConfigFactory's resolve_at_variable: @<group>.<option>, the group being every part but the last.
_AT_REF = re.compile(r"@((?:\w+\.)+)(#?[-\w]+)")
_SERVER_GROUP = re.compile(r"^mysqld\.\d+$")
# My::Config's own groups: never written to my.cnf.
HIDDEN_GROUPS = frozenset({"ENV", "OPT"})


class TemplateError(ValueError):
    """A template MTR would refuse (an unknown line, a missing include)."""


def option_line(name: str, value: str | None) -> str:
    """How MTR writes an option: ``name`` alone when it has no value, else ``name=value``."""
    return name if value is None else f"{name}={value}"


def _split(line: str) -> tuple[str, str | None]:
    name, sep, value = line.partition("=")
    return name, (value if sep else None)


class _Template:
    def __init__(self) -> None:
        self.groups: dict[str, list[tuple[str, str | None]]] = {}

    def insert(self, group: str, name: str | None = None, value: str | None = None) -> None:
        options = self.groups.setdefault(group, [])
        if name is None:
            return
        if name.replace("_", "-") not in _MULTIPART:
            for index, (known, _) in enumerate(options):
                if known == name:
                    options[index] = (name, value)
                    return
        options.append((name, value))


def read_template(path: Path, mysql_test_dir: Path | None = None) -> list[mycnf.OptionGroup]:
    """The groups of ``path`` and what it includes, in MTR's order and with its values."""
    return [mycnf.OptionGroup(name, list(options)) for name, options in _read_cached(path, mysql_test_dir)]


@functools.lru_cache(maxsize=32)
def _read_cached(path: Path, mysql_test_dir: Path | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    template = _Template()
    _read_into(template, path, mysql_test_dir, frozenset())
    return tuple(
        (name, tuple(option_line(opt, value) for opt, value in options)) for name, options in template.groups.items()
    )


def _read_into(template: _Template, path: Path, mysql_test_dir: Path | None, seen: frozenset[Path]) -> None:
    if path.resolve() in seen:
        raise TemplateError(f"{path} includes itself")
    seen = seen | {path.resolve()}
    group: str | None = None
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise TemplateError(f"cannot read the config template {path}: {exc}") from exc
    for raw in text.split("\n"):
        line = raw.rstrip("\r")
        if (match := _GROUP.match(line)) is not None:
            group = match.group(1)
            template.insert(group)
        elif (match := _MAGIC.match(line)) is not None:
            if group is None:
                raise TemplateError(f"{path}: magic comment {match.group(1)!r} outside of a group")
            template.insert(group, match.group(1), match.group(2) or "")
        elif not line:
            continue
        elif (match := _INCLUDE.match(line)) is not None:
            _read_into(template, _included(path, match.group(1), mysql_test_dir), mysql_test_dir, seen)
        elif (match := _BARE.match(line)) is not None or (match := _VALUED.match(line)) is not None:
            if group is None:
                raise TemplateError(f"{path}: option {line!r} outside of a group")
            template.insert(group, match.group(1), match.group(2) if match.re is _VALUED else None)
        elif line.startswith(("#", ";")):
            continue
        elif (match := _FILTER.match(line)) is not None and group is not None:
            template.insert(group, match.group(1), match.group(2))
        else:
            raise TemplateError(f"{path}: unexpected line {line!r}")


def _included(path: Path, name: str, mysql_test_dir: Path | None) -> Path:
    beside = path.parent / name
    if beside.is_file():
        return beside
    # MTR tries the name as it is, relative to its working directory: the mysql-test folder.
    candidate = Path(name) if mysql_test_dir is None else mysql_test_dir / name
    if candidate.is_file():
        return candidate
    raise TemplateError(f"{path}: the include file {name!r} does not exist")


def server_names(groups: Sequence[mycnf.OptionGroup]) -> list[str]:
    """The servers a template defines (``mysqld.1``, ``mysqld.2``...), in the template's order."""
    return [group.name for group in groups if _SERVER_GROUP.match(group.name)]


def extra_servers(template: Path | None, mysql_test_dir: Path | None) -> tuple[str, ...]:
    """The servers ``template`` defines beside ``mysqld.1``; () for one server or no template."""
    if template is None or not template.is_file():
        return ()
    try:
        names = server_names(read_template(template, mysql_test_dir))
    except TemplateError as exc:  # MTR would refuse the test; with one server it fails plainly
        log.warning("%s", exc)
        return ()
    return tuple(sorted((name for name in names if name != "mysqld.1"), key=_server_number))


def _server_number(name: str) -> int:
    return int(name.rsplit(".", 1)[1])


def has_option(options: Sequence[str], name: str) -> bool:
    return any(_split(line)[0] == name for line in options)


def resolve_references(
    groups: Sequence[mycnf.OptionGroup],
    environment: Mapping[str, str],
    *,
    opt_port: Callable[[], int] | None = None,
) -> None:
    """Replace ``@group.option`` in every value by that option's value (ConfigFactory's
    ``post_fix_resolve_at_variables``), in place, one option after the other as MTR does (an option
    sees the resolved value of one before it). ``environment`` stands in for options the ``[ENV]``
    group lacks (MTR's ENV group falls back to its own environment); ``opt_port`` gives each
    ``@OPT.port`` a port of its own (MTR's ``fix_port``); a reference to a group that does not
    exist is left as written."""
    by_name = {group.name: group for group in groups}

    def value_of(group_name: str, option: str) -> str | None:
        if group_name == "OPT" and option == "port" and opt_port is not None:
            return str(opt_port())
        group = by_name.get(group_name)
        if group is None:
            return None
        for line in group.options:
            name, value = _split(line)
            if name == option:
                return value
        return environment.get(option) if group_name == "ENV" else None

    def replacement(match: re.Match[str]) -> str:
        found = value_of(match.group(1)[:-1], match.group(2))
        return match.group(0) if found is None else found

    for group in groups:
        for index, line in enumerate(group.options):
            name, value = _split(line)
            if value is not None and "@" in value:
                group.options[index] = option_line(name, _AT_REF.sub(replacement, value))


def environment_of(groups: Sequence[mycnf.OptionGroup]) -> dict[str, str]:
    """The ``[ENV]`` group as variables (MTR exports them for the test)."""
    variables: dict[str, str] = {}
    for group in groups:
        if group.name == "ENV":
            for line in group.options:
                name, value = _split(line)
                if value is not None:
                    variables[name] = value
    return variables
