"""``source``'s argument as mysqltest reads it (check_command_args): the file name ends at a
space, a ``#`` comment may follow it, anything else is an error — against the reference."""

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
