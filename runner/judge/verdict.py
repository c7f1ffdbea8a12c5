"""The built-in judge (the ``tidbrun_judge`` hook): a test's output against its result file.

Without a result file the output goes to the ``.reject`` and the test fails; with ``--record`` it
becomes the result (atomically); a combination with an ``.rdiff`` is compared with the base result
patched by it.
"""

from __future__ import annotations

from runner.config.run_config import RunConfig
from runner.hooks import hookimpl
from runner.judge.compare import (
    Mismatch,
    compare,
    expected_result_path,
    read_result,
    record_result,
    reject_path,
    remove_reject,
    write_atomically,
)
from runner.judge.rdiff import RdiffError, patched_result, rdiff_of
from runner.run.records import TestCase, TestReport


@hookimpl(trylast=True)
def tidbrun_judge(case: TestCase, output: str, seconds: float, config: RunConfig, flavour: str | None) -> TestReport:
    return judge(case, output, seconds, config, flavour)


def judge(case: TestCase, output: str, seconds: float, config: RunConfig, flavour: str | None) -> TestReport:
    """The built-in verdict: compare with the result file (or an .rdiff-patched one), record, reject."""
    if not output:
        return TestReport(case, "fail", seconds, "the test did not produce any output")
    flavour = None if config.result_file else flavour
    if case.rdiff is not None:
        return _judge_rdiff(case, output, seconds, config)
    if config.record:
        recorded = record_result(case.result, flavour, output, split=config.record_flavour)
        for written in {recorded.path, case.result}:
            remove_reject(written, config.reject_dir, config.tree_reject_dir)
        return TestReport(case, "pass", seconds, recorded.note, output=output, recorded=True)
    result = expected_result_path(case.result, flavour)
    expected = read_result(result)
    if expected is None:
        reject = reject_path(result, config.reject_dir, config.tree_reject_dir)
        write_atomically(reject, output)
        return TestReport(
            case, "fail", seconds,
            f"the result file {result} does not exist (output in {reject}; --record writes it from this run)",
            output=output,
        )
    mismatch: Mismatch | None = compare(expected, output, expected_name=str(result), actual_name="actual")
    if mismatch is None:
        remove_reject(result, config.reject_dir, config.tree_reject_dir)
        return TestReport(case, "pass", seconds, output=output)
    reject = reject_path(result, config.reject_dir, config.tree_reject_dir)
    write_atomically(reject, output)
    return TestReport(
        case, "fail", seconds, f"result content mismatch (first at line {mismatch.first_line}; output in {reject})",
        diff=mismatch.diff, output=output,
    )

def _judge_rdiff(case: TestCase, output: str, seconds: float, config: RunConfig) -> TestReport:
    """A combination whose expected output is a base result with an ``.rdiff`` applied."""
    assert case.rdiff is not None
    if config.record:
        try:
            write_atomically(case.rdiff, rdiff_of(case.result, output, case.rdiff.name))
        except RdiffError as exc:
            return TestReport(case, "error", seconds, str(exc), output=output)
        remove_reject(case.rdiff, config.reject_dir, config.tree_reject_dir)
        return TestReport(case, "pass", seconds, f"recorded {case.rdiff}", output=output, recorded=True)
    try:
        expected = patched_result(case.result, case.rdiff)
    except RdiffError as exc:
        return TestReport(case, "error", seconds, str(exc), output=output)
    mismatch = compare(expected, output, expected_name=f"{case.result} + {case.rdiff.name}", actual_name="actual")
    if mismatch is None:
        remove_reject(case.rdiff, config.reject_dir, config.tree_reject_dir)
        return TestReport(case, "pass", seconds, output=output)
    reject = reject_path(case.rdiff, config.reject_dir, config.tree_reject_dir)
    write_atomically(reject, output)
    return TestReport(
        case, "fail", seconds, f"result content mismatch (first at line {mismatch.first_line}; output in {reject})",
        diff=mismatch.diff, output=output,
    )
