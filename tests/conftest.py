"""Shared helpers: running the ``tidbrun`` command and the reference ``mariadb-test`` binary."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from runner.server.embedded import EmbeddedServer
from runner.sessions.driver import ConnectParams, connect

# The e2e tests run tidbrun against the same kind of private server as the integration tests.
# pytest keeps one instance per place a fixture is defined, so a run of both folders starts
# at most two servers.
from tests.integration.conftest import embedded_server, private_server  # noqa: F401

REPO = Path(__file__).resolve().parents[1]
# Not passed on to the tidbrun a test runs: the server settings, and GitHub's (run on GitHub Actions,
# a test's expected failures would become annotations of the real job).
SCRUBBED_ENV = ("TIDB_", "GITHUB_", "MYSQL_PWD", "NO_COLOR")


def tidbrun_command() -> list[str]:
    """The installed console script of this interpreter, else the same entry point via ``-c``."""
    script = Path(sys.executable).parent / "tidbrun"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "import sys; sys.argv[0] = 'tidbrun'; from runner.cli.app import main; main()"]


def reference_binary() -> str | None:
    return shutil.which("mariadb-test") or shutil.which("mysqltest")


@dataclass(frozen=True)
class CliRun:
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def lines(self) -> list[str]:
        """Every line of stdout and stderr, stripped of surrounding blanks."""
        return [line.strip() for line in self.output.splitlines()]


def run_tidbrun(
    *args: str | Path, cwd: Path | None = None, timeout: float = 120, env_extra: dict[str, str] | None = None
) -> CliRun:
    env = {k: v for k, v in os.environ.items() if not k.startswith(SCRUBBED_ENV) and k != "TIDBRUN_DEBUG"}
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(env_extra or {})
    proc = subprocess.run(
        [*tidbrun_command(), *map(str, args)],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    return CliRun(proc.returncode, proc.stdout.decode("latin-1"), proc.stderr.decode("latin-1"))


def server_args(server: EmbeddedServer) -> list[str]:
    """The options that point the CLI at a running server (never its password)."""
    address = server.address
    return ["--socket", str(address.socket), "--port", str(address.port), "--user", address.user]


def write(path: Path, text: str) -> Path:
    """A test input file, bytes as written (latin-1 keeps each character one byte)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("latin-1"))
    return path


@contextmanager
def account_with_password(server: EmbeddedServer, user: str, password: str, grant: str | None) -> Iterator[None]:
    """``user`` with ``password`` on the server (over TCP and the socket), with ``grant`` when named
    (``GRANT ALL ON test.* TO {account}``); dropped afterwards."""
    address = server.address
    admin = connect(ConnectParams(host="localhost", user="root", socket=address.socket, port=address.port))
    try:
        for host in ("localhost", "127.0.0.1"):
            statements = [f"CREATE USER '{user}'@'{host}' IDENTIFIED BY '{password}'"]
            if grant is not None:
                statements.append(grant.format(account=f"'{user}'@'{host}'"))
            for sql in statements:
                outcome = admin.execute(sql)
                assert outcome.error is None, outcome.error
        yield
    finally:
        for host in ("localhost", "127.0.0.1"):
            admin.execute(f"DROP USER IF EXISTS '{user}'@'{host}'")
        admin.close()
