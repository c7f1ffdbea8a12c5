"""``tools/conformance --tidb``: TiDB's own ``tests/integrationtest`` run by PingCAP's mysql-tester
(the reference) and by tidbrun, each on a fresh embedded tidb-server of the same binary, in both
collation modes as ``run-tests.sh`` runs them, and a verdict table of where they differ.

run-tests.sh's two runs: new collations on (``config.toml``, every test) and off
(``disable_new_collation.toml``, the ``collation*`` tests only). A test of the second run is named
``name [new collations off]`` in the table.

The reference is mysql-tester at the commit the pinned TiDB's run-tests.sh names
(``--mysql-tester``; default ``~/.cache/tidbrun/mysql-tester``). The Go module proxy here serves no
version of github.com/pingcap/mysql-tester, so ``make tidb`` cannot build it: where it is missing,
``--reference-table`` takes the verdicts of an earlier run (docs/tidb_reference_verdicts.tsv was
made so, see docs/conformance.md), or ``--tidbrun-only`` runs tidbrun alone.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import conformance_lib as lib

from runner.server import binaries
from runner.server.embedded import EmbeddedServer, ServerKind

REPO = Path(__file__).resolve().parent.parent
DEFAULT_MYSQL_TESTER = binaries.build_cache_root() / "mysql-tester"
OFF_SUFFIX = " [new collations off]"
CONFIG = {False: "config.toml", True: "disable_new_collation.toml"}
# One mysql-tester process may die on a connection error (log.Fatalf) and take the rest of its
# tests with it; the tests it did not reach run again in a new process, this many times at most.
REFERENCE_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class Mode:
    collation_disable: bool

    @property
    def label(self) -> str:
        return "new collations off" if self.collation_disable else "new collations on"

    def row_name(self, test: str) -> str:
        return test + OFF_SUFFIX if self.collation_disable else test


def default_suite() -> Path | None:
    """tests/integrationtest of the tidb-server ``make tidb`` built (its writable source copy)."""
    server = binaries.cached_tidb_server()
    if server is None:
        return None
    suite = server.parent.parent / "src" / "tests" / "integrationtest"
    return suite if (suite / "t").is_dir() else None


def prepare_suite(suite: Path) -> None:
    """run-tests.sh unzips the statistics (s.zip → s/) that tests load by relative path."""
    if (suite / "s.zip").is_file() and not (suite / "s").is_dir():
        with zipfile.ZipFile(suite / "s.zip") as archive:
            archive.extractall(suite)


def discover(suite: Path) -> list[str]:
    """Every test as mysql-tester names it: its path below t/ without ``.test``."""
    return sorted(str(path.relative_to(suite / "t"))[: -len(".test")] for path in (suite / "t").rglob("*.test"))


def has_collation_prefix(name: str) -> bool:
    return name.rsplit("/", 1)[-1].startswith("collation")


def tests_of_mode(tests: Sequence[str], mode: Mode) -> list[str]:
    return [t for t in tests if has_collation_prefix(t)] if mode.collation_disable else list(tests)


def start_server(server: Path, suite: Path, mode: Mode, vardir: Path) -> EmbeddedServer:
    embedded = EmbeddedServer(
        kind=ServerKind("tidb", server),
        tidb_config=suite / CONFIG[mode.collation_disable],
        vardir=vardir,
        start_timeout=120.0,
    )
    embedded.start()
    return embedded


# ------------------------------------------------------------------ the reference


def parse_xunit(text: str) -> dict[str, lib.Outcome]:
    """mysql-tester's ``-xunitfile``: a testcase per test it finished (``./t/NAME.test``), with
    ``failure`` text when it failed and a time (``1.5s``) when it passed."""
    outcomes: dict[str, lib.Outcome] = {}
    root = ET.fromstring(text)
    for case in root.iter("testcase"):
        name = case.get("name", "")
        name = name.removeprefix("./t/").removesuffix(".test")
        failure = case.findtext("failure")
        seconds = lib._seconds((case.get("time") or "").removesuffix("s") or None)
        if failure:
            outcomes[name] = lib.Outcome("fail", seconds, lib.first_line(failure))
        else:
            outcomes[name] = lib.Outcome("pass", seconds)
    return outcomes


def run_reference(
    tester: Path,
    server: Path,
    suite: Path,
    mode: Mode,
    tests: Sequence[str],
    workdir: Path,
    everything: bool,
    timeout: float,
) -> tuple[dict[str, lib.Outcome], float]:
    """mysql-tester over ``tests`` on a fresh server, as run-tests.sh runs it; (verdicts, wall)."""
    outcomes: dict[str, lib.Outcome] = {}
    remaining = list(tests)
    began = time.perf_counter()
    for attempt in range(REFERENCE_ATTEMPTS):
        if not remaining:
            break
        vardir = workdir / f"reference-{int(mode.collation_disable)}-{attempt}"
        xunit = vardir / "xunit.xml"
        embedded = start_server(server, suite, mode, vardir)
        try:
            argv = [
                str(tester),
                "-port",
                str(embedded.address.port),
                "--check-error=true",
                f"--collation-disable={'true' if mode.collation_disable else 'false'}",
                "-xunitfile",
                str(xunit),
                *([] if everything and attempt == 0 else remaining),
            ]
            with (vardir / "mysql-tester.log").open("wb") as log:
                subprocess.run(argv, cwd=suite, stdout=log, stderr=subprocess.STDOUT, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            pass
        finally:
            embedded.stop()
        found = parse_xunit(xunit.read_text(encoding="utf-8")) if xunit.is_file() else {}
        outcomes.update({name: outcome for name, outcome in found.items() if name in remaining})
        left = [name for name in remaining if name not in found]
        if left and len(left) == len(remaining):
            # Nothing finished: the first test took the process down.
            outcomes[left[0]] = lib.Outcome("error", None, "mysql-tester stopped in this test (see its log)")
            left = left[1:]
        remaining = left
    for name in remaining:
        outcomes[name] = lib.Outcome("not-run")
    return outcomes, time.perf_counter() - began


# ------------------------------------------------------------------ tidbrun


def run_tidbrun(
    tidbrun: str,
    server: Path,
    suite: Path,
    mode: Mode,
    tests: Sequence[str],
    workdir: Path,
    jobs: int,
    everything: bool,
    timeout: float,
) -> tuple[dict[str, lib.Outcome], float]:
    """One tidbrun run over ``tests`` (``-j jobs``, its own embedded servers); (verdicts, wall)."""
    report = workdir / f"tidbrun-{int(mode.collation_disable)}.json"
    rejects = workdir / f"rejects-{int(mode.collation_disable)}"
    targets = ["t"] if everything else [f"t/{name}.test" for name in tests]
    argv = [
        tidbrun,
        "-j",
        str(jobs),
        "--force",
        "--no-password-prompt",
        "--server-binary",
        str(server),
        "--report-file",
        str(report),
        "--reject-dir",
        str(rejects),
        "--vardir",
        str(workdir / "tidbrun-var"),
        *(["--collation-disable"] if mode.collation_disable else []),
        *targets,
    ]
    began = time.perf_counter()
    log_path = workdir / f"tidbrun-{int(mode.collation_disable)}.log"
    with log_path.open("wb") as log, contextlib.suppress(subprocess.TimeoutExpired):
        subprocess.run(argv, cwd=suite, stdout=log, stderr=subprocess.STDOUT, timeout=timeout, check=False)
    wall = time.perf_counter() - began
    outcomes: dict[str, lib.Outcome] = {}
    if report.is_file():
        for entry in lib.parse_tidbrun_report(report.read_text(encoding="utf-8")).entries:
            name = test_name_of(entry.file, suite)
            if name is None:
                continue
            first = lib.first_difference_in_diff(entry.diff) if entry.diff else None
            outcomes[name] = lib.Outcome(entry.verdict, entry.seconds, lib.first_line(entry.message), first)
    for name in tests:
        outcomes.setdefault(name, lib.Outcome("not-run"))
    return outcomes, wall


def test_name_of(file: str, suite: Path) -> str | None:
    path = Path(file)
    path = path if path.is_absolute() else suite / path
    try:
        return str(path.resolve().relative_to((suite / "t").resolve()))[: -len(".test")]
    except ValueError:
        return None


# ------------------------------------------------------------------ the table


def read_reference_table(path: Path) -> dict[str, lib.Outcome]:
    return {
        name: lib.Outcome(record.reference, record.reference_seconds, record.reference_reason)
        for name, record in lib.read_records(path).items()
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="tools/conformance --tidb", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tidb", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("-j", "--jobs", type=int, default=1, help="tidbrun's -j (default 1)")
    parser.add_argument("--tests", help="comma-separated test names (executor/delete,...); default: all")
    parser.add_argument("--suite", type=Path, help="tests/integrationtest (default: the one `make tidb` built)")
    parser.add_argument("--server", type=Path, help="tidb-server (default: the one `make tidb` built)")
    parser.add_argument("--mysql-tester", type=Path, default=DEFAULT_MYSQL_TESTER, help="the reference binary")
    parser.add_argument("--reference-table", type=Path, help="reference verdicts of an earlier --out table")
    parser.add_argument("--tidbrun-only", action="store_true", help="do not run mysql-tester")
    parser.add_argument("--reference-only", action="store_true", help="do not run tidbrun")
    parser.add_argument(
        "--collation",
        choices=("both", "on", "off"),
        default="both",
        help="which of run-tests.sh's runs: new collations on, off, or both (default)",
    )
    parser.add_argument("--tidbrun", default=str(REPO / ".venv" / "bin" / "tidbrun"), help="the tidbrun to run")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds each side's run may take")
    parser.add_argument("--workdir", type=Path, help="keep logs, rejects and vardirs here")
    parser.add_argument("--out", type=Path, help="write the verdict table (TSV) here")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    server = args.server or binaries.cached_tidb_server()
    suite = args.suite or default_suite()
    if server is None or suite is None:
        print("conformance --tidb: no tidb-server: run `make tidb` (or give --server and --suite)", file=sys.stderr)
        return 2
    prepare_suite(suite)
    everything = args.tests is None
    tests = discover(suite) if everything else [t.strip().removesuffix(".test") for t in args.tests.split(",")]
    unknown = [t for t in tests if not (suite / "t" / f"{t}.test").is_file()]
    if unknown:
        print(f"conformance --tidb: no such test: {', '.join(unknown)}", file=sys.stderr)
        return 2
    run_reference_now = not args.tidbrun_only and args.reference_table is None
    if run_reference_now and not args.mysql_tester.is_file():
        print(
            f"conformance --tidb: no mysql-tester at {args.mysql_tester}: give --mysql-tester, "
            "--reference-table, or --tidbrun-only",
            file=sys.stderr,
        )
        return 2
    earlier = read_reference_table(args.reference_table) if args.reference_table else {}
    modes = [Mode(False), Mode(True)] if args.collation == "both" else [Mode(args.collation == "off")]
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="tidbrun-conformance-tidb-"))
    workdir.mkdir(parents=True, exist_ok=True)
    rows: list[lib.Row] = []
    walls: list[str] = []
    for mode in modes:
        names = tests_of_mode(tests, mode)
        if not names:
            continue
        if run_reference_now:
            reference, ref_wall = run_reference(
                args.mysql_tester, server, suite, mode, names, workdir, everything, args.timeout
            )
            walls.append(f"{mode.label}: mysql-tester {ref_wall:.1f} s for {len(names)} tests")
        else:
            reference = {n: earlier.get(mode.row_name(n), lib.Outcome("not-run")) for n in names}
        if args.reference_only:
            ours = {n: lib.Outcome("not-run") for n in names}
        else:
            ours, wall = run_tidbrun(
                args.tidbrun, server, suite, mode, names, workdir, args.jobs, everything, args.timeout
            )
            walls.append(f"{mode.label}: tidbrun -j {args.jobs} {wall:.1f} s for {len(names)} tests")
        rows += [lib.Row(mode.row_name(n), reference[n], ours[n]) for n in names]
    records = [row.record() for row in rows]
    if args.out is not None:
        lib.write_table(records, args.out)
    print(lib.format_summary(lib.summarize(records)))
    for line in walls:
        print(line)
    print(f"logs, rejects and vardirs: {workdir}")
    if args.workdir is None and not any(r.agree == "no" for r in records):
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if any(r.agree == "no" for r in records) else 0
