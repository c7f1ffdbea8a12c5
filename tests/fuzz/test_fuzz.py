"""Fuzzing the readers of tidbrun's inputs with a fixed seed: .test files (both dialects' readers and
the --parse-only echo), result files and config files either parse or raise tidbrun's own error
with a location. ``tools/fuzz`` runs the same properties over 100,000+ inputs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from runner.errors import TestFileError as FileError
from runner.judge.compare import read_result
from tests.fuzz import properties, strategies

SEED = 20251122
FAST = settings(max_examples=200, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@seed(SEED)
@FAST
@given(strategies.test_text)
def test_test_files_parse_or_fail_with_a_location(text: str) -> None:
    properties.check_test_text(text)


@pytest.fixture(scope="module")
def echo() -> Iterator[properties.EchoChecker]:
    checker = properties.EchoChecker()
    yield checker
    checker.close()


@seed(SEED)
@FAST
@given(text=strategies.test_text)
def test_parse_only_echo_never_crashes(echo: properties.EchoChecker, text: str) -> None:
    echo(text)


@seed(SEED)
@FAST
@given(data=strategies.result_bytes, other=strategies.result_text)
def test_result_files_read_back_and_compare(tmp_path_factory: pytest.TempPathFactory, data: bytes,
                                            other: str) -> None:
    properties.check_result_bytes(data, other, tmp_path_factory.mktemp("r", numbered=True))


@seed(SEED)
@FAST
@given(strategies.config_bytes)
def test_config_files_load_or_fail_with_a_location(data: bytes) -> None:
    properties.check_config_bytes(data)


def test_the_generators_reach_both_outcomes() -> None:
    """A fuzzer that only ever produced valid (or only invalid) input would prove little."""
    outcomes: dict[str, set[str]] = {"test": set(), "config": set()}

    @seed(SEED)
    @settings(max_examples=200, deadline=None, database=None)
    @given(st.data())
    def sample(data: st.DataObject) -> None:
        outcomes["test"].add(properties.check_test_text(data.draw(strategies.test_text)))
        outcomes["config"].add(properties.check_config_bytes(data.draw(strategies.config_bytes)))

    sample()
    assert outcomes == {"test": {"parsed", "error"}, "config": {"parsed", "error"}}


def test_an_unreadable_result_file_is_our_error(tmp_path: Path) -> None:
    folder = tmp_path / "x.result"
    folder.mkdir()
    with pytest.raises(FileError, match=r"cannot read the result file .*x\.result"):
        read_result(folder)
