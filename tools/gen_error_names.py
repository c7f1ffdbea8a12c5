"""Generate runner/language/error_names.py: the error names `--error` accepts, mapped to numbers.

Sources, all from the MariaDB installed on the machine:

* ``mysqld_error.h`` (libmariadb-dev): server errors ``ER_*`` and ``WARN_*``.  The
  ``ER_ERROR_FIRST`` / ``ER_ERROR_LAST`` / ``ER_ERROR_{FIRST,LAST}_SECTION_<n>`` macros are range
  markers, not errors (mysqltest rejects them), so they are dropped.
* ``errmsg.h`` (libmariadb-dev): client errors ``CR_*``, minus the ``CR_MIN_ERROR`` /
  ``CR_MAX_ERROR`` range bounds; aliases such as ``CR_MYSQL_LAST_ERROR`` have no numeric value
  and are skipped by the parser.
* ``server/handler_ername.h`` (libmariadbd-dev): the ``HA_ERR_*`` names mysqltest knows.  Their
  numbers live in ``my_base.h``, which no Debian package ships, so they are asked of the
  reference binary itself: ``--error HA_ERR_X`` before a statement that fails with errno 1 makes
  mysqltest die with "... instead of HA_ERR_X (<n>)".  This needs a running server
  (``--probe-socket``); the same run then also checks every server name against the reference.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

DEFAULT_INCLUDE_DIR = Path("/usr/include/mariadb")
DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "runner" / "language" / "error_names.py"
DEFAULT_MYSQLTEST = "mariadb-test"

_DEFINE_RE = re.compile(r"^\s*#\s*define\s+([A-Z][A-Z0-9_]*)\s+(\d+)\b")
_SERVER_MARKER_RE = re.compile(r"^ER_ERROR_(?:FIRST|LAST)(?:_SECTION_\d+)?$")
_CLIENT_BOUNDS = frozenset({"CR_MIN_ERROR", "CR_MAX_ERROR"})
_HANDLER_NAME_RE = re.compile(r'^\s*\{\s*"([A-Z][A-Z0-9_]*)"\s*,')
_PROBE_ANSWER_RE = re.compile(r"instead of ([A-Z][A-Z0-9_]*) \((\d+)\)")
_VERSION_RE = re.compile(r'^\s*#\s*define\s+MYSQL_SERVER_VERSION\s+"([^"]+)"', re.MULTILINE)


@dataclass(frozen=True)
class ErrorName:
    name: str
    number: int
    source: str


def parse_defines(text: str, prefixes: tuple[str, ...]) -> list[tuple[str, int]]:
    """`#define NAME <decimal>` lines whose NAME starts with one of `prefixes`, in file order."""
    found: list[tuple[str, int]] = []
    for line in text.splitlines():
        match = _DEFINE_RE.match(line)
        if match and match.group(1).startswith(prefixes):
            found.append((match.group(1), int(match.group(2))))
    return found


def server_errors(text: str) -> list[ErrorName]:
    return [
        ErrorName(name, number, "mysqld_error.h")
        for name, number in parse_defines(text, ("ER_", "WARN_"))
        if not _SERVER_MARKER_RE.match(name)
    ]


def client_errors(text: str) -> list[ErrorName]:
    return [
        ErrorName(name, number, "errmsg.h")
        for name, number in parse_defines(text, ("CR_",))
        if name not in _CLIENT_BOUNDS
    ]


def handler_error_names(text: str) -> list[str]:
    names: list[str] = []
    for line in text.splitlines():
        match = _HANDLER_NAME_RE.match(line)
        if match:
            names.append(match.group(1))
    return names


@dataclass(frozen=True)
class Probe:
    """How to run the reference mysqltest against a scratch server."""

    mysqltest: str
    socket: str
    user: str

    def run(self, script: str) -> subprocess.CompletedProcess[str]:
        with tempfile.TemporaryDirectory(prefix="gen_error_names.") as tmp:
            test_file = Path(tmp) / "probe.test"
            test_file.write_text(script, encoding="utf-8")
            return subprocess.run(
                [
                    self.mysqltest,
                    "--no-defaults",
                    "--host=localhost",
                    f"--socket={self.socket}",
                    f"--user={self.user}",
                    "--silent",
                    f"--tmpdir={tmp}",
                    f"--logdir={tmp}",
                    f"--test-file={test_file}",
                ],
                cwd=tmp,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )


def _signal_step(name: str, number: int) -> str:
    # SIGNAL raises any errno without needing tables, so one statement tests one name.
    return f"--error {name}\nsignal sqlstate '45000' set mysql_errno = {number};\n"


def probe_handler_number(probe: Probe, name: str) -> int:
    # errno 1 is no handler error, so mysqltest always reports the number it expected instead.
    result = probe.run(_signal_step(name, 1))
    match = _PROBE_ANSWER_RE.search(result.stderr + result.stdout)
    if result.returncode == 0 or not match or match.group(1) != name:
        raise RuntimeError(f"could not read the number of {name} from mysqltest: {result.stderr.strip()}")
    return int(match.group(2))


def verify_with_reference(probe: Probe, names: Iterable[ErrorName]) -> None:
    """Die unless the reference accepts every name with exactly our number."""
    script = "".join(_signal_step(entry.name, entry.number) for entry in names)
    result = probe.run(script)
    if result.returncode != 0:
        raise RuntimeError(f"the reference disagrees: {(result.stderr or result.stdout).strip()}")


def collect(include_dir: Path, probe: Probe | None) -> list[ErrorName]:
    server = server_errors((include_dir / "mysqld_error.h").read_text(encoding="utf-8"))
    client = client_errors((include_dir / "errmsg.h").read_text(encoding="utf-8"))
    if not server or not client:
        raise RuntimeError(f"no error macros found under {include_dir}")
    handler: list[ErrorName] = []
    handler_header = include_dir / "server" / "handler_ername.h"
    if probe is not None:
        if not handler_header.is_file():
            raise RuntimeError(f"{handler_header} is missing (apt-get install libmariadbd-dev)")
        handler = [
            ErrorName(name, probe_handler_number(probe, name), "handler_ername.h + mysqltest")
            for name in handler_error_names(handler_header.read_text(encoding="utf-8"))
        ]
        # CR_ names are not checked: the reference refuses them (see the report in render()).
        verify_with_reference(probe, server + handler)
    entries = server + client + handler
    seen: dict[str, ErrorName] = {}
    for entry in entries:
        previous = seen.setdefault(entry.name, entry)
        if previous.number != entry.number:
            raise RuntimeError(f"{entry.name} is both {previous.number} and {entry.number}")
    return sorted(seen.values(), key=lambda entry: (entry.number, entry.name))


def server_version(include_dir: Path) -> str:
    header = include_dir / "mariadb_version.h"
    match = _VERSION_RE.search(header.read_text(encoding="utf-8")) if header.is_file() else None
    return match.group(1) if match else "unknown"


def render(entries: Sequence[ErrorName], command: str, version: str) -> str:
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry.source] = counts.get(entry.source, 0) + 1
    summary = ", ".join(f"{source}: {count}" for source, count in sorted(counts.items()))
    lines = [
        "# Generated file, do not edit. Regenerate with:",
        f"#   {command}",
        f"# Source: MariaDB {version} headers.",
        f"# Names per source: {summary}.",
        "# Names whose numbers came from mysqltest were checked against the reference binary.",
        "# Note: the reference mysqltest accepts names starting with E, W or H only; it rejects CR_ names",
        "# ('the errno may only consist of digits'), which are listed here for completeness.",
        '"""Error names usable in `--error`, mapped to their numbers (sorted by number)."""',
        "",
        "ERROR_NAMES: dict[str, int] = {",
    ]
    lines.extend(f'    "{entry.name}": {entry.number},' for entry in entries)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--include-dir", type=Path, default=DEFAULT_INCLUDE_DIR)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--probe-socket",
        help="socket of a running MariaDB server; enables HA_ERR_* names and checks all server names",
    )
    parser.add_argument("--probe-user", default="root")
    parser.add_argument("--mysqltest", default=DEFAULT_MYSQLTEST)
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if --output differs from what would be written"
    )
    return parser.parse_args(argv)


def _command_line(args: argparse.Namespace) -> str:
    # Only the options that change the content belong in the recorded command.
    parts = ["python", "tools/gen_error_names.py"]
    if args.include_dir != DEFAULT_INCLUDE_DIR:
        parts.append(f"--include-dir {args.include_dir}")
    if args.probe_socket:
        parts.append(f"--probe-socket {args.probe_socket}")
    return " ".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(argv)
    probe = Probe(args.mysqltest, args.probe_socket, args.probe_user) if args.probe_socket else None
    entries = collect(args.include_dir, probe)
    text = render(entries, _command_line(args), server_version(args.include_dir))
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.is_file() else ""
        if current != text:
            print(f"{args.output} is out of date", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {len(entries)} names to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
