"""Generate runner/dialects/mysql_tester/error_names.py: the error names mysql-tester's ``--error`` knows.

mysql-tester resolves a name with its own table ``MysqlErrNameToNum`` (``src/perror.go`` of
pingcap/mysql-tester, Apache-2.0, itself generated from MySQL's and TiDB's error lists): MySQL's
numbering, both ``ER_NO_SUCH_TABLE`` and TiDB's ``ErrNoSuchTable`` spellings. MariaDB's numbers
(runner/language/error_names.py) differ from MySQL's above ~1700, so the dialect needs this table.

Usage: python tools/gen_tester_error_names.py [--perror src/perror.go | --repo <mysql-tester git dir>
[--commit f2d90ea]] [--output runner/dialects/mysql_tester/error_names.py]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

DEFAULT_REPO = Path("/work/.mirror/pingcap+mysql-tester/repo")
DEFAULT_COMMIT = "f2d90ea9522d30c9a8e8d70cc31c7f016ca2801f"
DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "runner" / "language" / "tester_error_names.py"

_ENTRY = re.compile(r'^\s*"([^"]+)"\s*:\s*(\d+),\s*$')


def parse_perror(text: str) -> dict[str, int]:
    """The ``"name": number,`` entries of the ``MysqlErrNameToNum`` map literal, in file order."""
    start = text.find("MysqlErrNameToNum")
    if start < 0:
        raise ValueError("no MysqlErrNameToNum map in the input")
    names: dict[str, int] = {}
    for line in text[start:].splitlines()[1:]:
        if line.strip() == "}":
            break
        match = _ENTRY.match(line)
        if match is None:
            raise ValueError(f"unexpected line in MysqlErrNameToNum: {line!r}")
        names[match.group(1)] = int(match.group(2))
    return names


def render(names: dict[str, int], source: str) -> str:
    lines = [
        "# Generated file, do not edit. Regenerate with: python tools/gen_tester_error_names.py",
        f"# Source: {source} (pingcap/mysql-tester, Apache-2.0).",
        '"""Error names mysql-tester\'s ``--error`` accepts (its ``MysqlErrNameToNum``), mapped to numbers."""',
        "",
        "TESTER_ERROR_NAMES: dict[str, int] = {",
    ]
    lines.extend(f"    {name!r}: {number}," for name, number in names.items())
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--perror", type=Path, help="a copy of src/perror.go")
    parser.add_argument("--repo", type=Path, default=DEFAULT_REPO, help="a mysql-tester git directory")
    parser.add_argument("--commit", default=DEFAULT_COMMIT)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    if args.perror is not None:
        text = args.perror.read_text(encoding="utf-8")
        source = str(args.perror)
    else:
        text = subprocess.run(
            ["git", "--git-dir", str(args.repo), "show", f"{args.commit}:src/perror.go"],
            check=True, capture_output=True, text=True,
        ).stdout
        source = f"src/perror.go at {args.commit}"
    names = parse_perror(text)
    args.output.write_text(render(names, source), encoding="utf-8")
    print(f"{len(names)} names written to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
