"""Which of a test's server options its data directory is bootstrapped with: those
mysql-test-run.pl re-bootstraps for (``$rebootstrap_re``), no others."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.server.bootstrap import bootstrap_cnf_options, bootstrap_relevant


@pytest.mark.parametrize(
    "option",
    [
        "--innodb-page-size=4k",
        "--innodb_page_size=64k",
        "--innodb-checksum-algorithm=crc32",
        "--innodb-undo-tablespaces=3",
        "--innodb-log-group-home-dir=/x",
        "--innodb-data-home-dir=/x",
        "--innodb-data-file-path=ibdata1:20M:autoextend",
        "--loose-force_rebootstrap",
    ],
)
def test_options_that_fix_the_layout_are_bootstrapped_with(option: str) -> None:
    assert bootstrap_relevant(option)


@pytest.mark.parametrize(
    "option",
    [
        "--innodb-encrypt-log=ON",  # needs the key-management plugin, which bootstrap does not load
        "--innodb-encrypt-tables=FORCE",
        "--plugin-load-add=file_key_management.so",
        "--innodb-buffer-pool-size=32M",
        "--innodb-stats-persistent=OFF",
        "--loose-innodb-page-size=4k",  # MTR's pattern wants the option itself, not its loose- form
        "--innodb",
    ],
)
def test_other_options_are_not(option: str) -> None:
    assert not bootstrap_relevant(option)


def test_the_bootstrap_options_of_an_encrypted_test_are_the_plain_ones() -> None:
    def options(extra: list[str]) -> tuple[str, ...]:
        return bootstrap_cnf_options(
            kind="mariadb", basedir=Path("/usr"), plugin_dir=None, share=None, optional_plugins=(),
            extra_options=extra,
        )

    plain = options([])
    assert options(["--innodb-encrypt-log=ON", "--innodb-encrypt-tables=FORCE"]) == plain
    assert options(["--innodb-encrypt-log=ON", "--innodb-page-size=4k"]) == (*plain, "innodb-page-size=4k")
