"""Configuration as a user meets it: ``tidbrun config init`` writes a file a run then uses (found as
./tidbrun.toml, through TIDB_CONFIG, or in pyproject's [tool.tidbrun]); ``tidbrun config show``
names each value's source and never the password; a bad file is one ``file:line`` line (exit 2);
a plugin's option comes from the file; ``--log-format json`` writes JSON lines."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from runner.server.embedded import EmbeddedServer
from tests.conftest import REPO, CliRun, tidbrun_command, write
from tests.e2e.faults_helpers import environment

pytestmark = pytest.mark.e2e

EXAMPLE = REPO / "examples" / "tidbrun_example_plugin.py"


def tidbrun(*args: str | Path, cwd: Path, **env: str) -> CliRun:
    proc = subprocess.run([*tidbrun_command(), *map(str, args)], cwd=cwd, env=environment(**env),
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=120, check=False)
    return CliRun(proc.returncode, proc.stdout.decode("latin-1"), proc.stderr.decode("latin-1"))


def server_options(server: EmbeddedServer) -> list[str]:
    address = server.address
    return ["--socket", str(address.socket), "--port", str(address.port), "--user", address.user]


def greeting_test(folder: Path, expected: str) -> Path:
    write(folder / "r" / "greet.result", f"{expected}\n")
    return write(folder / "t" / "greet.test", "--echo $greeting\n")


def origins(show: CliRun) -> dict[str, str]:
    """``config show --json``: option → where its value came from."""
    document = json.loads(show.stdout)
    return {name: entry["from"] for name, entry in document["options"].items()}


def test_init_writes_a_file_the_run_then_uses(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    init = tidbrun("config", "init", *server_options(embedded_server), "--var", "greeting=from-file", "-j", "1",
                   cwd=tmp_path)
    assert init.returncode == 0, init.output
    text = (tmp_path / "tidbrun.toml").read_text()
    assert "# Seconds a statement may run" in text and 'greeting = "from-file"' in text
    test = greeting_test(tmp_path, "from-file")
    run = tidbrun(test, cwd=tmp_path)  # no server option: the file's
    assert run.returncode == 0, run.output
    # the command line over the file
    greeting_test(tmp_path, "from-cli")
    assert tidbrun(test, "--var", "greeting=from-cli", cwd=tmp_path).returncode == 0
    again = tidbrun("config", "init", cwd=tmp_path)
    assert again.returncode == 2 and "exists (--force overwrites it)" in again.stderr


def test_show_names_every_source(tmp_path: Path) -> None:
    write(tmp_path / "tidbrun.toml", '[server]\nhost = "db.example"\nport = 4000\n[test]\nforce = true\n')
    show = tidbrun("config", "show", "--json", "--user", "cli-user", cwd=tmp_path, TIDB_PORT="4100")
    assert show.returncode == 0, show.output
    came = origins(show)
    assert came["host"] == f"file {tmp_path / 'tidbrun.toml'}:2"
    assert came["port"] == "env TIDB_PORT" and came["user"] == "cli --user" and came["jobs"] == "default"
    assert came["force"] == f"file {tmp_path / 'tidbrun.toml'}:5"
    text = tidbrun("config", "show", cwd=tmp_path, TIDB_PORT="4100")
    assert any(line.split()[:3] == ["port", "4100", "env"] for line in text.stdout.splitlines()), text.stdout


def test_show_never_prints_the_password(tmp_path: Path) -> None:
    for args, env, source in (
        (["--password", "Cli-Harpsichord"], {}, "cli --password"),
        ([], {"TIDB_PASSWORD": "Env-Harpsichord"}, "env TIDB_PASSWORD"),
    ):
        for fmt in ([], ["--json"]):
            show = tidbrun("config", "show", *fmt, *args, cwd=tmp_path, **env)
            assert show.returncode == 0, show.output
            assert "Harpsichord" not in show.output
            assert f"set (from {source})" in show.stdout


def test_json_file_through_tidb_config_and_pyproject(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    address = embedded_server.address
    server = {"socket": str(address.socket), "port": address.port, "user": address.user}
    config = write(tmp_path / "ci.json", json.dumps({"server": server, "test": {"var": {"greeting": "json"}}}))
    test = greeting_test(tmp_path, "json")
    assert tidbrun(test, cwd=tmp_path, TIDB_CONFIG=str(config)).returncode == 0
    assert tidbrun(test, "--config", config, cwd=tmp_path).returncode == 0
    project = tmp_path / "project"
    write(project / "pyproject.toml",
          '[project]\nname = "x"\n\n[tool.tidbrun.server]\n'
          f'socket = "{address.socket}"\nport = {address.port}\nuser = "{address.user}"\n\n'
          '[tool.tidbrun.test]\nvar = { greeting = "pyproject" }\n')
    test = greeting_test(project, "pyproject")
    run = tidbrun(test, cwd=project)
    assert run.returncode == 0, run.output


@pytest.mark.parametrize(("name", "text", "message"), [
    ("tidbrun.toml", "[test]\nforse = true\n",
     "tidbrun.toml:2: unknown key 'forse' in [test] (did you mean [test] force?)"),
    ("tidbrun.toml", "[server]\nport = 'x'\n", "tidbrun.toml:2: [server] port must be a port number (1-65535)"),
    ("pyproject.toml", "[tool.tidbrun.server]\nhots = 'a'\n",
     "pyproject.toml:2: unknown key 'hots' in [server] (did you mean [server] host?)"),
])
def test_a_bad_file_is_one_line_and_exit_2(tmp_path: Path, name: str, text: str, message: str) -> None:
    write(tmp_path / name, text)
    test = write(tmp_path / "t" / "x.test", "select 1;\n")
    for args in ([test], ["config", "show"], ["check"]):
        run = tidbrun(*args, cwd=tmp_path)
        assert run.returncode == 2, run.output
        assert message in run.output and "Traceback" not in run.output


def test_a_plugin_option_from_the_file(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    write(tmp_path / "tidbrun.toml", f'[test]\nplugin = ["{EXAMPLE}"]\n\n[example]\nvariable = "MINE"\n')
    came = origins(tidbrun("config", "show", "--json", cwd=tmp_path))
    assert came["example_variable"] == f"file {tmp_path / 'tidbrun.toml'}:5"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    init = tidbrun("config", "init", "-o", "-", "--plugin", str(EXAMPLE), cwd=elsewhere)
    assert "[example]" in init.stdout and "TIDB_EXAMPLE_VARIABLE" in init.stdout
    write(tmp_path / "r" / "v.result", "set by the plugin\n")
    test = write(tmp_path / "t" / "v.test", 'if ($MINE)\n{\n  --echo set by the plugin\n}\n')
    run = tidbrun(test, *server_options(embedded_server), cwd=tmp_path)
    assert run.returncode == 0, run.output
    unset = tidbrun(test, *server_options(embedded_server), cwd=tmp_path, TIDB_EXAMPLE_VARIABLE="OTHER")
    assert unset.returncode == 1, unset.output  # the variable set is OTHER now: $MINE is empty


def test_log_format_json(tmp_path: Path, embedded_server: EmbeddedServer) -> None:
    test = write(tmp_path / "t" / "x.test", "select 1 as x;\n")
    write(tmp_path / "r" / "x.result", "select 1 as x;\nx\n1\n")
    log = tmp_path / "run.log"
    run = tidbrun(test, *server_options(embedded_server), "--log-file", log, "--log-format", "json",
                  "--log-level", "info", cwd=tmp_path)
    assert run.returncode == 0, run.output
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert records and all({"time", "level", "logger", "message"} <= set(record) for record in records)
    assert {record["level"] for record in records} <= {"INFO", "WARNING", "ERROR", "CRITICAL"}
