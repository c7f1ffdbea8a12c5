"""Where results live, how output is compared with them, and how they are written."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from runner.judge.compare import compare, read_result, reject_path, result_path_for, write_atomically

# -- result path lookup ----------------------------------------------------------------------------


def test_result_beside_the_test(tmp_path: Path) -> None:
    assert result_path_for(tmp_path / "main" / "x.test") == tmp_path / "main" / "x.result"


def test_result_in_the_sibling_r_of_t(tmp_path: Path) -> None:
    assert result_path_for(tmp_path / "suite" / "t" / "x.test") == tmp_path / "suite" / "r" / "x.result"


def test_subfolders_below_t_are_kept_below_r(tmp_path: Path) -> None:
    test = tmp_path / "suite" / "t" / "ddl" / "part" / "x.test"
    assert result_path_for(test) == tmp_path / "suite" / "r" / "ddl" / "part" / "x.result"


def test_the_innermost_t_folder_counts(tmp_path: Path) -> None:
    test = tmp_path / "t" / "suite" / "t" / "x.test"
    assert result_path_for(test) == tmp_path / "t" / "suite" / "r" / "x.result"


def test_a_folder_merely_named_like_t_does_not_count(tmp_path: Path) -> None:
    assert result_path_for(tmp_path / "tests" / "x.test") == tmp_path / "tests" / "x.result"


def test_dotted_test_names_keep_their_inner_dots(tmp_path: Path) -> None:
    assert result_path_for(tmp_path / "t" / "a.b.test") == tmp_path / "r" / "a.b.result"


def test_flavour_specific_result_wins_when_it_exists(tmp_path: Path) -> None:
    test = tmp_path / "t" / "x.test"
    (tmp_path / "r").mkdir()
    assert result_path_for(test, "tidb") == tmp_path / "r" / "x.result"
    (tmp_path / "r" / "x.tidb.result").write_text("tidb\n")
    assert result_path_for(test, "tidb") == tmp_path / "r" / "x.tidb.result"
    assert result_path_for(test, "mariadb") == tmp_path / "r" / "x.result"
    assert result_path_for(test) == tmp_path / "r" / "x.result"


def test_read_result_is_bytes_as_latin1(tmp_path: Path) -> None:
    path = tmp_path / "x.result"
    path.write_bytes(b"a\xc3\xa9\xff\r\n")
    assert read_result(path) == "a\xc3\xa9\xff\r\n"
    assert read_result(tmp_path / "missing.result") is None


# -- compare -------------------------------------------------------------------------------------------


def test_equal_texts_do_not_mismatch() -> None:
    assert compare("a\nb\n", "a\nb\n", expected_name="x.result", actual_name="x.reject") is None


def test_mismatch_has_a_unified_diff_and_the_first_differing_line() -> None:
    mismatch = compare("a\nb\nc\n", "a\nB\nc\n", expected_name="x.result", actual_name="x.reject")
    assert mismatch is not None
    assert mismatch.first_line == 2
    lines = mismatch.diff.splitlines()
    assert lines[0] == "--- x.result"
    assert lines[1] == "+++ x.reject"
    assert "-b" in lines and "+B" in lines
    assert " a" in lines and " c" in lines


def test_mismatch_in_length_points_after_the_common_part() -> None:
    mismatch = compare("a\n", "a\nextra\n", expected_name="e", actual_name="a")
    assert mismatch is not None
    assert mismatch.first_line == 2
    assert "+extra" in mismatch.diff.splitlines()


def test_missing_final_newline_is_shown() -> None:
    mismatch = compare("a\nb", "a\nb\n", expected_name="e", actual_name="a")
    assert mismatch is not None
    assert "\\ No newline at end of file" in mismatch.diff


def test_trailing_whitespace_and_carriage_returns_count() -> None:
    assert compare("a\n", "a \n", expected_name="e", actual_name="a") is not None
    assert compare("a\n", "a\r\n", expected_name="e", actual_name="a") is not None


# -- atomic writes ----------------------------------------------------------------------------------------


def _leftovers(folder: Path, keep: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != keep)


def test_write_creates_the_file_and_its_folders(tmp_path: Path) -> None:
    path = tmp_path / "r" / "sub" / "x.result"
    write_atomically(path, "select 1;\n\xe9\n")
    assert path.read_bytes() == b"select 1;\n\xe9\n"
    assert _leftovers(path.parent, "x.result") == []
    assert path.stat().st_mode & 0o777 == 0o644


def test_write_replaces_and_keeps_the_mode(tmp_path: Path) -> None:
    path = tmp_path / "x.result"
    path.write_text("old\n")
    path.chmod(0o600)
    write_atomically(path, "new\n")
    assert path.read_text() == "new\n"
    assert path.stat().st_mode & 0o777 == 0o600


def test_failed_write_leaves_the_old_content_and_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "x.result"
    path.write_text("old\n")
    with pytest.raises(UnicodeEncodeError):
        write_atomically(path, "cannot be latin-1: \u20ac\n")  # fails half-way, while writing
    assert path.read_text() == "old\n"
    assert _leftovers(tmp_path, "x.result") == []


def test_interrupted_replace_leaves_the_old_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "x.result"
    path.write_text("old\n")

    def interrupted(src: object, dst: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomically(path, "new\n")
    monkeypatch.undo()
    assert path.read_text() == "old\n"
    assert _leftovers(tmp_path, "x.result") == []


def test_readers_only_ever_see_old_or_new(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Look at the target at the moment the new data has been written but not yet moved in place.
    path = tmp_path / "x.result"
    path.write_text("old\n")
    seen: list[str] = []
    real_fsync = os.fsync

    def spy(fd: int) -> None:
        real_fsync(fd)
        seen.append(path.read_text())

    monkeypatch.setattr(os, "fsync", spy)
    write_atomically(path, "new\n")
    assert seen == ["old\n"]
    assert path.read_text() == "new\n"


# -- where the .reject goes -----------------------------------------------------------------------------


def test_reject_beside_a_writable_result(tmp_path: Path) -> None:
    (tmp_path / "r").mkdir()
    assert reject_path(tmp_path / "r" / "x.result", None) == tmp_path / "r" / "x.reject"


def test_reject_in_the_reject_folder_when_given(tmp_path: Path) -> None:
    assert reject_path(tmp_path / "r" / "x.result", tmp_path / "rej") == tmp_path / "rej" / "x.reject"


def test_reject_name_for_a_result_with_another_suffix(tmp_path: Path) -> None:
    assert reject_path(tmp_path / "x.out", tmp_path) == tmp_path / "x.out.reject"


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if not os.access(folder, os.W_OK):
            yield folder
        elif not os.access("/proc/sys", os.W_OK):
            # root writes through file modes; a read-only mount is read-only for everyone.
            yield Path("/proc/sys")
        else:
            pytest.skip("running as root and no read-only folder to point at")
    finally:
        folder.chmod(0o755)


def test_reject_for_a_read_only_suite_goes_to_the_users_cache(read_only_dir: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = reject_path(read_only_dir / "x.result", None)
    assert path == tmp_path / "cache" / "tidbrun" / "rejects" / "x.reject"
    assert not path.is_relative_to(Path(tempfile.gettempdir()) / "tidbrun-reject")


def test_reject_of_a_new_test_goes_where_its_result_would_be(tmp_path: Path) -> None:
    # No r/ folder yet: the suite folder can be written, so the reject makes it.
    assert reject_path(tmp_path / "r" / "x.result", None) == tmp_path / "r" / "x.reject"


def _tree(root: Path) -> Path:
    (root / "lib").mkdir(parents=True)
    (root / "mariadb-test-run.pl").write_text("")
    (root / "suite" / "s" / "r").mkdir(parents=True)
    (root / "main").mkdir()
    return root


def test_reject_of_a_tree_goes_to_the_runs_folder_mirroring_the_tree(tmp_path: Path) -> None:
    root = _tree(tmp_path / "mysql-test")
    rejects = tmp_path / "var" / "rejects"
    result = root / "suite" / "s" / "r" / "x.result"
    assert reject_path(result, None, rejects) == rejects / "suite" / "s" / "r" / "x.reject"
    assert reject_path(root / "main" / "x.result", None, rejects) == rejects / "main" / "x.reject"
    assert reject_path(root / "suite" / "s" / "r" / "x,c.rdiff", None, rejects) == (
        rejects / "suite" / "s" / "r" / "x,c.rdiff.reject"
    )


def test_a_given_reject_folder_wins_over_the_trees(tmp_path: Path) -> None:
    root = _tree(tmp_path / "mysql-test")
    given = tmp_path / "rej"
    assert reject_path(root / "main" / "x.result", given, tmp_path / "var") == given / "x.reject"


def test_outside_a_tree_the_trees_folder_is_not_used(tmp_path: Path) -> None:
    (tmp_path / "r").mkdir()
    assert reject_path(tmp_path / "r" / "x.result", None, tmp_path / "var") == tmp_path / "r" / "x.reject"
