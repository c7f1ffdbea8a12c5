"""The expect-file protocol without a server: MTR's reading of the file, and the watcher's
decisions on a stand-in for the embedded server (a process that ends when told to)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from runner.engine.directives.server import _alive
from runner.errors import ServerUnavailable
from runner.server.expect import ExpectWatcher, Instruction, read_instruction


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("", Instruction("wait")),
        ("wait\n", Instruction("wait")),
        ("wait-maria_verify_recovery.inc\n", Instruction("wait")),
        ("restart\n", Instruction("restart")),
        ("restart", Instruction("restart")),
        ("wait\nrestart\n", Instruction("restart")),
        ("restart\nwait\n", Instruction("wait")),
        # a line that is neither (a half-written one, kill_and_restart's bare parameters): wait
        ("--innodb-page-size=8k\n", Instruction("wait")),
        ("restart:--max-connections=77 --skip-grant-tables\n",
         Instruction("restart", ("--max-connections=77", "--skip-grant-tables"))),
        ("restart: --a   --b\n", Instruction("restart", ("--a", "--b"))),
        # "restart:" with nothing after it is a plain restart; blanks after it are an empty set
        ("restart:\n", Instruction("restart")),
        ("restart: \n", Instruction("restart", ())),
        ("restart-maria_verify_recovery.inc\n", Instruction("restart")),
        # MTR's greedy \S+ takes the colon into the folder: the options never come through
        ("restart_bindir /opt/old: --x\n", Instruction("restart", None, "/opt/old:")),
        ("restart_bindir /opt/old\n", Instruction("restart", None, "/opt/old")),
        ("restart\r\n", Instruction("restart")),
    ],
)
def test_read_instruction_follows_mtr(text: str, wanted: Instruction) -> None:
    assert read_instruction(text) == wanted


class FakeServer:
    """What the watcher uses of EmbeddedServer, around a real child process."""

    def __init__(self, tmpdir: Path, options: Sequence[str] = ("--base",), fail_restart: bool = False) -> None:
        self.tmpdir = tmpdir
        self.options: tuple[str, ...] = tuple(options)
        self.lifecycle = threading.RLock()
        self.fail_restart = fail_restart
        self.restarted_with: list[tuple[str, ...]] = []
        self._proc: subprocess.Popen[bytes] | None = self._spawn()

    def _spawn(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])

    def kill(self) -> None:
        assert self._proc is not None
        self._proc.kill()
        self._proc.wait()

    def exited(self) -> bool:
        return self._proc is not None and self._proc.poll() is not None

    def is_alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def returncode(self) -> int | None:
        return self._proc.poll() if self._proc is not None else None

    def restart(self, options: Sequence[str] | None = None) -> None:
        with self.lifecycle:
            self.stop()
            if options is not None:
                self.options = tuple(options)
            self.restarted_with.append(self.options)
            if self.fail_restart:
                raise ServerUnavailable("server exited with code 7 while starting\nlog line")
            self._proc = self._spawn()

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        self._proc = None


@pytest.fixture
def server(tmp_path: Path) -> Iterator[FakeServer]:
    fake = FakeServer(tmp_path)
    yield fake
    fake.stop()


def watcher_on(server: FakeServer) -> ExpectWatcher:
    return ExpectWatcher(server, poll=0.01)  # type: ignore[arg-type]


def wait_for(condition: object, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_death_without_an_expect_file_is_a_crash(server: FakeServer) -> None:
    watcher = watcher_on(server)
    watcher.begin_test()
    server.kill()
    wait_for(lambda: watcher.death is not None)
    watcher.end_test()
    assert watcher.death is not None and watcher.death.why == "crash"
    assert watcher.death.returncode == -9
    assert server.restarted_with == [] and watcher.restarts == 0


def test_wait_then_restart_with_options(server: FakeServer) -> None:
    watcher = watcher_on(server)
    expect = server.tmpdir / "mysqld.1.expect"
    watcher.begin_test()
    expect.write_text("wait\n")
    server.kill()
    time.sleep(0.1)
    assert server.restarted_with == [] and not server.is_alive()  # waits for the test's word
    expect.write_text("restart: --extra=1\n")
    wait_for(server.is_alive)
    watcher.end_test()
    assert server.restarted_with == [("--base", "--extra=1")]
    assert not expect.exists()
    assert watcher.death is None and watcher.restarts == 1
    assert watcher.options_changed and watcher.base_options == ("--base",)


def test_a_second_restart_starts_from_the_tests_options(server: FakeServer) -> None:
    watcher = watcher_on(server)
    expect = server.tmpdir / "mysqld.1.expect"
    watcher.begin_test()
    for line in ("restart: --one\n", "restart: --two\n", "restart\n"):
        expect.write_text(line)
        server.kill()
        wait_for(lambda: not expect.exists() and server.is_alive())
    watcher.end_test()
    # MTR adds each restart's options to the test's own, never to an earlier restart's.
    assert server.restarted_with == [("--base", "--one"), ("--base", "--two"), ("--base",)]
    assert not watcher.options_changed  # a plain restart put the test's options back


def test_options_changed_forgets_a_server_restarted_by_someone_else(server: FakeServer) -> None:
    watcher = watcher_on(server)
    watcher.begin_test()
    (server.tmpdir / "mysqld.1.expect").write_text("restart: --x\n")
    server.kill()
    wait_for(lambda: watcher.restarts == 1)
    watcher.end_test()
    assert watcher.options_changed
    server.restart(["--next-test"])
    assert not watcher.options_changed


def test_a_server_left_waiting_at_the_end_of_the_test(server: FakeServer) -> None:
    watcher = watcher_on(server)
    watcher.begin_test()
    (server.tmpdir / "mysqld.1.expect").write_text("wait\n")
    server.kill()
    time.sleep(0.05)
    watcher.end_test()
    assert watcher.death is not None and watcher.death.why == "left stopped"
    assert "wait" in watcher.death.detail


def test_a_restart_that_fails_is_reported(tmp_path: Path) -> None:
    server = FakeServer(tmp_path, fail_restart=True)
    watcher = watcher_on(server)
    watcher.begin_test()
    (tmp_path / "mysqld.1.expect").write_text("restart: --bad-option\n")
    server.kill()
    wait_for(lambda: watcher.death is not None)
    watcher.end_test()
    assert watcher.death is not None and watcher.death.why == "restart failed"
    assert "exited with code 7" in watcher.death.detail


def test_a_stop_by_tidbrun_is_no_death(server: FakeServer) -> None:
    watcher = watcher_on(server)
    watcher.begin_test()
    server.restart()  # the runner restarting the server for the next test's options
    server.stop()
    time.sleep(0.05)
    watcher.end_test()
    assert watcher.death is None


def test_a_death_while_the_lifecycle_lock_is_held_is_left_to_its_holder(server: FakeServer) -> None:
    watcher = watcher_on(server)
    with server.lifecycle:
        watcher.begin_test()
        server.kill()
        time.sleep(0.05)
        assert watcher.death is None
        server.stop()
    watcher.end_test()
    assert watcher.death is None


def test_a_zombie_child_counts_as_gone() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 5
    while _alive(child.pid):  # ends, and stays a zombie until waited for
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert child.poll() == 0
    assert not _alive(child.pid)


class StoppedWhileStarting(FakeServer):
    """The test reconnects as soon as the new server listens and stops it again, with a new
    expect file, before the start is over: the start then fails with the server gone."""

    def __init__(self, tmpdir: Path) -> None:
        super().__init__(tmpdir)
        self.next_expect: str | None = None

    def restart(self, options: Sequence[str] | None = None) -> None:
        if self.next_expect is None:
            super().restart(options)
            return
        with self.lifecycle:
            self.stop()
            self.options = tuple(options or self.options)
            self.restarted_with.append(self.options)
            (self.tmpdir / "mysqld.1.expect").write_text(self.next_expect)
            self.next_expect = None
            raise ServerUnavailable("server exited with code 0 while starting")


def test_a_server_stopped_again_while_starting_is_no_failed_restart(tmp_path: Path) -> None:
    server = StoppedWhileStarting(tmp_path)
    deaths: list[object] = []
    watcher = ExpectWatcher(server, poll=0.01, on_death=deaths.append)  # type: ignore[arg-type]
    expect = tmp_path / "mysqld.1.expect"
    server.next_expect = "wait\n"
    watcher.begin_test()
    expect.write_text("restart: --one\n")
    server.kill()
    wait_for(lambda: len(server.restarted_with) == 1)
    time.sleep(0.05)
    assert watcher.death is None and not server.is_alive()  # waiting for the test's word again
    expect.write_text("restart: --two\n")
    wait_for(server.is_alive)
    watcher.end_test()
    assert server.restarted_with == [("--base", "--one"), ("--base", "--two")]
    assert watcher.death is None and deaths == [] and watcher.restarts == 2
    server.stop()


def test_the_death_is_told_at_once(server: FakeServer) -> None:
    told = threading.Event()
    watcher = ExpectWatcher(server, poll=0.01, on_death=lambda death: told.set())  # type: ignore[arg-type]
    watcher.begin_test()
    server.kill()
    assert told.wait(5)  # while the test still runs: the runner stops it
    watcher.end_test()
