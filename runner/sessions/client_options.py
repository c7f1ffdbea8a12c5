"""The SSL files mysqltest takes from its option file for ``connect ... SSL``.

mysqltest reads the ``[mysqltest]``, ``[mariadb-test]``, ``[client]``, ``[client-server]`` and
``[client-mariadb]`` groups of the option file it is given; under mysql-test-run.pl that is
``$MYSQLTEST_VARDIR/my.cnf``, whose ``[mysqltest]`` group names std_data's CA, client certificate and
key. mysqltest hands them to every connection that asks for SSL, so accounts that ``REQUIRE
SUBJECT``/``ISSUER`` log in. The vardir's my.cnf is the one tidbrun writes for its own server.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from runner.server import mycnf

GROUPS = ("mysqltest", "mariadb-test", "client", "client-server", "client-mariadb")
_KEYS = {"ssl-ca": "ca", "ssl-cert": "cert", "ssl-key": "key", "ssl-cipher": "cipher"}


@dataclass(frozen=True, slots=True)
class SslFiles:
    ca: str | None = None
    cert: str | None = None
    key: str | None = None
    cipher: str | None = None


def ssl_files(option_file: Path) -> SslFiles:
    """The SSL options of ``option_file`` (none when it does not exist); the last one read wins."""
    try:
        stat = option_file.stat()
    except OSError:
        return SslFiles()
    return _read(option_file, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _read(option_file: Path, mtime_ns: int, size: int) -> SslFiles:
    values: dict[str, str] = {}
    for group in mycnf.read_option_file(option_file):
        if group.name not in GROUPS:
            continue
        for line in group.options:
            name, _, value = line.partition("=")
            name = name.strip().replace("_", "-")
            name = name.removeprefix("loose-")
            if name in _KEYS and value.strip():
                values[_KEYS[name]] = value.strip()
    return SslFiles(**values)
