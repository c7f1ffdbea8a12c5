"""The server options mysql-test-run.pl gives a test, and when it restarts the server for one.

Order, as in ``mtr_cases.pm``: ``suite.opt``, then for each file of the closure (depth first,
includes before the including file) its ``.opt`` and ``-master.opt`` (``-slave.opt`` for the
slave); a file's own options come after those of its includes so a test can override them.
``--timezone=X`` is taken out and becomes ``TZ`` for the test; ``--default-time-zone`` also sets
``TZ=GMT-8`` and stays (``process_opts``). Combination options go in front, then ``$VAR`` and
``${VAR}`` are replaced by the environment, unknown ones by nothing (``get_extra_opts``).

MTR restarts the server when the config template, ``TZ`` or the expanded option list differ from
what the running server got, and always for a test with a ``-master.sh``/``-slave.sh``
(``server_need_restart``). Options are compared as an ordered list, so the same options in another
order mean a restart, as in MTR.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from runner.mtr.closure import Closure

_EXTENSION = re.compile(r"\.\w+$", re.ASCII)
_BRACED = re.compile(r"\$\{(\w+)\}", re.ASCII)
_BARE = re.compile(r"\$(\w+)", re.ASCII)
_LEADING = re.compile(r"^[ \t\n\r\f\v]+")
_TRAILING = re.compile(r"[ \t\n\r\f\v]+$")
_SINGLE = re.compile(r"'([^'\"]*)'")
_DOUBLE = re.compile(r"\"([^'\"]*)\"")
_OUTER_SINGLE = re.compile(r"^([^'\"]*)'(.*)'([^'\"]*)$")
_OUTER_DOUBLE = re.compile(r"^([^'\"]*)\"(.*)\"([^'\"]*)$")


def _unspace(text: str, quote: str) -> str:
    return quote + re.sub(r"[ \t]", "\x11", text) + quote


def parse_opt_line(line: str) -> list[str]:
    """One line of an ``.opt`` file split into arguments, by ``opts_from_file``'s rules."""
    line = _TRAILING.sub("", _LEADING.sub("", line))
    # Spaces inside quotes are hidden so the line can be split on spaces (MTR: "we need a
    # shell to do it right", and it does not have one).
    for _ in range(2):
        line = _SINGLE.sub(lambda m: _unspace(m.group(1), "\x0a"), line)
        line = _DOUBLE.sub(lambda m: _unspace(m.group(1), "\x0b"), line)
    args: list[str] = []
    for raw in re.split(r"[ \t]+", line):
        arg = raw.translate({0x11: " ", 0x0A: "'", 0x0B: '"'})
        outer = _OUTER_SINGLE.match(arg) or _OUTER_DOUBLE.match(arg)
        if outer:
            arg = outer.group(1) + outer.group(2) + outer.group(3)
        arg = arg.replace("\\\\", "\\")
        if arg:  # my_getopt cannot take an empty argument
            args.append(arg)
    return args


def opts_from_file(path: Path) -> list[str]:
    """The arguments of an ``.opt`` file; none when it does not exist or cannot be read."""
    try:
        text = path.read_bytes().decode("utf-8", "surrogateescape")
    except OSError:
        return []
    args: list[str] = []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for line in lines:
        args += parse_opt_line(line)
    return args


def expand_env(text: str, env: Mapping[str, str]) -> str:
    """``${VAR}`` then ``$VAR`` replaced from ``env``; an unknown variable becomes empty."""
    text = _BRACED.sub(lambda m: env.get(m.group(1), ""), text)
    return _BARE.sub(lambda m: env.get(m.group(1), ""), text)


def _stem(path: Path) -> str:
    return _EXTENSION.sub("", str(path))


@dataclass(frozen=True, slots=True)
class BaseOptions:
    """MTR's ``master_opt``/``slave_opt``/``timezone`` of a test before combinations and ``$VAR``s."""

    master: tuple[str, ...]
    slave: tuple[str, ...]
    timezone: str | None  # unexpanded; None: MTR's 'DEFAULT' (TZ unset)


def closure_options(closure: Closure) -> tuple[list[str], list[str]]:
    """(master, slave) options of the closure's ``.opt`` files, in MTR's order, repeats kept."""
    done: dict[Path, tuple[list[str], list[str]]] = {}
    in_progress: set[Path] = set()

    def of(path: Path) -> tuple[list[str], list[str]]:
        if path in done:
            return done[path]
        in_progress.add(path)
        master: list[str] = []
        slave: list[str] = []
        for include in closure.sources.get(path, ()):
            if include in in_progress:
                continue
            inc_master, inc_slave = of(include)
            master += inc_master
            slave += inc_slave
        stem = _stem(path)
        common = opts_from_file(Path(stem + ".opt"))
        master += common + opts_from_file(Path(stem + "-master.opt"))
        slave += common + opts_from_file(Path(stem + "-slave.opt"))
        in_progress.discard(path)
        done[path] = (master, slave)
        return master, slave

    master, slave = of(closure.test)
    return list(master), list(slave)


def _process_opts(opts: Sequence[str], timezone: str | None) -> tuple[list[str], str | None]:
    kept: list[str] = []
    for opt in opts:
        if opt.startswith("--timezone="):
            timezone = opt[len("--timezone=") :]
            continue
        if opt.startswith("--default-time-zone="):
            timezone = "GMT-8"  # MTR: "Set timezone for this test case to something different"
        kept.append(opt)
    return kept, timezone


def base_options(closure: Closure, extra_mysqld_opts: Sequence[str] = ()) -> BaseOptions:
    """``suite.opt`` + the closure's ``.opt`` files + ``--mysqld=`` options, after ``process_opts``."""
    suite_opts = opts_from_file(closure.suite.dir / "suite.opt")
    master, slave = closure_options(closure)
    master_kept, timezone = _process_opts([*suite_opts, *master, *extra_mysqld_opts], None)
    slave_kept, timezone = _process_opts([*suite_opts, *slave, *extra_mysqld_opts], timezone)
    return BaseOptions(master=tuple(master_kept), slave=tuple(slave_kept), timezone=timezone)


def config_template(closure: Closure) -> Path:
    """The ``.cnf`` MTR builds the run's my.cnf from (``$tinfo->{template_path}``)."""
    suite = closure.suite
    tname = _EXTENSION.sub("", closure.test.name)
    own = suite.tdir / f"{tname}.cnf"
    if own.is_file():
        return own
    mine = suite.dir / "my.cnf"
    if mine.is_file():
        return mine
    if "rpl_test" in closure.tags:
        return suite.basedir / "suite/rpl/my.cnf"
    return suite.basedir / "include/default_my.cnf"


def _sh_script(closure: Closure, role: str) -> Path | None:
    tname = _EXTENSION.sub("", closure.test.name)
    script = closure.suite.tdir / f"{tname}-{role}.sh"
    return script if script.is_file() else None


# my_getopt prefixes that switch a boolean/plugin option.
_SWITCH_PREFIXES = (("skip-", "OFF"), ("disable-", "OFF"), ("enable-", "ON"))
_ON_VALUES = frozenset({"ON", "1", "FORCE", "2", "FORCE_PLUS_PERMANENT", "3"})
_OFF_VALUES = frozenset({"OFF", "0"})


def plugin_switch(option: str, optional_plugins: frozenset[str]) -> tuple[str, bool] | None:
    """(plugin, turned on?) when ``option`` switches one of the optional plugins, else None.

    mariadbd registers each plugin's switch as ``--X`` and ``--plugin-X``, accepts ``loose-``,
    ``skip-``/``disable-``/``enable-`` prefixes, and treats ``_`` and ``-`` alike.
    """
    if not option.startswith("--"):
        return None
    name, has_value, value = option[2:].partition("=")
    name = name.replace("_", "-")
    if name.startswith("loose-"):
        name = name[len("loose-") :]
    forced: str | None = None
    for prefix, state in _SWITCH_PREFIXES:
        if name.startswith(prefix):
            name, forced = name[len(prefix) :], state
            break
    if name not in optional_plugins and name.startswith("plugin-"):
        name = name[len("plugin-") :]
    if name not in optional_plugins:
        return None
    if forced is not None:
        return name, forced == "ON"
    if not has_value:
        return name, True
    word = value.strip().upper()
    if word in _ON_VALUES:
        return name, True
    if word in _OFF_VALUES:
        return name, False
    return None  # mariadbd would refuse the value; it does not change the state


def plugins_turned_on(options: Sequence[str], optional_plugins: Sequence[str]) -> frozenset[str]:
    """Optional plugins that ``options`` leave on although MTR's my.cnf has ``loose-skip-plugin-X``.

    MTR writes ``loose-skip-plugin-X`` for every optional plugin into ``[mysqld]`` of my.cnf
    (``My::ConfigFactory``) and gives the test's options on the command line, which mariadbd reads
    later: the last switch of a plugin wins.
    """
    names = frozenset(optional_plugins)
    state = dict.fromkeys(names, False)
    for option in options:
        switch = plugin_switch(option, names)
        if switch is not None:
            state[switch[0]] = switch[1]
    return frozenset(name for name, on in state.items() if on)


@dataclass(frozen=True, slots=True)
class TestOptions:
    """Everything about one run's server that decides whether MTR restarts it."""

    __test__ = False  # not a pytest test class, despite the name

    mysqld: tuple[str, ...]  # mysqld.1's extra options: combination options first, $VARs expanded
    slave: tuple[str, ...]  # the same for servers with #!use-slave-opt
    timezone: str | None  # TZ for the test and the server; None: MTR unsets TZ
    config_template: Path
    master_sh: Path | None = None
    slave_sh: Path | None = None
    plugins_on: frozenset[str] = field(default_factory=frozenset)  # optional plugins an option turns on
    optional_plugins: tuple[str, ...] = ()  # every optional plugin of the server (for plugins_off)

    @property
    def plugins_off(self) -> tuple[str, ...]:
        """Optional plugins that stay off: the ``--loose-skip-plugin-X`` that still matter."""
        return tuple(name for name in self.optional_plugins if name not in self.plugins_on)

    @property
    def always_restart(self) -> bool:
        """MTR restarts before every test with a ``-master.sh``/``-slave.sh`` script."""
        return self.master_sh is not None or self.slave_sh is not None

    @property
    def key(self) -> tuple[str, str, tuple[str, ...]]:
        """Equal keys: MTR reuses the running server (unless ``always_restart``)."""
        return (str(self.config_template), self.timezone or "DEFAULT", self.mysqld)


def needs_restart(running: TestOptions | None, wanted: TestOptions) -> bool:
    """MTR's ``server_need_restart`` for mysqld.1, given what the running server was started for."""
    if running is None or wanted.always_restart:
        return True
    return running.key != wanted.key


def server_options(
    closure: Closure,
    env: Mapping[str, str],
    *,
    combination_options: Sequence[str] = (),
    optional_plugins: Sequence[str] = (),
    base: BaseOptions | None = None,
) -> TestOptions:
    """The options of one run of ``closure.test``; ``combination_options`` as ``combinations`` built them."""
    if base is None:
        base = base_options(closure)
    mysqld = tuple(expand_env(opt, env) for opt in (*combination_options, *base.master))
    slave = tuple(expand_env(opt, env) for opt in (*combination_options, *base.slave))
    timezone = expand_env(base.timezone, env) if base.timezone is not None else None
    return TestOptions(
        mysqld=mysqld,
        slave=slave,
        timezone=timezone,
        config_template=config_template(closure),
        master_sh=_sh_script(closure, "master"),
        slave_sh=_sh_script(closure, "slave"),
        plugins_on=plugins_turned_on(mysqld, optional_plugins),
        optional_plugins=tuple(optional_plugins),
    )


def mysqld_arguments(
    options: Sequence[str],
    *,
    as_root: bool,
    config_has_log_slave_updates: bool = False,
    debug_sync_timeout: int = 300,
) -> tuple[str | None, list[str]]:
    """(the ``--defaults-file=...`` option the test gives, replacing MTR's, or None; the rest of the line).

    ``mysqld_arguments`` in mariadb-test-run.pl: ``--user=root`` when root and no ``--user``;
    ``--log-output=file``; ``--binlog-format`` dropped unless an option starts with ``--log-bin``
    or ``--loose-log-bin``; ``--loose-skip-log-bin`` dropped when the config has
    ``log-slave-updates``; ``--core-file`` unless ``--skip-core-file``; the debug-sync timeout.
    """
    defaults = [opt for opt in options if opt.startswith("--defaults-file=")]
    args: list[str] = []
    if as_root and not any(opt.startswith("--user") for opt in options):
        args.append("--user=root")
    args.append("--log-output=file")
    skip_binlog = not any(re.match(r"^--(loose-)?log-bin", opt) for opt in options)
    skip_core = False
    for opt in options:
        if opt.startswith("--defaults-file"):
            continue
        if opt == "--skip-core-file":
            skip_core = True
            continue
        if skip_binlog and opt.startswith("--binlog-format"):
            continue  # "Dont add --binlog-format when running without binlog"
        if opt == "--loose-skip-log-bin" and config_has_log_slave_updates:
            continue
        args.append(opt)
    if not skip_core:
        args.append("--core-file")
    args.append(f"--loose-debug-sync-timeout={debug_sync_timeout}")
    return (defaults[-1] if defaults else None), args
