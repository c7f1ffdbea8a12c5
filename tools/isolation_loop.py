#!/usr/bin/env python3
"""Run the isolation suite many times in a row and report flaky results and run times.

    tools/isolation_loop.py                      # 50 runs of the isolation tests, embedded server
    tools/isolation_loop.py --runs 10 -- --var rows=1000

Each run is the ``tidbrun`` command as a user types it (its own throwaway server), comparing
with the committed results. Any run that does not pass is a flaky result: the loop goes on and
the failures are listed at the end; the exit code is 1 when there was one.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ["suite/t/isolation.test", "suite/t/isolation_locking.test", "suite/t/blocking.test"]
_LINE = re.compile(r"^(\S+)\s+\[ (\w[\w ]*) \]\s+(\d+) ms", re.MULTILINE)


def tidbrun() -> list[str]:
    script = Path(sys.executable).parent / "tidbrun"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "import sys; sys.argv[0] = 'tidbrun'; from runner.cli.app import main; main()"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--tests", nargs="+", default=TESTS, help="test files (default: the isolation suite)")
    parser.add_argument("extra", nargs="*", help="more tidbrun options, after --")
    args = parser.parse_args(argv)
    per_test: dict[str, list[int]] = {}
    walls: list[float] = []
    failures: list[str] = []
    started = time.perf_counter()
    for run in range(1, args.runs + 1):
        begun = time.perf_counter()
        proc = subprocess.run(
            [*tidbrun(), "--force", *args.tests, *args.extra],
            cwd=ROOT, capture_output=True, text=True, errors="replace", check=False,
        )
        wall = time.perf_counter() - begun
        walls.append(wall)
        lines = _LINE.findall(proc.stdout)
        for name, status, ms in lines:
            per_test.setdefault(name, []).append(int(ms))
            if status != "pass":
                failures.append(f"run {run}: {name} {status}")
        if proc.returncode != 0 or len(lines) != len(args.tests):
            failures.append(f"run {run}: exit code {proc.returncode}\n{proc.stdout}{proc.stderr}")
        state = "ok" if proc.returncode == 0 else "FAILED"
        print(f"run {run:3}/{args.runs}: {state} in {wall:5.2f} s", flush=True)
    total = time.perf_counter() - started
    print(f"\n{args.runs - len({f.split(':')[0] for f in failures})}/{args.runs} runs passed, "
          f"{len(failures)} flaky result(s); {total:.1f} s in all")
    print(f"one run (tidbrun with its own server): median {statistics.median(walls):.2f} s, "
          f"min {min(walls):.2f} s, max {max(walls):.2f} s")
    for name, times in sorted(per_test.items()):
        print(f"  {name:<20} median {statistics.median(times):6.0f} ms, min {min(times):6d} ms, "
              f"max {max(times):6d} ms ({len(times)} runs)")
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
