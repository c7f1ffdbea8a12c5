"""What mysql-test-run.pl reads from `mariadbd --verbose --help`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from runner.mtr.features import FeaturesError, mysqld_features, parse_help

HELP = """/usr/sbin/mariadbd  Ver 10.11.19-MariaDB-0+deb12u1 for debian-linux-gnu on x86_64 (Debian 12)
Copyright (c) 2000, 2018, Oracle, MariaDB Corporation Ab and others.

Starts the MariaDB database server.

  --feedback[=name]   Enable or disable FEEDBACK plugin. One of: ON, OFF, FORCE
                      (don't start if the plugin fails to load),
  --innodb-buffer-page-lru[=name]
                      Enable or disable INNODB_BUFFER_PAGE_LRU plugin. One of:
                      ON, OFF, FORCE
  --innodb-trx[=name] Enable or disable INNODB_TRX plugin. One of: ON, OFF,
                      FORCE
  --partition[=name]  Enable or disable partition plugin. One of: ON, OFF,
                      FORCE
  --port=#            Port number to use for connection

Variables (--variable-name=value)
and boolean options {FALSE|TRUE}  Value (after reading options)
--------------------------------- ----------------------------------------
allow-suspicious-udfs                        FALSE
max-binlog-stmt-cache-size                   18446744073709547520
version-ssl-library                          OpenSSL 3.0.17 1 Jul 2025

To see what variables a running server is using, type
"""


def test_parse_help() -> None:
    features = parse_help(HELP)
    assert features.version_id == 101119
    assert features.version == "10.11.19-MariaDB-0+deb12u1"
    # Continuation lines are joined first, so a wrapped description still names its plugin;
    # innodb-trx is one MTR keeps on for the sys schema.
    assert features.optional_plugins == ("feedback", "innodb-buffer-page-lru", "partition")
    assert features.variables == {
        "allow-suspicious-udfs": "FALSE",
        "max-binlog-stmt-cache-size": "18446744073709547520",
        "version-ssl-library": "OpenSSL 3.0.17 1 Jul 2025",
    }
    assert not features.debug_build
    assert parse_help(HELP.replace("allow-suspicious-udfs", "debug-dbug")).debug_build


def test_parse_help_refuses_what_mtr_refuses() -> None:
    with pytest.raises(FeaturesError):
        parse_help("no version line here\n")
    with pytest.raises(FeaturesError):
        parse_help(HELP.replace("allow-suspicious-udfs                        FALSE", "lonely"))


MARIADBD = shutil.which("mariadbd") or ("/usr/sbin/mariadbd" if Path("/usr/sbin/mariadbd").is_file() else None)


@pytest.mark.skipif(MARIADBD is None, reason="needs a MariaDB server binary")
def test_real_server() -> None:
    assert MARIADBD is not None
    features = mysqld_features(Path(MARIADBD))
    assert features.version_id >= 100000
    assert "innodb" in features.optional_plugins
    assert "innodb-trx" not in features.optional_plugins
    assert "max-binlog-stmt-cache-size" in features.variables  # main's suite.pm dies without it
    assert mysqld_features(Path(MARIADBD)) is features  # once per binary
