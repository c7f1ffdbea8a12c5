"""A fault proxy: a relay on this machine between clients and the server that can cut or slow the link.

It listens where the clients connect — a TCP port on 127.0.0.1, or a unix socket when the clients
used the server's socket (the server then sees them as it would without the proxy: ``localhost``
stays ``localhost``) — and opens a connection to the server for each client it accepts, so a
client's reconnect goes through it too. Only servers on this machine are relayed to.

- **cut**: every relayed connection is closed on both sides at once (the client's next read ends:
  2013 "Lost connection", or 2006 when it writes first; the server ends the session and rolls back
  what was not committed), and new clients are refused — accepted and closed at once — until healed.
- **delay**: each chunk the server sends is held for the delay before it reaches the client, so
  every answer (a statement's, the handshake's) arrives that much later. It is latency, not a
  bandwidth limit: chunks in flight are not queued behind each other's delays.
- **heal**: a plain relay again (chunks already held keep their time).

Every proxy of the process runs on one event loop, on a daemon thread started on first use; the
methods here are called from any other thread and return once the loop has done what they ask.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import shutil
import tempfile
import threading
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
CHUNK = 64 * 1024
CONNECT_TIMEOUT = 10.0  # to the server, for each client accepted
CONTROL_TIMEOUT = 10.0  # for the loop to carry out cut, delay, heal, start or close
MAX_DELAY_SECONDS = 60.0


class ProxyError(Exception):
    """The proxy cannot be set up as asked (a server not on this machine, no port)."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where to connect: a unix socket (``socket``) or a TCP ``host``/``port``."""

    host: str = "127.0.0.1"
    port: int = 0
    socket: str | None = None

    def describe(self) -> str:
        return self.socket if self.socket else f"{self.host}:{self.port}"


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Loop:
    """The event loop every proxy of this process runs on (one per process: a worker forked by
    ``-j`` starts its own, the parent's thread is not in it)."""

    _lock = threading.Lock()
    _loop: asyncio.AbstractEventLoop | None = None
    _pid = 0

    @classmethod
    def get(cls) -> asyncio.AbstractEventLoop:
        with cls._lock:
            if cls._loop is None or cls._pid != os.getpid() or cls._loop.is_closed():
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="tidbrun-fault-proxy", daemon=True)
                thread.start()
                cls._loop, cls._pid = loop, os.getpid()
            return cls._loop

    @classmethod
    def run(cls, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, cls.get()).result(CONTROL_TIMEOUT)


class _Link:
    """One client and the server connection opened for it."""

    __slots__ = ("client", "server")

    def __init__(self, client: asyncio.StreamWriter, server: asyncio.StreamWriter) -> None:
        self.client = client
        self.server = server

    def abort(self) -> None:
        for writer in (self.client, self.server):
            writer.transport.abort()


class FaultProxy:
    """A relay from ``endpoint`` (made by ``start``) to ``target``."""

    def __init__(self, target: Endpoint) -> None:
        if target.socket is None and not is_loopback(target.host):
            raise ProxyError(
                f"the fault proxy relays only to a server on this machine, not to {target.describe()}"
            )
        self.target = target
        self.endpoint: Endpoint | None = None
        self._server: asyncio.Server | None = None
        self._socket_dir: Path | None = None
        self._links: set[_Link] = set()
        self._delay = 0.0
        self._cut = False
        self.accepted = 0  # clients relayed
        self.refused = 0  # clients turned away while cut
        self.cut_links = 0  # relayed connections a cut closed

    # -- control, from any thread ----------------------------------------------------------------

    def start(self) -> Endpoint:
        """Listen (a TCP port of 127.0.0.1, or a unix socket when the target is one); where to."""
        if self.endpoint is None:
            try:
                self.endpoint = _Loop.run(self._listen())
            except OSError as exc:
                raise ProxyError(f"the fault proxy cannot listen: {exc.strerror or exc}") from None
        return self.endpoint

    @property
    def is_cut(self) -> bool:
        return self._cut

    @property
    def delay(self) -> float:
        return self._delay

    def cut(self) -> int:
        """Close every relayed connection and refuse new ones; how many were closed."""
        return _Loop.run(self._cut_now())

    def set_delay(self, seconds: float) -> None:
        if not 0 <= seconds <= MAX_DELAY_SECONDS:
            raise ProxyError(f"a delay is between 0 and {MAX_DELAY_SECONDS:g} s, not {seconds:g} s")
        self._delay = seconds

    def heal(self) -> None:
        self._cut = False
        self._delay = 0.0

    def close(self) -> None:
        """Stop listening and close every relayed connection. Idempotent."""
        if self._server is not None:
            with contextlib.suppress(Exception):
                _Loop.run(self._close())
            self._server = None
        if self._socket_dir is not None:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
            self._socket_dir = None

    # -- on the loop -----------------------------------------------------------------------------

    async def _listen(self) -> Endpoint:
        if self.target.socket is not None:
            # A short folder of its own: unix socket paths are limited to 107 bytes.
            self._socket_dir = Path(tempfile.mkdtemp(prefix="tidbrun-proxy-", dir="/tmp"))
            path = str(self._socket_dir / "proxy.sock")
            self._server = await asyncio.start_unix_server(self._accept, path=path)
            return Endpoint(socket=path)
        self._server = await asyncio.start_server(self._accept, host="127.0.0.1", port=0)
        port = self._server.sockets[0].getsockname()[1]
        return Endpoint(host="127.0.0.1", port=port)

    async def _cut_now(self) -> int:
        self._cut = True
        links = list(self._links)
        for link in links:
            link.abort()
        self.cut_links += len(links)
        return len(links)

    async def _close(self) -> None:
        server = self._server
        if server is not None:
            server.close()
        for link in list(self._links):
            link.abort()
        if server is not None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(server.wait_closed(), 1.0)

    async def _accept(self, client_reader: asyncio.StreamReader, client: asyncio.StreamWriter) -> None:
        if self._cut:
            self.refused += 1
            client.transport.abort()
            return
        try:
            server_reader, server = await asyncio.wait_for(self._open_target(), CONNECT_TIMEOUT)
        except (TimeoutError, OSError):
            client.transport.abort()  # the client sees the server gone, as it would without us
            return
        if self._cut:  # cut while the server connection was being opened
            self.refused += 1
            client.transport.abort()
            server.transport.abort()
            return
        self.accepted += 1
        link = _Link(client, server)
        self._links.add(link)
        try:
            pumps = [
                asyncio.ensure_future(self._pump(client_reader, server, delayed=False)),
                asyncio.ensure_future(self._pump(server_reader, client, delayed=True)),
            ]
            # Either side ending ends the link: the MySQL protocol has no half-closed use.
            _, pending = await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
            for pump in pending:
                pump.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        finally:
            self._links.discard(link)
            for writer in (client, server):
                writer.transport.abort()

    async def _open_target(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        target = self.target
        if target.socket is not None:
            return await asyncio.open_unix_connection(target.socket)
        host = "127.0.0.1" if target.host in ("localhost", "") else target.host
        return await asyncio.open_connection(host, target.port)

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, delayed: bool) -> None:
        loop = asyncio.get_running_loop()
        held: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue()
        sender = asyncio.ensure_future(self._send_when_due(held, writer)) if delayed else None
        try:
            while True:
                data = await reader.read(CHUNK)
                if not data or self._cut:
                    break
                if sender is None:
                    writer.write(data)
                    await writer.drain()
                else:
                    held.put_nowait((loop.time() + self._delay, data))
        except (OSError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            if sender is not None:
                sender.cancel()  # the link is going: what is held goes with it
            raise
        if sender is not None:
            held.put_nowait(None)  # the server said its last: deliver what is held, in time
            with contextlib.suppress(Exception):
                await sender

    @staticmethod
    async def _send_when_due(held: asyncio.Queue[tuple[float, bytes] | None], writer: asyncio.StreamWriter) -> None:
        loop = asyncio.get_running_loop()
        while True:
            item = await held.get()
            if item is None:
                return
            due, data = item
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if writer.transport.is_closing():
                return
            writer.write(data)
            await writer.drain()
