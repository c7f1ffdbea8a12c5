"""The pure part of tools/conformance: verdicts from runner output, the verdict table, categories,
and the summary. Nothing here starts a process or touches a server, so all of it is unit-tested.
"""

from __future__ import annotations

import csv
import dataclasses
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

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
    "detail",
    "category",
    "reference_reason",
    "tidbrun_reported_seconds",
    "tidbrun_message",
    "diff_line",
    "expected_line",
    "actual_line",
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
        )


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
    lines = stdout.splitlines()
    for index, line in enumerate(lines):
        match = _TIDBRUN_LINE.match(line)
        if match is None:
            continue
        word = match.group("word")
        verdict = word if word in VERDICTS else "pass" if word == "recorded" else "error"
        seconds = int(match.group("ms")) / 1000.0
        message = match.group("reason") or ""
        if verdict in ("fail", "error") and index + 1 < len(lines) and lines[index + 1].startswith(" "):
            rest = _message_lines(lines[index + 2 :], _TIDBRUN_MESSAGE_END)
            message = "\n".join([lines[index + 1].strip(), *rest])
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
        record.detail,
        record.category,
        record.reference_reason,
        _format_seconds(record.tidbrun_reported_seconds),
        record.tidbrun_message,
        "" if record.diff_line is None else str(record.diff_line),
        _line_cell(record.expected_line, record.diff_line),
        _line_cell(record.actual_line, record.diff_line),
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
        if verdict in ("skipped", "disabled"):
            verdict = "skip"
        result[test] = PreviousVerdict(verdict, seconds, reason, tidbrun)
    return result


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

    @property
    def key_percent(self) -> float:
        return 100.0 * self.both_pass / self.reference_pass if self.reference_pass else 0.0


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
    lines.append(
        f"time: reference {summary.reference_seconds:.1f} s, tidbrun {summary.tidbrun_seconds:.1f} s wall "
        f"({summary.tidbrun_reported_seconds:.1f} s by its own clock)"
    )
    if summary.both_pass:
        lines.append(
            f"time on the {summary.both_pass} tests both pass: reference {summary.both_pass_reference_seconds:.1f} s, "
            f"tidbrun {summary.both_pass_tidbrun_seconds:.1f} s wall, "
            f"{summary.both_pass_tidbrun_reported_seconds:.1f} s by its own clock"
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
