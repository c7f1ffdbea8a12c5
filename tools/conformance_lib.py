"""The pure part of tools/conformance: verdicts from runner output, the verdict table, categories,
and the summary. Nothing here starts a process or touches a server, so all of it is unit-tested.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Verdicts, in the order summaries list them. "not-run" marks a test no worker could run.
VERDICTS = ("pass", "fail", "skip", "error", "timeout", "not-run")
REFERENCE_EXIT = {0: "pass", 1: "fail", 62: "skip"}
TIDBRUN_EXIT = {0: "pass", 1: "fail", 2: "error"}

TABLE_COLUMNS = (
    "test",
    "reference",
    "tidbrun",
    "reference_seconds",
    "tidbrun_seconds",
    "agree",
    "detail",
    "category",
    "reference_reason",
    "tidbrun_reported_seconds",
    "tidbrun_message",
    "diff_line",
    "expected_line",
    "actual_line",
    "mtr",
    "mtr_seconds",
    "mtr_reason",
    "agree_mtr",
)
END_OF_OUTPUT = "<end>"  # expected_line/actual_line of a side that ran out of lines

MESSAGE_CHARS = 160  # one failure message in the table
LINE_CHARS = 100  # one result line quoted in the table

_TIDBRUN_LINE = re.compile(r"^(?P<name>\S.*?)\s+\[ (?P<word>[a-z]+) \]\s+(?P<ms>\d+) ms(?:\s+\((?P<reason>.*)\))?\s*$")
_REFERENCE_AT_LINE = re.compile(r"^(?:mysqltest|mariadb-test): (?P<message>(?:At line \d+: )?.*)$")
# What follows a failure message: mysqltest's output tail or diff; tidbrun's diff or summary.
_REFERENCE_MESSAGE_END = re.compile(
    r"^(The result from queries just before|--- |\+\+\+ |Result (length|content) mismatch)"
)
_TIDBRUN_MESSAGE_END = re.compile(r"^(--- |\+\+\+ |@@ |\d+ passed, \d+ failed)")
# tidbrun's ``file:line`` plus its include chain, and mysqltest's ``At line N:``.
_LOCATION = re.compile(r"^(?:\S+:\d+(?: \(sourced from [^)]*\))*: |At line \d+: )")


@dataclass(slots=True)
class Outcome:
    """What one runner made of one test."""

    verdict: str
    seconds: float | None = None
    message: str = ""  # failure message or skip reason, first line only
    # The first line where the output differs from the .result: (1-based line, expected, actual),
    # None for a side that ran out of lines. Only set for result mismatches.
    first_diff: tuple[int, str | None, str | None] | None = None
    reported_seconds: float | None = None  # tidbrun's own timing of the test, without process start


@dataclass(slots=True)
class Row:
    test: str
    reference: Outcome
    tidbrun: Outcome
    mtr: Outcome | None = None  # mysql-test-run.pl's verdict, when a table of them was given

    @property
    def agrees(self) -> bool:
        return self.reference.verdict == self.tidbrun.verdict

    @property
    def detail(self) -> str:
        """For a disagreement, what the side(s) that did not pass said; "" otherwise."""
        if self.agrees:
            return ""
        parts = [
            describe_outcome(name, outcome)
            for name, outcome in (("reference", self.reference), ("tidbrun", self.tidbrun))
            if outcome.verdict != "pass"
        ]
        return " || ".join(parts)

    @property
    def category(self) -> str:
        return categorize(self.tidbrun) if self.tidbrun.verdict not in ("pass", "not-run") else ""

    def record(self) -> Record:
        diff = self.tidbrun.first_diff
        mtr = self.mtr
        return Record(
            test=self.test,
            reference=self.reference.verdict,
            tidbrun=self.tidbrun.verdict,
            reference_seconds=self.reference.seconds,
            tidbrun_seconds=self.tidbrun.seconds,
            detail=self.detail,
            category=self.category,
            reference_reason=reason_text(self.reference),
            tidbrun_reported_seconds=self.tidbrun.reported_seconds,
            tidbrun_message=_clip(self.tidbrun.message, 2 * MESSAGE_CHARS),
            diff_line=diff[0] if diff else None,
            expected_line=diff[1] if diff else None,
            actual_line=diff[2] if diff else None,
            mtr=mtr.verdict if mtr is not None else "",
            mtr_seconds=mtr.seconds if mtr is not None else None,
            mtr_reason=_clip(mtr.message, 2 * MESSAGE_CHARS) if mtr is not None else "",
        )


def agreement(one: str, other: str) -> str:
    """"yes"/"no" for two verdicts, "" when either side has none (not run, not in a table)."""
    if one in ("", "not-run") or other in ("", "not-run"):
        return ""
    return "yes" if one == other else "no"


@dataclass(frozen=True, slots=True)
class Record:
    """One line of the verdict table (``--out``), in TABLE_COLUMNS order."""

    test: str
    reference: str
    tidbrun: str
    reference_seconds: float | None = None
    tidbrun_seconds: float | None = None
    detail: str = ""
    category: str = ""
    reference_reason: str = ""
    tidbrun_reported_seconds: float | None = None
    # tidbrun's side, kept whole so that a later version of categorize() can regroup an old table
    tidbrun_message: str = ""
    diff_line: int | None = None
    expected_line: str | None = None
    actual_line: str | None = None
    mtr: str = ""  # mysql-test-run.pl's verdict ("" when none was given)
    mtr_seconds: float | None = None
    mtr_reason: str = ""

    @property
    def agree(self) -> str:
        return agreement(self.reference, self.tidbrun)

    @property
    def agree_mtr(self) -> str:
        return agreement(self.mtr, self.tidbrun)

    def tidbrun_outcome(self) -> Outcome:
        diff = None
        if self.diff_line is not None:
            diff = (self.diff_line, self.expected_line, self.actual_line)
        return Outcome(self.tidbrun, self.tidbrun_seconds, self.tidbrun_message, diff, self.tidbrun_reported_seconds)

    def recategorized(self) -> Record:
        """The record with its category computed again (from tidbrun_message and the diff)."""
        if self.tidbrun in ("pass", "not-run"):
            return self
        return dataclasses.replace(self, category=categorize(self.tidbrun_outcome()))


# ------------------------------------------------------------------ parsing runner output


def first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def _message_lines(lines: Sequence[str], end: re.Pattern[str]) -> list[str]:
    """The continuation lines of a message: up to an empty line or what ``end`` matches."""
    taken: list[str] = []
    for line in lines:
        if not line.strip() or end.match(line):
            break
        taken.append(line)
    return taken


def reference_verdict(exit_code: int | None, stdout: str, stderr: str, *, timed_out: bool) -> tuple[str, str]:
    """(verdict, message) of one ``mariadb-test`` run; exit 0 pass, 1 fail, 62 skip."""
    if timed_out:
        return "timeout", ""
    verdict = REFERENCE_EXIT.get(exit_code if exit_code is not None else -1, "error")
    if verdict == "pass":
        return verdict, ""
    lines = [line.strip() for line in (stderr + "\n" + stdout).splitlines() if line.strip()]
    if verdict == "skip":
        reason = next((line for line in lines if line.lower().startswith("reason")), lines[-1] if lines else "")
        return verdict, reason
    # mysqltest prints "mysqltest: At line N: ..." when a command fails, and the diff followed by
    # "Result length/content mismatch" when the output differs.
    raw = (stderr + "\n" + stdout).splitlines()
    for index, line in enumerate(raw):
        match = _REFERENCE_AT_LINE.match(line.strip())
        if match and not match.group("message").startswith(("Error on delete", "Could not open")):
            # A failing query is quoted whole, so the message can go on for several lines.
            rest = _message_lines(raw[index + 1 :], _REFERENCE_MESSAGE_END)
            return verdict, "\n".join([match.group("message"), *rest])
    for line in reversed(lines):
        if "mismatch" in line.lower():
            return verdict, line
    if verdict == "error":
        return verdict, f"exit code {exit_code}" + (f": {lines[-1]}" if lines else "")
    return verdict, lines[-1] if lines else ""


def tidbrun_lines(stdout: str) -> list[tuple[str, str, str, float]]:
    """(test, verdict, message, tidbrun's seconds) of each per-test line ``suite.test  [ word ]  N ms``
    (the name as printed); the message is the indented line after a failure, or the skip reason in
    parentheses."""
    found: list[tuple[str, str, str, float]] = []
    lines = stdout.splitlines()
    for index, line in enumerate(lines):
        match = _TIDBRUN_LINE.match(line)
        if match is None:
            continue
        word = match.group("word")
        verdict = word if word in VERDICTS else "pass" if word in ("recorded", "flaky") else "error"
        seconds = int(match.group("ms")) / 1000.0
        message = match.group("reason") or ""
        if verdict in ("fail", "error") and index + 1 < len(lines) and lines[index + 1].startswith(" "):
            rest = _message_lines(lines[index + 2 :], _TIDBRUN_MESSAGE_END)
            message = "\n".join([lines[index + 1].strip(), *rest])
        found.append((match.group("name"), verdict, message, seconds))
    return found


def tidbrun_verdict(
    exit_code: int | None, stdout: str, stderr: str, *, timed_out: bool
) -> tuple[str, str, float | None]:
    """(verdict, message, tidbrun's own seconds) of one ``tidbrun`` run.

    The per-test line ``name  [ word ]  N ms`` decides (exit 0 covers both pass and skip); its
    message is the indented line after it, or the skip reason in parentheses. Without that line
    the exit code decides and stderr explains.
    """
    if timed_out:
        return "timeout", "", None
    for _, verdict, message, seconds in tidbrun_lines(stdout):
        if verdict in ("fail", "error") and not message:
            message = first_line(stderr)
        return verdict, message, seconds
    verdict = TIDBRUN_EXIT.get(exit_code if exit_code is not None else -1, "error")
    if verdict == "pass":
        # Exit 0 without a verdict line: tidbrun ran nothing it reported on.
        verdict = "error"
    err_lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    message = err_lines[-1] if err_lines else f"exit code {exit_code}, no verdict line"
    return verdict, message, None


def first_difference(expected: str | None, actual: str | None) -> tuple[int, str | None, str | None] | None:
    """The first line where ``actual`` differs from ``expected`` (None when identical or unknown)."""
    if actual is None:
        return None
    old = (expected or "").splitlines()
    new = actual.splitlines()
    for index, (a, b) in enumerate(zip(old, new, strict=False)):
        if a != b:
            return index + 1, a, b
    if len(old) == len(new):
        # Same lines, so the difference is in line endings or a final newline.
        if (expected or "") == actual:
            return None
        return len(old), old[-1] if old else None, new[-1] if new else None
    shorter = min(len(old), len(new))
    return (
        shorter + 1,
        old[shorter] if shorter < len(old) else None,
        new[shorter] if shorter < len(new) else None,
    )


# ------------------------------------------------------------------ categories


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape(text: str) -> str:
    """One table cell: no tabs or newlines."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n")


def describe_outcome(name: str, outcome: Outcome) -> str:
    text = f"{name} {outcome.verdict}"
    if outcome.message:
        text += f": {_clip(outcome.message, MESSAGE_CHARS)}"
    if outcome.first_diff is not None:
        line, expected, actual = outcome.first_diff
        exp = "<end>" if expected is None else _clip(expected, LINE_CHARS)
        act = "<end>" if actual is None else _clip(actual, LINE_CHARS)
        text += f"; line {line}: -{exp} +{act}"
    return text


def line_kind(line: str | None) -> str:
    """A coarse shape of one result line, so mismatches group by what kind of output differs."""
    if line is None:
        return "<end of output>"
    if line == "Warnings:":
        return "'Warnings:'"
    if re.match(r"^(Warning|Note|Error)\t\d+\t", line):
        return "a warning row"
    if line.startswith("ERROR ") or line.startswith("Got one of the listed errors"):
        return "an ERROR line"
    if line.startswith("Catalog\tDatabase\tTable") or line.startswith("def\t"):
        return "result metadata"
    if re.match(r"^(connection|disconnect|connect)\b", line):
        return "a connection line"
    if "\t" in line:
        return "a result row"
    if line == "":
        return "an empty line"
    if line.rstrip().endswith(";") or re.match(
        r"^(select|insert|update|delete|create|drop|alter|set|show|call|explain|analyze|replace|"
        r"grant|revoke|flush|lock|unlock|begin|commit|rollback|prepare|execute|deallocate|"
        r"handler|load|truncate|rename|check|repair|optimize|use|do|with|values|xa)\b",
        line,
        re.IGNORECASE,
    ):
        return "a statement echo"
    return "a text line"


def normalize_message(message: str) -> str:
    """A failure message with the parts that differ per test (location, query text, names,
    numbers other than error codes) taken out, so that like failures group together."""
    text = _LOCATION.sub("", message.strip())
    text = _LOCATION.sub("", text)
    text = re.sub(r"ServerAddress\([^)]*\)", "the server", text)
    match = re.match(r"^command '([^']*)' is not implemented", text)
    if match:
        return f"command '{match.group(1)}' is not implemented"
    # tidbrun: "query 'SQL' failed: ER_NAME (1146): text" (the name may be "<Unknown>");
    # mysqltest: "query 'SQL' failed: 1146: text". The query can span lines.
    error = r"(?:(?:\S+) \((\d+)\)|(\d+))"
    match = re.match(r"^(\w+) '.*' failed: (?:(\w+) \((\d+)\)|(?:\S+ \((\d+)\))|(\d+)):", text, re.DOTALL)
    if match:
        code = match.group(3) or match.group(4) or match.group(5)
        name = f"{match.group(2)} " if match.group(2) else ""
        return f"{match.group(1)} failed: {name}({code})"
    match = re.match(r"^query '.*' succeeded - should have failed with (?:errno|error) .*?(\d+)", text, re.DOTALL)
    if match:
        return f"query succeeded, should have failed ({match.group(1)})"
    match = re.match(rf"^query '.*' failed with wrong errno {error}(?:.*?instead of {error})?", text, re.DOTALL)
    if match:
        got = match.group(1) or match.group(2)
        wanted = match.group(3) or match.group(4)
        return f"query failed with wrong errno {got}" + (f" instead of {wanted}" if wanted else "")
    match = re.match(r"^Error running query '.*': (\d+)", text, re.DOTALL)
    if match:
        return f"Error running query: {match.group(1)}"
    match = re.match(r"^(result content mismatch|Result (?:content|length) mismatch)", text, re.IGNORECASE)
    if match:
        return "result mismatch"
    # Anything else: its first line (exec failures go on with the command's output).
    text = first_line(text)
    # Quoted names and text, but not the apostrophe in "can't".
    text = re.sub(r"(?<![A-Za-z])'[^']*'", "'…'", text)
    text = re.sub(r"\"[^\"]*\"", '"…"', text)
    text = re.sub(r"(?<![\w.])/[\w./+-]+", "PATH", text)
    # Numbers, except what looks like a server or client error code.
    text = re.sub(r"\b(?![1-4]\d{3}\b)\d+\b", "N", text)
    return _clip(text, 140)


def categorize(outcome: Outcome) -> str:
    """The failure category of one non-passing outcome."""
    if outcome.verdict == "timeout":
        return "timeout"
    if outcome.verdict == "skip":
        return "skipped: " + normalize_message(outcome.message)
    if outcome.first_diff is not None and (not outcome.message or "mismatch" in outcome.message.lower()):
        _, expected, actual = outcome.first_diff
        wanted, got = line_kind(expected), line_kind(actual)
        if wanted == got:
            return f"result mismatch in {wanted}"
        return f"result mismatch: expected {wanted}, got {got}"
    if not outcome.message:
        return f"{outcome.verdict} without a message"
    return normalize_message(outcome.message)


# ------------------------------------------------------------------ tables


def _seconds(text: str | None) -> float | None:
    if text is None or text == "":
        return None
    try:
        return float(text)
    except ValueError:
        return None


def _format_seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def reason_text(outcome: Outcome) -> str:
    """The reference's own explanation of a non-pass (skip reason, failure, first difference)."""
    if outcome.verdict == "pass":
        return ""
    text = describe_outcome("", outcome)
    return text.removeprefix(f" {outcome.verdict}").removeprefix(": ").removeprefix("; ")


def record_cells(record: Record) -> list[str]:
    return [
        record.test,
        record.reference,
        record.tidbrun,
        _format_seconds(record.reference_seconds),
        _format_seconds(record.tidbrun_seconds),
        record.agree,
        record.detail,
        record.category,
        record.reference_reason,
        _format_seconds(record.tidbrun_reported_seconds),
        record.tidbrun_message,
        "" if record.diff_line is None else str(record.diff_line),
        _line_cell(record.expected_line, record.diff_line),
        _line_cell(record.actual_line, record.diff_line),
        record.mtr,
        _format_seconds(record.mtr_seconds),
        record.mtr_reason,
        record.agree_mtr,
    ]


def _line_cell(line: str | None, diff_line: int | None) -> str:
    if diff_line is None:
        return ""
    return END_OF_OUTPUT if line is None else _clip(line, 2 * LINE_CHARS)


def _line_value(cell: str, diff_line: int | None) -> str | None:
    if diff_line is None or cell == END_OF_OUTPUT:
        return None
    return cell


def table_lines(records: Iterable[Record]) -> list[str]:
    """The verdict table as TSV lines: the header, then one line per test in name order."""
    lines = ["\t".join(TABLE_COLUMNS)]
    for record in sorted(records, key=lambda r: r.test):
        lines.append("\t".join(escape(cell) for cell in record_cells(record)))
    return lines


def parse_records(lines: Sequence[str]) -> dict[str, Record]:
    """Read this tool's own table back (columns found by the header, so older tables with fewer
    trailing columns still read)."""
    if not lines:
        return {}
    header = lines[0].split("\t")
    index = {name: i for i, name in enumerate(header)}
    for needed in ("test", "reference", "tidbrun"):
        if needed not in index:
            raise ValueError(f"not a conformance table (no '{needed}' column): {header}")
    records: dict[str, Record] = {}
    for line in lines[1:]:
        if not line.strip():
            continue
        cells = line.split("\t")

        def cell(name: str, cells: list[str] = cells) -> str:
            i = index.get(name)
            return _unescape(cells[i]) if i is not None and i < len(cells) else ""

        diff_text = cell("diff_line")
        diff_line = int(diff_text) if diff_text.isdigit() else None
        record = Record(
            test=cell("test"),
            reference=cell("reference"),
            tidbrun=cell("tidbrun"),
            reference_seconds=_seconds(cell("reference_seconds")),
            tidbrun_seconds=_seconds(cell("tidbrun_seconds")),
            detail=cell("detail"),
            category=cell("category"),
            reference_reason=cell("reference_reason"),
            tidbrun_reported_seconds=_seconds(cell("tidbrun_reported_seconds")),
            tidbrun_message=cell("tidbrun_message"),
            diff_line=diff_line,
            expected_line=_line_value(cell("expected_line"), diff_line),
            actual_line=_line_value(cell("actual_line"), diff_line),
            mtr=cell("mtr"),
            mtr_seconds=_seconds(cell("mtr_seconds")),
            mtr_reason=cell("mtr_reason"),
        )
        records[record.test] = record
    return records


def read_records(path: Path) -> dict[str, Record]:
    return parse_records(path.read_text(encoding="utf-8").splitlines())


def write_table(records: Iterable[Record], path: Path) -> None:
    """Write the table so that ``path`` always holds a whole table (old or new)."""
    text = "\n".join(table_lines(records)) + "\n"
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


@dataclass(frozen=True, slots=True)
class PreviousVerdict:
    """One test's line in an earlier table (ours, or the shared reference verdict files)."""

    reference: str
    reference_seconds: float | None
    reference_reason: str
    tidbrun: str | None  # None when the table has no tidbrun column


def _unescape(text: str) -> str:
    out: list[str] = []
    chars = iter(text)
    for ch in chars:
        if ch != "\\":
            out.append(ch)
            continue
        nxt = next(chars, "")
        out.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}.get(nxt, "\\" + nxt))
    return "".join(out)


def parse_previous_table(lines: Sequence[str]) -> dict[str, PreviousVerdict]:
    """Read a verdict table by its header.

    Understands this tool's own ``--out`` table (``reference`` / ``tidbrun`` columns), the shared
    ``main_plain_verdicts.tsv`` (``status`` / ``seconds`` / ``reason``) and ``main_mtr_verdicts.tsv``
    (``verdict`` / ``ms`` / ``reason``, one line per combination: a test passes only when every
    combination passed).
    """
    if not lines:
        return {}
    reader = csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(reader)
    index = {name: i for i, name in enumerate(header)}
    if "test" not in index:
        raise ValueError(f"no 'test' column in the table header: {header}")

    def cell(cells: list[str], name: str) -> str | None:
        i = index.get(name)
        return _unescape(cells[i]) if i is not None and i < len(cells) else None

    result: dict[str, PreviousVerdict] = {}
    for cells in reader:
        if not cells or not cells[0]:
            continue
        test = cells[index["test"]]
        if "reference" in index:
            verdict = cell(cells, "reference") or "not-run"
            seconds = _seconds(cell(cells, "reference_seconds"))
            reason = cell(cells, "reference_reason") or ""
            tidbrun = cell(cells, "tidbrun")
        elif "status" in index:
            verdict = cell(cells, "status") or "not-run"
            seconds = _seconds(cell(cells, "seconds"))
            reason = cell(cells, "reason") or ""
            tidbrun = None
        elif "verdict" in index:
            verdict = cell(cells, "verdict") or "not-run"
            ms = _seconds(cell(cells, "ms"))
            seconds = ms / 1000.0 if ms is not None else None
            reason = cell(cells, "reason") or ""
            tidbrun = None
            earlier = result.get(test)
            if earlier is not None:
                if earlier.reference != "pass":
                    continue
                if seconds is not None and earlier.reference_seconds is not None:
                    seconds += earlier.reference_seconds
        else:
            raise ValueError(f"the table has no verdict column (reference, status or verdict): {header}")
        result[test] = PreviousVerdict(as_skip(verdict), seconds, reason, tidbrun)
    return result


def as_skip(verdict: str) -> str:
    """An MTR verdict as this tool's: a test MTR skipped or lists as disabled is a skip."""
    return "skip" if verdict in ("skipped", "disabled") else verdict


def read_previous_table(path: Path) -> dict[str, PreviousVerdict]:
    return parse_previous_table(path.read_text(encoding="utf-8").splitlines())


def parse_test_list(lines: Iterable[str]) -> list[str]:
    """Test names from a list file: one per line, ``#`` comments; a TSV's first column works too
    (so an earlier ``--out`` table can be fed back), its ``test`` header is skipped."""
    names: list[str] = []
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name = line.split("\t", 1)[0].strip()
        if name == "test" and "\t" in line:
            continue
        name = name.removesuffix(".test")
        if name.startswith("main."):
            name = name[len("main.") :]
        names.append(name)
    return list(dict.fromkeys(names))


# ------------------------------------------------------------------ mysql-test-run.pl


# MTR's words in "[ word ]" (lib/mtr_report.pm), as the verdict table spells them. A retried test is
# reported once per attempt ("retry-fail", then "retry-pass"): the last line wins.
MTR_WORDS = {
    "pass": "pass",
    "retry-pass": "pass",
    "fail": "fail",
    "retry-fail": "fail",
    "exp-fail": "fail",
    "retry-exp-fail": "fail",
    "skipped": "skipped",
    "disabled": "disabled",
}
MTR_TABLE_COLUMNS = ("test", "combination", "verdict", "ms", "reason")
# "main.1st                                 w1 [ pass ]      1",
# "main.foo 'innodb,row'                    w2 [ skipped ]  Requires ...",
# "main.bar                                    [ disabled ]  MDEV-123". With --repeat: "[ 2 pass ]".
_MTR_LINE = re.compile(
    r"^(?P<name>[^\s']+)(?: '(?P<combination>[^']*)')?\s+(?:w(?P<worker>\d+)\s+)?"
    r"\[ (?:\d+ )?(?P<word>[a-z-]+) \](?P<rest>.*)$"
)
# What explains a failure in the report MTR prints after its line.
_MTR_FAILURE_REASON = re.compile(r"^(?:mysqltest|mariadb-test): (?P<reason>.+)$|^(?P<mismatch>Result \w+ mismatch)")


@dataclass(frozen=True, slots=True)
class MtrVerdict:
    """One line of mysql-test-run.pl's report: one test in one combination."""

    test: str  # as MTR names it: suite.name
    combination: str  # "" or MTR's sorted, comma-joined combination names
    verdict: str  # pass, fail, skipped, disabled
    ms: int | None
    reason: str
    worker: int | None = None


def parse_mtr_output(text: str) -> list[MtrVerdict]:
    """The verdicts in mysql-test-run.pl's output, in the order MTR reported them, one per test and
    combination (the last report of a retried test)."""
    lines = text.splitlines()
    found: dict[tuple[str, str], MtrVerdict] = {}
    for index, line in enumerate(lines):
        match = _MTR_LINE.match(line)
        if match is None or match.group("word") not in MTR_WORDS:
            continue
        verdict = MTR_WORDS[match.group("word")]
        rest = match.group("rest").strip()
        ms = int(rest) if verdict == "pass" and rest.isdigit() else None
        reason = "" if verdict == "pass" else rest
        if verdict == "fail" and not reason:
            reason = _mtr_failure_reason(lines[index + 1 :])
        worker = match.group("worker")
        key = (match.group("name"), match.group("combination") or "")
        found.pop(key, None)  # a retry's line replaces the earlier one, and moves to the end
        found[key] = MtrVerdict(key[0], key[1], verdict, ms, reason, int(worker) if worker else None)
    return list(found.values())


def _mtr_failure_reason(following: Sequence[str]) -> str:
    """The first explanation in the lines after a ``[ fail ]`` line, up to the next test's line."""
    for line in following:
        if _MTR_LINE.match(line):
            break
        match = _MTR_FAILURE_REASON.match(line.strip())
        if match:
            return match.group("reason") or match.group("mismatch")
    return ""


def mtr_test_name(name: str, suite: str) -> str:
    """A test's name in the verdict table: MTR's ``suite.name`` without the suite run."""
    return name.removeprefix(f"{suite}.")


def mtr_table_lines(verdicts: Iterable[MtrVerdict], suite: str) -> list[str]:
    """mysql-test-run.pl's verdicts as the shared ``main_mtr_verdicts.tsv`` lays them out."""
    lines = ["\t".join(MTR_TABLE_COLUMNS)]
    ordered = sorted(verdicts, key=lambda v: (mtr_test_name(v.test, suite), v.combination))
    for v in ordered:
        cells = [mtr_test_name(v.test, suite), v.combination, v.verdict, "" if v.ms is None else str(v.ms), v.reason]
        lines.append("\t".join(escape(cell) for cell in cells))
    return lines


def mtr_command(
    script: str, *, suite: str, tests: Sequence[str] | None, vardir: Path, jobs: int, extra: Sequence[str] = ()
) -> list[str]:
    """mysql-test-run.pl over a whole suite (``tests`` None) or the named tests of it, going on
    after failures (``--max-test-fail=0``: by default it stops after 10) and never retrying."""
    argv = [
        "perl",
        script,
        f"--parallel={jobs}",
        "--force",
        "--retry=0",
        "--max-test-fail=0",
        f"--vardir={vardir}",
        *extra,
    ]
    if tests is None:
        return [*argv, f"--suite={suite}"]
    return [*argv, *(f"{suite}.{name}" for name in tests)]


# ------------------------------------------------------------------ run by run

@dataclass(frozen=True, slots=True)
class RunDisagreement:
    test: str
    combination: str
    mtr: str  # the table's verdict, or "missing"
    tidbrun: str  # the report's verdict, or "missing"
    detail: str  # tidbrun's message, or both skip reasons


@dataclass(slots=True)
class RunComparison:
    """mysql-test-run.pl's table and one tidbrun report, run by run (test and combination): a
    test MTR skips in one combination and passes in another counts as two runs, not one mixed
    verdict."""

    mtr_counts: Counter[str] = field(default_factory=Counter)
    tidbrun_counts: Counter[str] = field(default_factory=Counter)
    agree: int = 0
    disagreements: list[RunDisagreement] = field(default_factory=list)
    skip_reasons_differing: list[RunDisagreement] = field(default_factory=list)

    @property
    def runs(self) -> int:
        return sum(self.mtr_counts.values())


def _report_run(name: str) -> tuple[str, str]:
    """``x 'row,stmt'`` as (``x``, ``row,stmt``); the suite prefix, if any, dropped."""
    test, _, combination = name.partition(" '")
    return test.rsplit(".", 1)[-1], combination.rstrip("'")


def compare_runs(
    mtr_table: Sequence[str], report: TidbrunReport, only: Iterable[str] | None = None
) -> RunComparison:
    """Each run of the MTR table (``main_mtr_verdicts.tsv``'s layout) against the report's;
    ``only``: the tests that were run, when not the table's whole suite."""
    chosen = frozenset(only) if only is not None else None
    reader = csv.reader(mtr_table, delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(reader, None)
    if header is None or list(header[: len(MTR_TABLE_COLUMNS)]) != list(MTR_TABLE_COLUMNS):
        raise ValueError(f"not an MTR verdict table (header {header!r}, wanted {MTR_TABLE_COLUMNS})")
    ours = {_report_run(entry.name): entry for entry in report.entries}
    comparison = RunComparison()
    seen: set[tuple[str, str]] = set()
    for cells in reader:
        if not cells or not cells[0]:
            continue
        test, combination, verdict = (_unescape(cell) for cell in cells[:3])
        if chosen is not None and test not in chosen:
            continue
        reason = _unescape(cells[4]) if len(cells) > 4 else ""
        key = (test, combination)
        seen.add(key)
        comparison.mtr_counts[verdict] += 1
        entry = ours.get(key)
        if entry is None:
            comparison.disagreements.append(RunDisagreement(test, combination, verdict, "missing", ""))
            continue
        if entry.verdict != as_skip(verdict):
            comparison.disagreements.append(
                RunDisagreement(test, combination, verdict, entry.verdict, entry.message[:300]))
            continue
        comparison.agree += 1
        if verdict == "skipped" and reason.strip() != entry.message.strip():
            detail = f"MTR {reason!r}, tidbrun {entry.message!r}"
            comparison.skip_reasons_differing.append(RunDisagreement(test, combination, verdict, entry.verdict, detail))
    for key, entry in ours.items():
        comparison.tidbrun_counts[entry.verdict] += 1
        if key not in seen:
            missing = RunDisagreement(key[0], key[1], "missing", entry.verdict, entry.message[:300])
            comparison.disagreements.append(missing)
    return comparison


def format_run_comparison(comparison: RunComparison) -> str:
    def counts(counter: Counter[str]) -> str:
        return ", ".join(f"{counter[word]} {word}" for word in sorted(counter))

    lines = [
        f"MTR: {comparison.runs} runs ({counts(comparison.mtr_counts)})",
        f"tidbrun: {sum(comparison.tidbrun_counts.values())} runs ({counts(comparison.tidbrun_counts)})",
        f"the same verdict on {comparison.agree} of {comparison.runs} runs",
        f"skips with another reason than MTR's: {len(comparison.skip_reasons_differing)}",
    ]
    for d in comparison.disagreements:
        run = f"{d.test} '{d.combination}'" if d.combination else d.test
        lines.append(f"  {run}: MTR {d.mtr}, tidbrun {d.tidbrun}" + (f": {d.detail}" if d.detail else ""))
    for d in comparison.skip_reasons_differing:
        run = f"{d.test} '{d.combination}'" if d.combination else d.test
        lines.append(f"  {run}: skip reasons {d.detail}")
    return "\n".join(lines)


# ------------------------------------------------------------------ tidbrun's --report-file

# TestReport statuses (runner/run/suite.py) as this tool's verdicts.
REPORT_STATUS = {"pass": "pass", "recorded": "pass", "flaky": "pass", "fail": "fail", "skip": "skip", "error": "error"}
_REJECT_IN_MESSAGE = re.compile(r"output in (?P<path>[^;)]+\.reject)\)?")
_HUNK = re.compile(r"^@@ -(?P<old>\d+)(?:,(?P<count>\d+))? \+\d+(?:,\d+)? @@")


@dataclass(frozen=True, slots=True)
class ReportEntry:
    """One test in tidbrun's JSON report."""

    name: str
    file: str
    verdict: str
    seconds: float | None
    message: str
    reject: str | None  # the .reject the message names (result mismatches)
    diff: str  # a unified diff, when the report carries one


@dataclass(frozen=True, slots=True)
class TidbrunReport:
    entries: list[ReportEntry]
    seconds: float | None  # the run's wall time by tidbrun's clock
    exit_code: int | None


def parse_tidbrun_report(text: str) -> TidbrunReport:
    """tidbrun's ``--report-file``: ``{"summary": {...}, "tests": [{"name", "file", "status",
    "seconds", "message"?, "details"?, "diff"?}], "not_run": [...]}``."""
    document = json.loads(text)
    if not isinstance(document, dict) or not isinstance(document.get("tests"), list):
        raise ValueError("not a tidbrun report: no 'tests' list")
    entries: list[ReportEntry] = []
    for item in document["tests"]:
        entries.append(_report_entry(item))
    summary = document.get("summary") or {}
    seconds = summary.get("seconds")
    exit_code = summary.get("exit_code")
    return TidbrunReport(
        entries,
        float(seconds) if isinstance(seconds, int | float) else None,
        exit_code if isinstance(exit_code, int) else None,
    )


def _report_entry(item: dict[str, Any]) -> ReportEntry:
    status = str(item.get("status", ""))
    verdict = "not-run" if status in ("not run", "not-run") else REPORT_STATUS.get(status, "error")
    message = str(item.get("message") or "")
    if verdict == "error" and status not in REPORT_STATUS and not message:
        message = f"unknown status {status!r}"
    seconds = item.get("seconds")
    reject = _REJECT_IN_MESSAGE.search(message)
    return ReportEntry(
        name=str(item.get("name", "")),
        file=str(item.get("file", "")),
        verdict=verdict,
        seconds=float(seconds) if isinstance(seconds, int | float) else None,
        message=message,
        reject=reject.group("path").strip() if reject else None,
        diff=str(item.get("diff") or ""),
    )


def first_difference_in_diff(diff: str) -> tuple[int, str | None, str | None] | None:
    """The first change of a unified diff as ``first_difference`` gives it: (expected's line number,
    the removed line, the added line); None for a side with no line in that change."""
    old_line: int | None = None
    removed: str | None = None
    added: str | None = None
    at: int | None = None
    for line in diff.splitlines():
        hunk = _HUNK.match(line)
        if hunk:
            if at is not None:
                break
            # A hunk that removes nothing names the line before it ("-3,0": after line 3).
            old_line = int(hunk.group("old")) + (1 if hunk.group("count") == "0" else 0)
            continue
        if old_line is None or line.startswith(("--- ", "+++ ")):
            continue
        if line.startswith("-"):
            at = old_line if at is None else at
            if removed is None:
                removed = line[1:]
            old_line += 1
        elif line.startswith("+"):
            at = old_line if at is None else at
            if added is None:
                added = line[1:]
        elif at is not None:
            break  # the first change ended
        elif not line.startswith("\\"):
            old_line += 1
    return None if at is None else (at, removed, added)


# ------------------------------------------------------------------ summary


@dataclass(slots=True)
class Summary:
    total: int
    reference: Counter[str]
    tidbrun: Counter[str]
    matrix: Counter[tuple[str, str]]  # (reference verdict, tidbrun verdict) -> tests
    reference_pass: int
    both_pass: int
    tidbrun_only_pass: int  # tidbrun passes where the reference does not
    categories: Counter[str]  # tidbrun's failure categories among reference-passing tests
    examples: dict[str, list[str]] = field(default_factory=dict)
    reference_seconds: float = 0.0
    tidbrun_seconds: float = 0.0
    tidbrun_reported_seconds: float = 0.0
    both_pass_reference_seconds: float = 0.0
    both_pass_tidbrun_seconds: float = 0.0
    both_pass_tidbrun_reported_seconds: float = 0.0
    median_process_overhead: float | None = None  # tidbrun wall minus its own timing, per test
    compared: int = 0  # tests with a verdict from both the reference and tidbrun
    agreed: int = 0  # ... the same one
    mtr: Counter[str] = field(default_factory=Counter)  # mysql-test-run.pl's verdicts, when given
    mtr_compared: int = 0
    mtr_agreed: int = 0
    mtr_pass: int = 0
    mtr_pass_tidbrun_pass: int = 0
    mtr_matrix: Counter[tuple[str, str]] = field(default_factory=Counter)  # (MTR, tidbrun) -> tests

    @property
    def key_percent(self) -> float:
        return 100.0 * self.both_pass / self.reference_pass if self.reference_pass else 0.0

    @property
    def agreement_percent(self) -> float:
        return 100.0 * self.agreed / self.compared if self.compared else 0.0

    @property
    def mtr_agreement_percent(self) -> float:
        return 100.0 * self.mtr_agreed / self.mtr_compared if self.mtr_compared else 0.0

    @property
    def mtr_key_percent(self) -> float:
        return 100.0 * self.mtr_pass_tidbrun_pass / self.mtr_pass if self.mtr_pass else 0.0


def _total(values: Iterable[float | None]) -> float:
    return sum(v for v in values if v is not None)


def summarize(records: Iterable[Record], *, examples_per_category: int = 3) -> Summary:
    rows = sorted(records, key=lambda r: r.test)
    categories: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    for row in rows:
        if row.reference == "pass" and row.tidbrun not in ("pass", "not-run"):
            category = row.category or row.tidbrun
            categories[category] += 1
            if len(examples.setdefault(category, [])) < examples_per_category:
                examples[category].append(row.test)
    both = [row for row in rows if row.reference == "pass" and row.tidbrun == "pass"]
    overheads = [
        row.tidbrun_seconds - row.tidbrun_reported_seconds
        for row in rows
        if row.tidbrun_seconds is not None and row.tidbrun_reported_seconds is not None
    ]
    with_mtr = [row for row in rows if row.mtr]
    return Summary(
        total=len(rows),
        reference=Counter(row.reference for row in rows),
        tidbrun=Counter(row.tidbrun for row in rows),
        matrix=Counter((row.reference, row.tidbrun) for row in rows),
        reference_pass=sum(1 for row in rows if row.reference == "pass"),
        both_pass=len(both),
        tidbrun_only_pass=sum(1 for row in rows if row.tidbrun == "pass" and row.reference != "pass"),
        categories=categories,
        examples=examples,
        reference_seconds=_total(row.reference_seconds for row in rows),
        tidbrun_seconds=_total(row.tidbrun_seconds for row in rows),
        tidbrun_reported_seconds=_total(row.tidbrun_reported_seconds for row in rows),
        both_pass_reference_seconds=_total(row.reference_seconds for row in both),
        both_pass_tidbrun_seconds=_total(row.tidbrun_seconds for row in both),
        both_pass_tidbrun_reported_seconds=_total(row.tidbrun_reported_seconds for row in both),
        median_process_overhead=statistics.median(overheads) if overheads else None,
        compared=sum(1 for row in rows if row.agree),
        agreed=sum(1 for row in rows if row.agree == "yes"),
        mtr=Counter(row.mtr for row in with_mtr),
        mtr_compared=sum(1 for row in with_mtr if row.agree_mtr),
        mtr_agreed=sum(1 for row in with_mtr if row.agree_mtr == "yes"),
        mtr_pass=sum(1 for row in with_mtr if row.mtr == "pass"),
        mtr_pass_tidbrun_pass=sum(1 for row in with_mtr if row.mtr == "pass" and row.tidbrun == "pass"),
        mtr_matrix=Counter((row.mtr, row.tidbrun) for row in with_mtr),
    )


def _counts(counter: Mapping[str, int]) -> str:
    names = [v for v in VERDICTS if counter.get(v)] + sorted(set(counter) - set(VERDICTS))
    return ", ".join(f"{counter[name]} {name}" for name in names) or "nothing"


def format_summary(summary: Summary, *, top_categories: int = 15) -> str:
    lines = [
        f"tests: {summary.total}",
        f"reference: {_counts(summary.reference)}",
        f"tidbrun:   {_counts(summary.tidbrun)}",
        f"KEY: of {summary.reference_pass} tests the reference passes, tidbrun passes {summary.both_pass} "
        f"({summary.key_percent:.1f}%)",
    ]
    if summary.compared:
        lines.append(
            f"agreement: the same verdict for {summary.agreed} of {summary.compared} tests "
            f"({summary.agreement_percent:.1f}%)"
        )
    if summary.tidbrun_only_pass:
        lines.append(f"tidbrun passes {summary.tidbrun_only_pass} tests the reference does not pass")
    disagreements = [(pair, n) for pair, n in summary.matrix.items() if pair[0] != pair[1]]
    if disagreements:
        lines.append(
            "disagreements (reference -> tidbrun): "
            + ", ".join(
                f"{ref}->{tid} {n}" for (ref, tid), n in sorted(disagreements, key=lambda item: (-item[1], item[0]))
            )
        )
    if summary.mtr:
        lines.append(f"mysql-test-run.pl: {_counts(summary.mtr)}")
        lines.append(
            f"MTR KEY: of {summary.mtr_pass} tests mysql-test-run.pl passes, tidbrun passes "
            f"{summary.mtr_pass_tidbrun_pass} ({summary.mtr_key_percent:.1f}%); the same verdict for "
            f"{summary.mtr_agreed} of {summary.mtr_compared} tests ({summary.mtr_agreement_percent:.1f}%)"
        )
        mtr_disagreements = [(pair, n) for pair, n in summary.mtr_matrix.items() if pair[0] != pair[1]]
        if mtr_disagreements:
            lines.append(
                "disagreements (MTR -> tidbrun): "
                + ", ".join(
                    f"{mtr}->{tid} {n}"
                    for (mtr, tid), n in sorted(mtr_disagreements, key=lambda item: (-item[1], item[0]))
                )
            )
    # Own-clock figures exist for per-test runs only (with --batch the seconds are tidbrun's clock).
    own_clock = summary.median_process_overhead is not None
    lines.append(
        f"time: reference {summary.reference_seconds:.1f} s, tidbrun {summary.tidbrun_seconds:.1f} s"
        + (f" wall ({summary.tidbrun_reported_seconds:.1f} s by its own clock)" if own_clock else "")
    )
    if summary.both_pass:
        lines.append(
            f"time on the {summary.both_pass} tests both pass: reference {summary.both_pass_reference_seconds:.1f} s, "
            f"tidbrun {summary.both_pass_tidbrun_seconds:.1f} s"
            + (f" wall, {summary.both_pass_tidbrun_reported_seconds:.1f} s by its own clock" if own_clock else "")
        )
    if summary.median_process_overhead is not None:
        lines.append(
            f"tidbrun per-test process overhead (wall - own clock), median: {summary.median_process_overhead:.3f} s"
        )
    if summary.categories:
        lines.append("tidbrun failures among reference-passing tests, by category:")
        for category, count in summary.categories.most_common(top_categories):
            examples = ", ".join(summary.examples.get(category, []))
            lines.append(f"  {count:5d}  {category}  [{examples}]")
        rest = len(summary.categories) - top_categories
        if rest > 0:
            lines.append(f"  ... {rest} more categories")
    return "\n".join(lines)
