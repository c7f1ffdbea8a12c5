"""What mysql-test-run.pl learns from ``mariadbd --no-defaults --verbose --help``.

``collect_mysqld_features``: the version, ``%mysqld_variables`` (the table of compiled-in defaults
after the option list; a variable missing from it is "not defined" to ``suite.pm`` code, e.g.
``debug-dbug`` on a release build) and ``@optional_plugins`` (plugins listed as
``--X[=name]  Enable or disable X plugin. One of: ON, OFF, FORCE``, except a few the sys schema
needs), which MTR turns off with ``loose-skip-plugin-X`` unless a test turns them on.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

_OPTIONAL_PLUGIN = re.compile(r"^  --([-a-z0-9]+)\[=name\] +Enable or disable \w+ plugin. One of: ON, OFF, FORCE")
# mariadb-test-run.pl keeps these on: "Innodb I_S plugins that are referenced in sys schema".
_NEVER_OPTIONAL = frozenset(
    {"innodb-metrics", "innodb-buffer-page", "innodb-lock-waits", "innodb-locks", "innodb-trx", "gssapi"}
)
_VARIABLE = re.compile(r"^(\S+)[ \t]+(.*?)\r?$")


class FeaturesError(RuntimeError):
    """The server's --help output is not what MTR can read (MTR stops there too)."""


@dataclass(frozen=True, slots=True)
class MysqldFeatures:
    version_id: int  # 10.11.19 -> 101119
    version: str  # "10.11.19-MariaDB-0+deb12u1"
    variables: dict[str, str]
    optional_plugins: tuple[str, ...]

    @property
    def debug_build(self) -> bool:
        return "debug-dbug" in self.variables


def parse_help(text: str, exe_name: str = "mariadbd") -> MysqldFeatures:
    """The facts MTR takes from the help text of ``exe_name`` (parsed as in MTR, line by line)."""
    # "to simplify the parsing, we'll merge all nicely formatted --help texts"
    text = re.sub(r"\n {22}(\S)", r" \1", text)
    lines = re.split(r"\r\n|\n|\r", text)
    version_re = re.compile(r"\W" + re.escape(exe_name) + r"\s+Ver\s(\d+)\.(\d+)\.(\d+)(\S*)")
    version_id = 0
    version = ""
    position = 0
    while position < len(lines):
        match = version_re.search(lines[position])
        position += 1
        if match:
            major, minor, patch = (int(match.group(i)) for i in (1, 2, 3))
            version_id = major * 10000 + minor * 100 + patch
            version = f"{major}.{minor}.{patch}{match.group(4)}"
            break
    if version_id == 0:
        raise FeaturesError("Could not find version of MariaDB")
    variables: dict[str, str] = {}
    plugins: list[str] = []
    in_options = False
    for line in lines[position:]:
        # Perl's flip-flop `/Copyright/ .. /^-{30,}/`: on at Copyright, off after the dashes.
        if in_options or "Copyright" in line:
            in_options = not re.match(r"^-{30,}", line)
            plugin = _OPTIONAL_PLUGIN.match(line)
            if plugin and plugin.group(1) not in _NEVER_OPTIONAL:
                plugins.append(plugin.group(1))
            continue
        if re.match(r"^\r?$", line):
            break
        variable = _VARIABLE.match(line)
        if variable is None:
            raise FeaturesError(f"Could not parse mysqld --help: {line}")
        variables[variable.group(1)] = variable.group(2)
    if not variables:
        raise FeaturesError("Could not find variabes list")
    return MysqldFeatures(version_id, version, variables, tuple(plugins))


def help_command(
    server: Path, datadir: Path, basedir: Path | None = None, lc_messages_dir: Path | None = None
) -> list[str]:
    """The command line ``collect_mysqld_features`` runs."""
    args = [str(server), "--no-defaults", f"--datadir={datadir}"]
    if basedir is not None:
        args.append(f"--basedir={basedir}")
    if lc_messages_dir is not None:
        args.append(f"--lc-messages-dir={lc_messages_dir}")
    args += [
        "--skip-grant-tables",
        "--log-warnings=0",
        "--log-slow-admin-statements=0",
        "--log-queries-not-using-indexes=0",
        "--log-slow-slave-statements=0",
        "--verbose",
        "--help",
    ]
    return args


def _fingerprint(server: Path) -> tuple[str, int, int]:
    real = os.path.realpath(server)
    stat = os.stat(real)
    return real, stat.st_mtime_ns, stat.st_size


@functools.lru_cache(maxsize=8)
def _features(fingerprint: tuple[str, int, int], server: str) -> MysqldFeatures:
    with tempfile.TemporaryDirectory(prefix="tidbrun-mtr-help-") as datadir:
        out = subprocess.run(
            help_command(Path(server), Path(datadir)),
            capture_output=True,
            timeout=60,
            check=False,
        )
    return parse_help(out.stdout.decode("utf-8", "surrogateescape"), os.path.basename(server))


def mysqld_features(server: Path) -> MysqldFeatures:
    """``collect_mysqld_features`` for ``server``, once per binary (path, mtime, size) per process."""
    return _features(_fingerprint(server), str(server))
