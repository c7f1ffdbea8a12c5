"""The servers a test's config template runs beside mysqld.1, kept as mysql-test-run.pl keeps them.

A replication test's template (``suite/rpl/my.cnf``, through ``rpl_1slave_base.cnf``) defines
``[mysqld.2]``; MTR starts every ``[mysqld.N]`` of the template, each from fresh data, with a
my.cnf that has a group per server, and exports the template's ``[ENV]`` (``SLAVE_MYPORT``...). A
server whose group says ``#!use-slave-opt`` gets the test's slave options (``-slave.opt``
files, combinations), the others the master's; ``--loose-skip-log-bin`` is dropped for a server
whose group has ``log-slave-updates`` (``mysqld_arguments``). When the next test's template has
no such server, MTR stops them.

During a test each companion is watched for the expect-file protocol (``tmp/mysqld.N.expect``,
``include/rpl_stop_server.inc``): a stop the test announced is followed by the restart it asks for;
a death nobody announced fails the test. After a passing test each is compared with its state at
start (``mtr.check_testcase()``, as MTR checks every server): a change means a fresh start.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from runner.server import cnf_template, hygiene, mycnf
from runner.server.address import consecutive_ports
from runner.server.expect import ExpectWatcher
from runner.server.start_scripts import run_script

if TYPE_CHECKING:
    from runner.server.embedded import EmbeddedServer

log = logging.getLogger("tidbrun.server")


class _Watcher(ExpectWatcher):
    """The expect-file protocol for a server not named mysqld.1."""

    @property
    def expect_file(self) -> Path:
        return self.server.tmpdir / f"{self.server.name}.expect"


class Companions:
    """mysqld.2 and further servers of the current test's template, beside ``lead`` (mysqld.1)."""

    def __init__(self, lead: EmbeddedServer, *, check_testcase: bool = True) -> None:
        self.lead = lead
        self.check_testcase = check_testcase
        self._servers: dict[str, EmbeddedServer] = {}  # kept across tests: ports stay the same
        self._running: list[EmbeddedServer] = []
        self._started_with: dict[str, tuple[str, ...]] = {}
        self._watchers: dict[str, _Watcher] = {}
        self._baselines: dict[str, str] = {}

    @property
    def running(self) -> tuple[EmbeddedServer, ...]:
        return tuple(self._running)

    def wanted(self, template: Path | None) -> tuple[str, ...]:
        """The servers beside mysqld.1 that ``template`` defines."""
        return cnf_template.extra_servers(template, self.lead.mysql_test_dir)

    def as_started(self) -> bool:
        """Every companion still runs, with the options it was started with for its test."""
        return all(server.is_alive() and server.options == self._started_with.get(server.name)
                   for server in self._running)

    def stop(self) -> None:
        """Stop every companion; mysqld.1's my.cnf goes back to one server at its next start."""
        self.end_test()
        for server in reversed(self._running):
            server.stop()
        self._running = []
        self._started_with.clear()
        self._baselines.clear()
        self.lead.share_config(None)

    def configure(self, template: Path | None) -> None:
        """Before mysqld.1 starts for a test with ``template``: my.cnf is built from it (a test's
        own ``.cnf`` too, when it defines no other server: its ``[server]`` and ``[mysqld.1]``
        options reach the server from that file, as under MTR) with a group for each of the
        template's servers, their ports chosen now."""
        self.stop()
        names = self.wanted(template)
        servers = [self._server(name) for name in names]
        first = consecutive_ports(1 + len(servers), self.lead.reserve_port())
        self.lead.use_port(first)
        for number, server in enumerate(servers, start=1):
            server.use_port(first + number)
        self.lead.share_config(template, servers)
        self._running = servers

    def start(self, template: Path | None, master_options: tuple[str, ...], slave_options: tuple[str, ...],
              slave_script: Path | None = None) -> None:
        """Start the companions ``configure`` chose, each from fresh data, after mysqld.1; a
        ``#!run-slave-sh`` server after the test's ``slave_script``."""
        if not self._running:
            return
        groups = cnf_template.read_template(template, self.lead.mysql_test_dir) if template is not None else []
        for server in self._running:
            group = mycnf.group_options(groups, server.name)
            if slave_script is not None and cnf_template.has_option(group, "#!run-slave-sh"):
                run_script(slave_script, server.vardir)
            options = _options_for(group, master_options, slave_options)
            log.info("starting %s from fresh data", server.name)
            server.restart(options, fresh=True)
            self._started_with[server.name] = server.options
            if self.check_testcase:
                self._baselines[server.name] = self._state(server)

    # -- around a test ------------------------------------------------------------------------------

    def mark(self, test_name: str) -> None:
        """``CURRENT_TEST: <suite>.<test>`` in each companion's error log, as MTR marks every
        server's: ``search_pattern_in_file.inc`` reads a log from its last mark, so a message an
        earlier test caused on mysqld.2 is not counted again."""
        for server in self._running:
            server.mark_test_start(test_name)

    def begin_test(self) -> None:
        """Watch each companion for the expect-file protocol while the test runs."""
        self.end_test()
        for server in self._running:
            watcher = self._watchers.get(server.name)
            if watcher is None or watcher.server is not server:
                watcher = self._watchers[server.name] = _Watcher(server)
            watcher.begin_test()

    def end_test(self) -> str | None:
        """Stop watching; what went wrong with a companion during the test, if anything."""
        problems: list[str] = []
        for server in self._running:
            watcher = self._watchers.get(server.name)
            if watcher is None:
                continue
            watcher.end_test()
            if watcher.death is not None:
                problems.append(f"{server.name}: {watcher.death.describe()}")
                watcher.death = None
            elif not server.is_alive():
                problems.append(f"{server.name} is not running")
        return "; ".join(problems) or None

    def changes(self) -> list[tuple[str, str, str]]:
        """(server, state at start, state now) for each companion whose ``mtr.check_testcase()``
        differs from what it was when it started."""
        if not self.check_testcase:
            return []
        changed: list[tuple[str, str, str]] = []
        for server in self._running:
            before = self._baselines.get(server.name)
            if before is None:
                continue
            now = self._state(server)
            if now != before:
                changed.append((server.name, before, now))
        return changed

    def environment(self) -> dict[str, str]:
        """The template's ``[ENV]`` (``SLAVE_MYPORT``...) while companions run; else {}."""
        return self.lead.config_environment() if self._running else {}

    def _server(self, name: str) -> EmbeddedServer:
        server = self._servers.get(name)
        if server is None:
            server = self._servers[name] = self.lead.companion(name)
        return server

    def _state(self, server: EmbeddedServer) -> str:
        try:
            return hygiene.check_testcase(server.address)
        except Exception as exc:  # no mtr database: nothing to compare
            log.info("mtr.check_testcase() not available on %s: %s", server.name, exc)
            self.check_testcase = False
            return ""


def _options_for(group: list[str], master: tuple[str, ...], slave: tuple[str, ...]) -> tuple[str, ...]:
    """MTR's ``get_extra_opts`` and the part of ``mysqld_arguments`` that depends on the group."""
    options = slave if cnf_template.has_option(group, "#!use-slave-opt") else master
    if cnf_template.has_option(group, "log-slave-updates"):
        options = tuple(opt for opt in options if opt != "--loose-skip-log-bin")
    return options
