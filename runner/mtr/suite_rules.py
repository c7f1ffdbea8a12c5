"""A suite's ``suite.pm`` and ``disabled.def``, and the reasons MTR skips a test without running it.

``suite.pm`` is Perl; MTR ``do``es it and calls ``skip_combinations()`` on the object it returns
(a string instead of an object skips the whole suite with that text). Its answers depend on the
server (``%::mysqld_variables`` from ``mariadbd --verbose --help``), on MTR's options
(``$::opt_embedded_server``, ``$::opt_ps_protocol``, ...) and on the environment (``HA_EXAMPLE_SO``
...), so it is evaluated here by Perl too, with MTR's own ``lib/`` on the path, in the mysql-test
folder, once per (``suite.pm``, server binary, environment, settings).

Static skips, in MTR's order (``collect_one_test_case``): ``disabled.def``, the suite's string,
``Test needs --big-test``, ``No replication tests`` (with ``--skip-rpl``), then the first
combinations dimension that skips (e.g. ``include/have_debug.inc`` -> "Requires debug build" on a
release build).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from runner.mtr import combinations as comb
from runner.mtr.closure import Closure
from runner.mtr.features import MysqldFeatures
from runner.mtr.suites import Suite, is_build_tree, suite_for_file

_EXTENSION = re.compile(r"\.\w+$", re.ASCII)

# Loads each suite.pm as mysql-test-run.pl's load_suite_object does and prints, per suite.pm, one
# JSON line: {"pm_dir", "skip", "error", "combinations": {key: reason | [names]}}.
_PERL = r"""
use strict;
use warnings;
no warnings qw(once redefine uninitialized);
use JSON::PP;
use My::Platform;
use My::Suite;
use mtr_report;
require "mtr_misc.pl";
# MTR exits on mtr_error; here it only fails the suite.pm being loaded.
BEGIN {
  no warnings 'redefine';
  *mtr_report::mtr_error = *main::mtr_error = sub { die "mysql-test-run: *** ERROR: @_\n" };
}
use My::SafeProcess;
eval { My::SafeProcess::find_bin() };  # wsrep's suite.pm runs a tool beside my_safe_process

my ($input_file) = @ARGV;
open(my $in, '<', $input_file) or die "cannot read $input_file: $!";
my $input = decode_json(do { local $/; <$in> });
close $in;

%::mysqld_variables = %{ $input->{variables} };
@::optional_plugins = @{ $input->{optional_plugins} };
my %globals = %{ $input->{globals} };
{
  no strict 'refs';
  ${"::$_"} = $globals{$_} for keys %globals;
}
sub main::using_extern { 0 }

my $json = JSON::PP->new->canonical;
for my $dir (@{ $input->{pm_dirs} }) {
  my %out = (pm_dir => $dir, skip => undef, error => undef, combinations => {});
  my $suite = -f "$dir/suite.pm" ? do "$dir/suite.pm" : My::Suite->new();
  if ($@) {
    $out{error} = "$@";
  } else {
    unless (ref $suite) {
      $out{skip} = $suite;
      $suite = My::Suite->new();
    }
    my %skip = eval { $suite->skip_combinations() };
    if ($@) {
      $out{error} = "$@";
    } else {
      $out{combinations}{$_} = $skip{$_} for keys %skip;
    }
  }
  print $json->encode(\%out), "\n";
}
"""


@dataclass(frozen=True, slots=True)
class MtrSettings:
    """The MTR command-line choices ``suite.pm`` files look at (MTR's defaults)."""

    embedded_server: bool = False
    ps_protocol: bool = False
    cursor_protocol: bool = False
    ssl: bool = False  # --ssl given (not: SSL supported)
    valgrind: bool = False
    verbose: bool = False
    big_test: int = 0
    skip_rpl: bool = False
    skip_test_lists: tuple[Path, ...] = ()  # --skip-test-list files (disabled.def syntax)
    baseport: int = 0  # the IPv6 check binds [::1]:baseport; 0 cannot be in use
    install_basedir: Path | None = None  # MTR's $basedir (/usr for a .deb)
    plugindir: Path | None = None
    vardir: Path | None = None

    def perl_globals(self, basedir: Path, env: Mapping[str, str]) -> dict[str, object]:
        install = self.install_basedir or mtr_install_basedir(basedir)
        bindir = Path(env.get("MTR_BINDIR") or install)
        multiconfig = env.get("MTR_VS_CONFIG", "")
        client_dirs = (
            "client_release",
            "client_debug",
            f"client/{multiconfig}",
            f"client{multiconfig}",
            "client",
            "bin",
        )
        client = next((bindir / d for d in client_dirs if (bindir / d).exists()), bindir / "bin")
        plugindir = self.plugindir or mtr_plugindir(bindir)
        return {
            "opt_embedded_server": int(self.embedded_server),
            "opt_ps_protocol": int(self.ps_protocol),
            "opt_cursor_protocol": int(self.cursor_protocol),
            "opt_ssl": int(self.ssl),
            "opt_valgrind": int(self.valgrind),
            "opt_verbose": int(self.verbose),
            "opt_big_test": self.big_test,
            "baseport": self.baseport,
            "glob_mysql_test_dir": str(basedir),
            "basedir": str(install),
            "bindir": str(bindir),
            "path_client_bindir": str(client),
            "plugindir": str(plugindir) if plugindir else "",
            "opt_vardir": str(self.vardir) if self.vardir else tempfile.gettempdir(),
            "multiconfig": multiconfig,
            "path_current_testlog": "",
        }


def mtr_install_basedir(basedir: Path) -> Path:
    """MTR's ``$basedir``: mysql-test's parent, or up to two more levels until one has ``bin/``."""
    found = basedir.parent
    if not is_build_tree(basedir):
        for _ in range(2):
            if not (found / "bin").is_dir():
                found = found.parent
    return found


_PLUGIN_FOLDERS = ("lib64/mysql/plugin", "lib/mysql/plugin", "lib64/mariadb/plugin", "lib/mariadb/plugin", "lib/plugin")


def mtr_plugindir(bindir: Path) -> Path | None:
    """The folder of the first plugin MTR finds for an installed (not built) server."""
    for pattern in (
        "lib64/mysql/plugin",
        "lib/mysql/plugin",
        "lib64/mariadb/plugin",
        "lib/mariadb/plugin",
        "lib/plugin",
    ):
        folder = bindir / pattern
        if any(folder.glob("*.so")) or any(folder.glob("*.dll")):
            return folder
    return None


@dataclass(frozen=True, slots=True)
class SuiteRules:
    """What one ``suite.pm`` says; keys are ``.combinations`` paths as MTR builds them."""

    pm_dir: Path
    skip: str | None = None  # the whole suite is skipped with this text
    error: str | None = None  # the suite.pm died (MTR stops the run)
    file_skips: Mapping[Path, str] = field(default_factory=dict)
    choice_skips: Mapping[Path, frozenset[str]] = field(default_factory=dict)


def _rules_from_json(record: Mapping[str, object]) -> SuiteRules:
    pm_dir = Path(str(record["pm_dir"]))
    file_skips: dict[Path, str] = {}
    choice_skips: dict[Path, frozenset[str]] = {}
    raw = record.get("combinations")
    for key, value in (raw if isinstance(raw, dict) else {}).items():
        # load_suite_object: `$file =~ s/\.\w+$/\.combinations/`, then "$suitedir/$file".
        target = Path(f"{pm_dir}/{_EXTENSION.sub('.combinations', str(key))}")
        if isinstance(value, list):
            choice_skips[target] = choice_skips.get(target, frozenset()) | {str(v) for v in value}
        elif value:
            file_skips[target] = str(value)
    skip = record.get("skip")
    error = record.get("error")
    return SuiteRules(
        pm_dir=pm_dir,
        skip=str(skip) if skip else None,
        error=str(error) if error else None,
        file_skips=file_skips,
        choice_skips=choice_skips,
    )


_cache: dict[tuple[object, ...], SuiteRules] = {}


def _cache_key(
    pm_dir: Path, features: MysqldFeatures, env: Mapping[str, str], settings: MtrSettings
) -> tuple[object, ...]:
    pm = pm_dir / "suite.pm"
    try:
        stat = pm.stat()
        stamp: tuple[int, int] = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        stamp = (0, -1)
    facts = json.dumps([features.variables, features.optional_plugins], sort_keys=True)
    environment = json.dumps(sorted(env.items()))
    digest = hashlib.sha256((facts + "\0" + environment).encode("utf-8", "surrogateescape")).hexdigest()
    return (str(pm), stamp, digest, settings)


def evaluate_suite_pms(
    pm_dirs: Iterable[Path],
    basedir: Path,
    features: MysqldFeatures,
    *,
    env: Mapping[str, str] | None = None,
    settings: MtrSettings | None = None,
) -> dict[Path, SuiteRules]:
    """Run the ``suite.pm`` of each folder in one Perl process (cached per suite.pm/server/env)."""
    environment = dict(os.environ if env is None else env)
    chosen = settings or MtrSettings()
    wanted = list(dict.fromkeys(Path(p) for p in pm_dirs))
    found: dict[Path, SuiteRules] = {}
    missing: list[Path] = []
    for pm_dir in wanted:
        cached = _cache.get(_cache_key(pm_dir, features, environment, chosen))
        if cached is not None:
            found[pm_dir] = cached
        elif (pm_dir / "suite.pm").is_file():
            missing.append(pm_dir)
        else:
            found[pm_dir] = SuiteRules(pm_dir=pm_dir)
    if missing:
        for pm_dir, rules in _run_perl(missing, basedir, features, environment, chosen).items():
            _cache[_cache_key(pm_dir, features, environment, chosen)] = rules
            found[pm_dir] = rules
    return found


def _run_perl(
    pm_dirs: list[Path], basedir: Path, features: MysqldFeatures, env: dict[str, str], settings: MtrSettings
) -> dict[Path, SuiteRules]:
    payload = {
        "variables": features.variables,
        "optional_plugins": list(features.optional_plugins),
        "globals": settings.perl_globals(basedir, env),
        "pm_dirs": [str(p) for p in pm_dirs],
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", prefix="tidbrun-suitepm-", encoding="utf-8") as handle:
        json.dump(payload, handle)
        handle.flush()
        try:
            out = subprocess.run(
                ["perl", "-I", str(basedir / "lib"), "-e", _PERL, handle.name],
                cwd=basedir,  # suite.pm files use paths relative to mysql-test (use lib 'suite')
                env=env,
                capture_output=True,
                timeout=120,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            return {p: SuiteRules(pm_dir=p, error=f"perl: {error}") for p in pm_dirs}
    results: dict[Path, SuiteRules] = {}
    for line in out.stdout.decode("utf-8", "surrogateescape").splitlines():
        if line.startswith("{"):
            rules = _rules_from_json(json.loads(line))
            results[rules.pm_dir] = rules
    failure = out.stderr.decode("utf-8", "replace").strip()[-2000:] or f"perl exited with {out.returncode}"
    for pm_dir in pm_dirs:
        results.setdefault(pm_dir, SuiteRules(pm_dir=pm_dir, error=failure))
    return results


class RuleBook:
    """MTR's global ``%skip_combinations``: the rules of every ``suite.pm`` loaded so far.

    A file's own suite is loaded before its ``.combinations`` is looked at, as
    ``get_tags_from_file`` loads ``suite_for_file``'s suite object.
    """

    def __init__(
        self,
        basedir: Path,
        features: MysqldFeatures,
        *,
        env: Mapping[str, str] | None = None,
        settings: MtrSettings | None = None,
    ) -> None:
        self.basedir = basedir
        self.features = features
        self.env = dict(os.environ if env is None else env)
        self.settings = settings or MtrSettings()
        self.loaded: dict[Path, SuiteRules] = {}
        self._file_skips: dict[Path, str] = {}
        self._choice_skips: dict[Path, frozenset[str]] = {}

    def load(self, pm_dirs: Iterable[Path]) -> None:
        todo = [Path(p) for p in pm_dirs if Path(p) not in self.loaded]
        if not todo:
            return
        for pm_dir, rules in evaluate_suite_pms(
            todo, self.basedir, self.features, env=self.env, settings=self.settings
        ).items():
            self.loaded[pm_dir] = rules
            self._file_skips.update(rules.file_skips)
            for path, names in rules.choice_skips.items():
                self._choice_skips[path] = self._choice_skips.get(path, frozenset()) | names

    def rules(self, pm_dir: Path) -> SuiteRules:
        self.load([pm_dir])
        return self.loaded[Path(pm_dir)]

    def _load_owner(self, path: Path) -> None:
        self.load([suite_for_file(path, self.basedir)[1]])

    # comb.SkipRules
    def file_skip(self, combinations_file: Path) -> str | None:
        self._load_owner(combinations_file)
        return self._file_skips.get(combinations_file)

    def skipped_choices(self, combinations_file: Path) -> frozenset[str]:
        self._load_owner(combinations_file)
        return self._choice_skips.get(combinations_file, frozenset())

    def suite_skip(self, pm_dir: Path) -> str | None:
        """The suite's skip text; a suite.pm that dies (MTR stops the whole run) skips it too."""
        rules = self.rules(pm_dir)
        if rules.error:
            return f"suite.pm failed: {rules.error.strip()}"
        return rules.skip


@dataclass(frozen=True, slots=True)
class DisabledList:
    exact: Mapping[str, str]  # "suite.test" -> comment
    wildcards: tuple[tuple[str, str], ...]  # ("suite.pattern*", comment), file order


_DISABLED_LINE = re.compile(r"^\s*(?:([-0-9A-Za-z_/]+)\.)?([-0-9A-Za-z_#*]+)\s*:\s*(.*?)\s*$", re.ASCII)


def parse_disabled(paths: Iterable[Path], suite_name: str | None) -> DisabledList:
    """``parse_disabled`` over a suite's ``disabled.def`` files (lines MTR would refuse are ignored).

    ``suite_name`` None reads a ``--skip-test-list`` file: entries without a suite then apply to
    a test of that name in any suite.
    """
    exact: dict[str, str] = {}
    wildcards: dict[str, str] = {}
    for path in paths:
        try:
            text = path.read_bytes().decode("utf-8", "surrogateescape")
        except OSError:
            continue
        for line in text.split("\n"):
            if re.match(r"^\s*#", line) or re.match(r"^\s*$", line):
                continue
            match = _DISABLED_LINE.match(line)
            if match is None:
                continue  # MTR: "Syntax error", and it stops
            named = match.group(1)
            if named is not None and suite_name is not None and named != suite_name:
                continue  # MTR: "Wrong suite name", and it stops
            key = f"{named or suite_name or ''}.{match.group(2)}"
            (wildcards if "*" in match.group(2) else exact)[key] = match.group(3)
    return DisabledList(exact=exact, wildcards=tuple(wildcards.items()))


def disabled_list(suite: Suite, skip_test_lists: Iterable[Path] = ()) -> DisabledList:
    """The suite's ``disabled.def`` files, plus ``--skip-test-list`` files as MTR merges them."""
    own = parse_disabled([suite.dir / "disabled.def", suite.dir / "t" / "disabled.def"], suite.name)
    extra = parse_disabled(skip_test_lists, None)
    return DisabledList(
        exact={**extra.exact, **own.exact}, wildcards=tuple(dict([*extra.wildcards, *own.wildcards]).items())
    )


def disabled(tname: str, suite: Suite, listing: DisabledList | None = None) -> str | None:
    """The ``disabled.def`` comment disabling ``suite.tname``, else None (an empty comment is '')."""
    listing = listing or disabled_list(suite)
    name = f"{suite.name}.{tname}"
    comment = listing.exact.get(f".{tname}") or listing.exact.get(name)
    if not comment:
        for pattern, text in listing.wildcards:
            if re.match(pattern, name):
                comment = text
                break
    return comment


@dataclass(frozen=True, slots=True)
class Skip:
    reason: str
    disabled: bool = False  # MTR reports it as [ disabled ], not [ skipped ]


def tname_of(closure: Closure) -> str:
    return _EXTENSION.sub("", closure.test.name)


def skip_before_combinations(closure: Closure, rules: RuleBook) -> Skip | None:
    """Skips MTR decides before looking at combinations (no combination names are printed)."""
    suite = closure.suite
    tname = tname_of(closure)
    comment = disabled(tname, suite, disabled_list(suite, rules.settings.skip_test_lists))
    if comment is not None:
        return Skip(comment, disabled=True)
    suite_skip = rules.suite_skip(suite.pm_dir)
    if suite_skip:
        return Skip(suite_skip)
    settings = rules.settings
    if "big_test" in closure.tags and not settings.big_test:
        return Skip("Test needs --big-test")
    if "big_test" not in closure.tags and settings.big_test > 1:
        return Skip("Small test")
    if "rpl_test" in closure.tags and settings.skip_rpl:
        return Skip("No replication tests")
    return None


def static_skip(closure: Closure, rules: RuleBook) -> Skip | None:
    """Why MTR skips this test without running it (MTR's exact text), or None."""
    early = skip_before_combinations(closure, rules)
    if early is not None:
        return early
    for dim in comb.dimensions(closure, rules):
        if dim.skip is not None:
            return Skip(dim.skip)
    return None
