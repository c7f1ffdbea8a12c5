"""The runs mysql-test-run.pl makes of one test from ``.combinations`` files.

Each file of a test's closure may have a ``<stem>.combinations`` beside it (``x.inc`` ->
``x.combinations``, ``t.test`` -> ``t.combinations``), and a suite may have a ``combinations``
file. Each is a dimension; a run picks one ``[group]`` of every dimension (``make_combinations``):

- a dimension whose options are all already among the test's options (``My::Options::is_subset``)
  is not split: the test just takes that group's name;
- otherwise the test is copied once per group, the group's options going in front of the others;
- the suite's ``skip_combinations`` can drop groups, or a whole file with a reason: a test that
  meets such a file is skipped with that reason (``Requires: <file>`` when every group is dropped),
  and a skipped test is not split further.

MTR prints a run as ``suite.test 'a,b'`` with the names sorted; ``MTR_COMBINATIONS`` keeps them
in the order the dimensions were applied.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from runner.mtr.closure import Closure
from runner.mtr.options import BaseOptions
from runner.mtr.suites import suite_for_file

_EXTENSION = re.compile(r"\.\w+$", re.ASCII)
# My::Config's line forms, tried in this order.
_GROUP = re.compile(r"^\[(.*)\]")
_MAGIC = re.compile(r"^(#!\S+)(?:\s*(.*?)\s*)?$", re.ASCII)
_INCLUDE = re.compile(r"^!include\s*(.*?)\s*$", re.ASCII)
_BARE_OPTION = re.compile(r"^(#?[\w-]+)\s*$", re.ASCII)
_VALUE_OPTION = re.compile(r"^(#?[\w-]+)\s*=\s*(.*?)\s*$", re.ASCII)
_FILTER_OPTION = re.compile(r"^(\w+.\w+)\s*=\s*(.*)\s*", re.ASCII)
# Options My::Config lets a group hold several times ("-" spelling).
_MULTIPART = frozenset({"plugin-load-add", "optimizer-switch"})
# Groups My::Config keeps apart from the option groups (option_groups() leaves them out).
_SPECIAL_GROUPS = frozenset({"ENV", "OPT"})


class CombinationsError(ValueError):
    """A ``.combinations`` file My::Config refuses (MTR stops the whole run on it)."""


class SkipRules(Protocol):
    """What a suite's ``skip_combinations`` says (see ``suite_rules.RuleBook``)."""

    def file_skip(self, combinations_file: Path) -> str | None: ...

    def skipped_choices(self, combinations_file: Path) -> frozenset[str]: ...

    def suite_skip(self, pm_dir: Path) -> str | None: ...


class NoRules:
    """No ``suite.pm`` at all."""

    def file_skip(self, combinations_file: Path) -> str | None:
        return None

    def skipped_choices(self, combinations_file: Path) -> frozenset[str]:
        return frozenset()

    def suite_skip(self, pm_dir: Path) -> str | None:
        return None


@dataclass(frozen=True, slots=True)
class Combination:
    name: str
    options: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Dimension:
    source: Path  # the .combinations file (it need not exist when skip is set)
    choices: tuple[Combination, ...] = ()
    skip: str | None = None  # every run meeting this dimension is skipped, with this reason


@dataclass(frozen=True, slots=True)
class Run:
    """One run of a test: its combination names and the options they put in front."""

    combinations: tuple[str, ...] = ()  # in the order applied (MTR_COMBINATIONS)
    options: tuple[str, ...] = ()  # combination options, to go before the test's own
    skip: str | None = None

    @property
    def name(self) -> str:
        """The combination as MTR prints it (``'a,b'`` without the quotes), '' for none."""
        return ",".join(sorted(self.combinations))

    def environment(self) -> dict[str, str]:
        """``MTR_COMBINATION_<NAME>=1`` per name and ``MTR_COMBINATIONS`` (``run_testcase``)."""
        if not self.combinations:
            return {}
        env = {f"MTR_COMBINATION_{name.upper()}": "1" for name in self.combinations}
        env["MTR_COMBINATIONS"] = ",".join(self.combinations)
        return env


def _read_config(path: Path, groups: dict[str, list[list[str | None]]], order: list[str]) -> None:
    try:
        raw = path.read_bytes().decode("utf-8", "surrogateescape")
    except OSError as error:
        raise CombinationsError(f"Could not open '{path}': {error}") from error
    group: str | None = None
    lines = raw.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for line in lines:
        line = line.removesuffix("\r")
        name: str
        value: str | None
        if match := _GROUP.match(line):
            group = match.group(1)
            if group not in groups:
                groups[group] = []
                order.append(group)
            continue
        if match := _MAGIC.match(line):
            name, value = match.group(1), match.group(2)
        elif line == "":
            continue
        elif match := _INCLUDE.match(line):
            included = Path(os.path.dirname(path)) / match.group(1)
            if not included.is_file():
                included = Path(match.group(1))
            if not included.is_file():
                raise CombinationsError(f"The include file '{included}' does not exist")
            _read_config(included, groups, order)
            continue
        elif match := _BARE_OPTION.match(line):
            name, value = match.group(1), None
        elif match := _VALUE_OPTION.match(line):
            name, value = match.group(1), match.group(2)
        elif line.startswith(("#", ";")):
            continue
        elif match := _FILTER_OPTION.match(line):
            name, value = match.group(1), match.group(2)
        else:
            raise CombinationsError(f"Unexpected line '{line}' found in '{path}'")
        if group is None:
            raise CombinationsError(f"Found option '{line}' outside of group in '{path}'")
        options = groups[group]
        existing = next((entry for entry in options if entry[0] == name), None)
        if existing is not None and name.replace("_", "-") not in _MULTIPART:
            existing[1] = value  # My::Config::Group::insert overwrites in place
        else:
            options.append([name, value])


def _as_argument(name: str, value: str | None) -> str:
    # My::Config::Option::option()
    text = name if value is None else f"{name}={value}"
    return text if text.startswith("--") else f"--{text}"


def read_combinations(path: Path) -> list[Combination]:
    """The ``[groups]`` of a ``.combinations`` file (My::Config), each as command-line options."""
    groups: dict[str, list[list[str | None]]] = {}
    order: list[str] = []
    _read_config(path, groups, order)
    return [
        Combination(name, tuple(_as_argument(str(entry[0]), entry[1]) for entry in groups[name]))
        for name in order
        if name not in _SPECIAL_GROUPS
    ]


def dimension_of(path: Path, rules: SkipRules) -> Dimension | None:
    """MTR's ``combinations_from_file``: None when there is nothing to split or skip."""
    reason = rules.file_skip(path)
    if reason:
        return Dimension(source=path, skip=reason)
    if not path.is_file():
        return None
    dropped = rules.skipped_choices(path)
    choices = tuple(c for c in read_combinations(path) if c.name not in dropped)
    if not choices:
        return Dimension(source=path, skip=f"Requires: {path.name.removesuffix('.combinations')}")
    return Dimension(source=path, choices=choices)


def _owning_pm_dir(closure: Closure, file: Path) -> Path:
    suite = closure.suite
    if str(file).startswith(f"{suite.dir}/"):
        return suite.pm_dir
    return suite_for_file(file, suite.basedir)[1]


def dimensions(closure: Closure, rules: SkipRules) -> list[Dimension]:
    """The test's dimensions in the order MTR applies them: the suite's, then the closure's.

    ``get_tags_from_file`` lists, for each file, the dimensions of every file it sources (line
    order, a file sourced twice counts twice) and then its own, and stores that list through
    ``sort ::uniq(@combinations)``. Perl reads that as ``sort`` with ``uniq`` as the comparison
    function, called with the caller's ``@_`` (file, suite): it always answers 2, so nothing is
    de-duplicated and Perl's merge sort reverses the list, at every level. A repeated dimension
    therefore applies twice: a test that sources ``include/rpl_init.inc`` twice is split twice
    (or named twice, ``'stmt,stmt'``), exactly as MTR does.
    """
    suite_dim = None
    if rules.suite_skip(closure.suite.pm_dir) is None:
        suite_dim = dimension_of(closure.suite.dir / "combinations", rules)
    done: dict[Path, list[Dimension]] = {}
    in_progress: set[Path] = set()

    def of(file: Path) -> list[Dimension]:
        if file in done:
            return done[file]
        in_progress.add(file)
        listed: list[Dimension] = []
        for include in closure.sources.get(file, ()):
            if include not in in_progress:
                listed += of(include)
        if rules.suite_skip(_owning_pm_dir(closure, file)) is None:
            mine = dimension_of(Path(_EXTENSION.sub("", str(file)) + ".combinations"), rules)
            if mine is not None:
                listed.append(mine)
        listed.reverse()
        in_progress.discard(file)
        done[file] = listed
        return listed

    return ([suite_dim] if suite_dim is not None else []) + of(closure.test)


def split_option(option: str) -> tuple[str, str | None]:
    """``My::Options::_split_option``: (name, value) of ``--name=value``, the last ``=`` splitting."""
    for pattern, has_value in ((r"^--(.*)=(.*)$", True), (r"^--(.*)$", False), (r"^\$(.*)$", False)):
        match = re.match(pattern, option)
        if match:
            return match.group(1), (match.group(2) if has_value else None)
    match = re.match(r"^(.*)=(.*)$", option)
    if match:
        return match.group(1), match.group(2)
    return option, None  # MTR dies on such an option ("Unknown option format")


def is_subset(options: Sequence[str], subset: Sequence[str]) -> bool:
    have = {"{}={}".format(*(part or "" for part in split_option(opt))) for opt in options}
    return all("{}={}".format(*(part or "" for part in split_option(opt))) in have for opt in subset)


@dataclass(slots=True)
class _Partial:
    master: list[str]
    slave: list[str]
    names: list[str] = field(default_factory=list)
    prefix: list[str] = field(default_factory=list)
    skip: str | None = None


def _apply(test: _Partial, dim: Dimension, forced: dict[str, int]) -> list[_Partial]:
    if dim.skip is not None:
        test.skip = test.skip or dim.skip
        return [test]
    choices: Sequence[Combination] = dim.choices
    for comb in dim.choices:
        if comb.options and is_subset(test.master, comb.options) and is_subset(test.slave, comb.options):
            forced[comb.name] = 2
            test.names.append(comb.name)
            return [test]
        if comb.name in forced:
            choices = [comb]
            forced[comb.name] = 2
            break
    if test.skip is not None:
        return [test]
    return [
        _Partial(
            master=[*comb.options, *test.master],
            slave=[*comb.options, *test.slave],
            names=[*test.names, comb.name],
            prefix=[*comb.options, *test.prefix],
        )
        for comb in choices
    ]


def runs(base: BaseOptions, dims: Sequence[Dimension], only: Collection[str] = ()) -> list[Run]:
    """The runs of a test (``make_combinations`` over each dimension in turn).

    ``only`` are combination names asked for on the command line (``test,a,b``); MTR stops with
    "Could not run ... combination(s)" when one of them is in no dimension, so this raises.
    """
    forced = dict.fromkeys(only, 1)
    partials = [_Partial(master=list(base.master), slave=list(base.slave))]
    for dim in dims:
        partials = [out for test in partials for out in _apply(test, dim, forced)]
    missing = sorted(name for name, state in forced.items() if state == 1)
    if missing:
        raise CombinationsError(f"Could not run with '{','.join(missing)}' combination(s)")
    return [Run(tuple(p.names), tuple(p.prefix), p.skip) for p in partials]
