from __future__ import annotations

import pytest

from runner.server.address import ServerAddress
from runner.server.connect import connect_params
from runner.server.flavour import detect_flavour


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("10.11.19-MariaDB-0+deb12u1", "mariadb"),
        ("10.11.19-MariaDB-0+deb12u1-log", "mariadb"),
        ("11.4.2-MariaDB", "mariadb"),
        ("5.5.5-10.6.12-MariaDB-1:10.6.12+maria~ubu2004", "mariadb"),
        ("8.0.11-TiDB-v7.5.0", "tidb"),
        ("5.7.25-TiDB-v6.5.3", "tidb"),
        ("8.0.11-tidb-v8.1.0-serverless", "tidb"),
        ("8.0.36", "mysql"),
        ("8.0.36-0ubuntu0.22.04.1", "mysql"),
        ("5.7.44-log", "mysql"),
        ("9.1.0-commercial", "mysql"),
    ],
)
def test_detect_flavour(version: str, expected: str) -> None:
    assert detect_flavour(version) == expected


def test_tidb_wins_over_its_mysql_compatible_prefix() -> None:
    # TiDB claims a MySQL version number first; the TiDB marker must still decide.
    assert detect_flavour("8.0.11-TiDB-v7.5.0") != detect_flavour("8.0.11")


def test_password_is_not_in_repr_or_str() -> None:
    address = ServerAddress(
        host="127.0.0.1", port=3306, socket="/tmp/s.sock", user="root", password="s3cr3t-pw"
    )
    assert "s3cr3t-pw" not in repr(address)
    assert "s3cr3t-pw" not in str(address)
    assert "s3cr3t-pw" not in f"{address}"
    params = connect_params(address)
    assert params.password == "s3cr3t-pw"
    assert "s3cr3t-pw" not in repr(params)
