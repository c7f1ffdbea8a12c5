"""Command arguments as mysqltest reads them, against the reference: ``source``'s file name ends
at a space (check_command_args); after it, or after a switch like ``disable_query_log``, a ``#``
comment may follow, anything else is an error (check_eol_junk)."""

from __future__ import annotations

from tests.integration.test_interpreter import Bench, assert_same_result, bench, environment, needs_reference

__all__ = ["bench", "environment"]  # the fixtures the cases need, from the interpreter's tests


@needs_reference
def test_a_comment_may_follow_the_file_name(bench: Bench) -> None:
    assert_same_result(
        bench,
        "--source inc1.inc # loading it twice\nsource inc1.inc  # again;\n--echo done\n",
        {"inc1.inc": "select 1;\n"},
    )


@needs_reference
def test_another_argument_is_an_error(bench: Bench) -> None:
    bench.write("select 1;\n--source inc1.inc extra\n", {"inc1.inc": "select 1;\n"})
    reference = bench.reference()
    assert reference.returncode == 1, reference.stderr
    ours = bench.ours()
    assert ours.status == "fail", ours.message
    line, message = reference.failure()
    assert ours.message == f"{bench.test}:{line}: {message}"


@needs_reference
def test_a_comment_may_follow_a_switch(bench: Bench) -> None:
    assert_same_result(bench, "--disable_query_log # quiet now\nselect 1;\n--enable_query_log\nselect 2;\n")


@needs_reference
def test_other_text_after_a_switch_is_end_of_line_junk(bench: Bench) -> None:
    bench.write("select 1;\n--disable_query_log ONCE junk\nselect 2;\n")
    reference = bench.reference()
    assert reference.returncode == 1, reference.stderr
    ours = bench.ours()
    line, message = reference.failure()
    assert ours.message == f"{bench.test}:{line}: {message}"
