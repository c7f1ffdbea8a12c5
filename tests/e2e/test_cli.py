"""The ``tidbrun`` command as a user runs it: exit codes, results, rejects, and input errors.

Runs go against the session's private server (``--socket``/``--port``); nothing here starts a
server per run.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from runner.server.embedded import EmbeddedServer
from tests.conftest import CliRun, run_tidbrun, server_args, write

pytestmark = pytest.mark.e2e






def assert_no_traceback(run: CliRun) -> None:
    assert "Traceback" not in run.output, run.output


# -- usage -------------------------------------------------------------------------------------------


def test_help_mentions_the_exit_codes() -> None:
    run = run_tidbrun("--help")
    assert run.returncode == 0
    text = " ".join(run.stdout.split())
    assert "Exit codes:" in text
    assert re.search(r"\b0 all tests passed", text), text
    assert re.search(r"\b1 a test failed", text), text
    assert re.search(r"\b2 usage or input error", text), text


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    missing = tmp_path / "nosuch.test"
    run = run_tidbrun(missing, "--parse-only")
    assert run.returncode == 2
    assert run.stderr.strip() == f"tidbrun: no such test file or folder: {missing}"
    assert_no_traceback(run)


def test_missing_path_is_a_usage_error_before_any_server_is_needed(tmp_path: Path) -> None:
    run = run_tidbrun(tmp_path / "nosuch.test", "--socket", str(tmp_path / "no.sock"))
    assert run.returncode == 2
    assert_no_traceback(run)


def test_unknown_option_is_a_usage_error(tmp_path: Path) -> None:
    run = run_tidbrun(write(tmp_path / "x.test", "select 1;\n"), "--no-such-option")
    assert run.returncode == 2
    assert_no_traceback(run)


def test_unknown_dialect_is_a_usage_error(tmp_path: Path) -> None:
    run = run_tidbrun(write(tmp_path / "x.test", "select 1;\n"), "--dialect", "klingon", "--parse-only")
    assert run.returncode == 2
    assert "unknown dialect 'klingon'" in run.stderr
    assert_no_traceback(run)


def test_folder_without_tests_is_a_usage_error(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    (tmp_path / "empty").mkdir()
    run = run_tidbrun(tmp_path / "empty", *server_args(embedded_server))
    assert run.returncode == 2
    assert "no .test files found" in run.stderr
    assert_no_traceback(run)


def test_parse_only_prints_the_echo_without_a_server(tmp_path: Path) -> None:
    test = write(tmp_path / "x.test", "select 1 as x;\n--echo hello\nlet $a = 1;\nselect\n  2;\n")
    run = run_tidbrun(test, "--parse-only")
    assert run.returncode == 0, run.output
    assert run.stdout == "select 1 as x;\nhello\nselect\n2;\n"


# -- pass, fail, record --------------------------------------------------------------------------------


def test_record_writes_the_result_and_a_second_run_passes(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    test = write(tmp_path / "x.test", "select 1 as x;\n--echo hello\n")
    result = tmp_path / "x.result"
    recorded = run_tidbrun(test, "--record", *server_args(embedded_server))
    assert recorded.returncode == 0, recorded.output
    assert result.read_bytes().startswith(b"select 1 as x;\nx\n1\n")
    assert result.read_bytes().endswith(b"hello\n")
    compared = run_tidbrun(test, *server_args(embedded_server))
    assert compared.returncode == 0, compared.output
    assert "pass" in compared.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.result", "x.test"]


def test_mismatch_exits_1_with_a_diff_and_a_reject(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    test = write(tmp_path / "suite" / "x.test", "select 1 as x;\n")
    result = write(tmp_path / "suite" / "x.result", "select 1 as x;\nx\n2\n")
    rejects = tmp_path / "rejects"
    run = run_tidbrun(test, "--reject-dir", rejects, *server_args(embedded_server))
    assert run.returncode == 1, run.output
    assert "-2" in run.stdout.splitlines()
    assert "+1" in run.stdout.splitlines()
    assert result.read_bytes() == b"select 1 as x;\nx\n2\n"
    reject = rejects / "x.reject"
    assert reject.is_file()
    assert not (tmp_path / "suite" / "x.reject").exists()
    # The reject is the run's whole output: accepted as the result, the test passes.
    result.write_bytes(reject.read_bytes())
    again = run_tidbrun(test, *server_args(embedded_server))
    assert again.returncode == 0, again.output


def test_missing_result_fails_and_leaves_a_reject(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    test = write(tmp_path / "x.test", "select 1 as x;\n")
    run = run_tidbrun(test, "--reject-dir", tmp_path / "rej", *server_args(embedded_server))
    assert run.returncode == 1
    assert (tmp_path / "rej" / "x.reject").read_bytes().startswith(b"select 1 as x;\n")
    assert not (tmp_path / "x.result").exists()


def test_t_and_r_layout_with_subfolders(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    write(tmp_path / "suite" / "t" / "a.test", "select 'a' as a;\n")
    write(tmp_path / "suite" / "t" / "sub" / "b.test", "select 'b' as b;\n")
    recorded = run_tidbrun(tmp_path / "suite", "--record", *server_args(embedded_server))
    assert recorded.returncode == 0, recorded.output
    assert (tmp_path / "suite" / "r" / "a.result").is_file()
    assert (tmp_path / "suite" / "r" / "sub" / "b.result").is_file()
    compared = run_tidbrun(tmp_path / "suite", *server_args(embedded_server))
    assert compared.returncode == 0, compared.output
    assert "2 passed" in compared.stdout


def test_record_of_a_dying_test_leaves_the_old_result(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    test = write(tmp_path / "x.test", "select 1 as x;\n--die Died here\n")
    result = write(tmp_path / "x.result", "old content\n")
    before = result.stat().st_mtime_ns
    run = run_tidbrun(test, "--record", *server_args(embedded_server))
    assert run.returncode == 1, run.output
    assert f"{test}:2: Died here" in run.lines()
    assert result.read_bytes() == b"old content\n"
    assert result.stat().st_mtime_ns == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.result", "x.test"]


def test_without_force_the_run_stops_at_the_first_failure(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    write(tmp_path / "a_fail.test", "--die stop\n")
    write(tmp_path / "b_pass.test", "select 1 as x;\n")
    write(tmp_path / "b_pass.result", "select 1 as x;\nx\n1\n")
    run = run_tidbrun(tmp_path, *server_args(embedded_server))
    assert run.returncode == 1
    assert "a_fail" in run.stdout
    assert "b_pass" not in run.stdout
    assert "1 not run" in run.stdout


def test_force_goes_on_after_a_failure(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    write(tmp_path / "a_fail.test", "--die stop\n")
    write(tmp_path / "b_pass.test", "select 1 as x;\n")
    write(tmp_path / "b_pass.result", "select 1 as x;\nx\n1\n")
    run = run_tidbrun(tmp_path, "--force", *server_args(embedded_server))
    assert run.returncode == 1
    b_line = next(line for line in run.stdout.splitlines() if line.startswith(f"{tmp_path.name}.b_pass"))
    assert "pass" in b_line
    assert "1 passed, 1 failed" in run.stdout


def test_skip_is_not_a_failure(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    test = write(tmp_path / "x.test", "--skip Need something special\nselect 1;\n")
    run = run_tidbrun(test, *server_args(embedded_server))
    assert run.returncode == 0, run.output
    assert "Need something special" in run.stdout
    assert not (tmp_path / "x.result").exists()


# -- input errors: `file:line: message`, exit 2, never a traceback ----------------------------------------


def assert_input_error(run: CliRun, expected: str) -> None:
    assert_no_traceback(run)
    assert expected in run.lines(), run.output
    assert run.returncode == 2, run.output


def test_unterminated_block(tmp_path: Path) -> None:
    test = write(tmp_path / "x.test", "select 1;\nif ($a) {\n--echo x\n")
    run = run_tidbrun(test, "--parse-only")
    assert run.stderr.strip() == f"{test}:2: 'if' block is never closed (missing '}}')"
    assert_input_error(run, f"{test}:2: 'if' block is never closed (missing '}}')")


def test_unknown_command_after_dashes(tmp_path: Path) -> None:
    test = write(tmp_path / "x.test", "select 1;\n--frobnicate x\n")
    run = run_tidbrun(test, "--parse-only")
    expected = f"{test}:2: '--frobnicate' is not a mysqltest command (use '#' for a comment)"
    assert run.stderr.strip() == expected
    assert_input_error(run, expected)


def test_missing_source_file(tmp_path: Path) -> None:
    test = write(tmp_path / "x.test", "select 1;\n--source nosuch.inc\n")
    run = run_tidbrun(test, "--parse-only")
    expected = f"{test}:2: source file 'nosuch.inc' not found"
    assert run.stderr.strip() == expected
    assert_input_error(run, expected)


def test_error_in_a_sourced_file_names_the_include_chain(tmp_path: Path) -> None:
    inc = write(tmp_path / "bad.inc", "--echo fine\n--frobnicate\n")
    test = write(tmp_path / "x.test", "select 1;\n--source bad.inc\n")
    run = run_tidbrun(test, "--parse-only")
    expected = f"{inc}:2 (sourced from {test}:2): '--frobnicate' is not a mysqltest command (use '#' for a comment)"
    assert run.stderr.strip() == expected
    assert_input_error(run, expected)


def test_malformed_test_in_a_real_run(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    test = write(tmp_path / "x.test", "select 1;\n}\n")
    run = run_tidbrun(test, *server_args(embedded_server))
    assert_input_error(run, f"{test}:2: '}}' closes a block that was never opened")


def test_bad_error_token(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    test = write(tmp_path / "x.test", "select 1;\n--error NO_SUCH_NAME\nselect 2;\n")
    run = run_tidbrun(test, *server_args(embedded_server))
    assert_input_error(run, f"{test}:2: unknown SQL error name 'NO_SUCH_NAME'")


def test_bad_regex_in_replace_regex(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    test = write(tmp_path / "x.test", "select 1;\n--replace_regex /a(/b/\nselect 2;\n")
    run = run_tidbrun(test, *server_args(embedded_server))
    assert_input_error(
        run,
        f"{test}:2: bad regular expression 'a(' in replace_regex: missing ), unterminated subpattern at position 1",
    )


def test_unknown_connection(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    test = write(tmp_path / "x.test", "select 1;\n--connection nosuch\nselect 2;\n")
    run = run_tidbrun(test, *server_args(embedded_server))
    assert_input_error(run, f"{test}:2: connection 'nosuch' not found in connection pool")


def test_missing_source_file_in_a_real_run(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    test = write(tmp_path / "x.test", "select 1;\n--source nosuch.inc\n")
    run = run_tidbrun(test, *server_args(embedded_server))
    assert_no_traceback(run)
    assert any(line.startswith(f"{test}:2: ") and "nosuch.inc" in line for line in run.lines()), run.output
    assert run.returncode == 2, run.output
