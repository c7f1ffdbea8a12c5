"""A combination's ``.rdiff`` applied as mysql-test-run.pl applies it (with the real ``patch``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from runner.judge.rdiff import patched_result

pytestmark = pytest.mark.skipif(shutil.which("patch") is None, reason="needs the patch program")

BASE = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\n"


def test_a_patch_that_applies_gives_the_combination_result(tmp_path: Path) -> None:
    base = tmp_path / "x.result"
    base.write_text(BASE)
    rdiff = tmp_path / "x,c.rdiff"
    rdiff.write_text("--- x.result\n+++ x,c.result\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n")
    assert patched_result(base, rdiff) == BASE.replace("b\n", "B\n")


def test_a_hunk_that_does_not_apply_is_left_out_as_under_mtr(tmp_path: Path) -> None:
    # suite/innodb's instant_alter_purge,release.rdiff against the shorter result Debian ships:
    # MTR runs patch -f and judges the test on what it wrote.
    base = tmp_path / "x.result"
    base.write_text(BASE)
    rdiff = tmp_path / "x,c.rdiff"
    rdiff.write_text(
        "--- x.result\n+++ x,c.result\n"
        "@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
        "@@ -30,3 +30,2 @@\n nothing\n-like\n this\n"
    )
    assert patched_result(base, rdiff) == BASE.replace("b\n", "B\n")
    assert sorted(tmp_path.iterdir()) == sorted([base, rdiff])  # no .rej, no .orig
