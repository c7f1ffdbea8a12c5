"""TiDB's failpoint API on its status port, and the failpoints one test changed.

TiDB serves pingcap/failpoint's HTTP handler under ``/fail/`` of its status port (default 10080)
when the failpoint ``github.com/pingcap/tidb/pkg/server/enableTestAPI`` is on, which needs a
tidb-server built with failpoints (``make failpoint-enable`` before building) and started with
``GO_FAILPOINTS=github.com/pingcap/tidb/pkg/server/enableTestAPI=return``. Otherwise ``/fail/`` is
an unknown route (404). The handler (failpoint's http.go):

- ``PUT /fail/<path>`` with the term as body: 204; a term it cannot parse: 400
  ``failed to set failpoint <path>``;
- ``DELETE /fail/<path>``: 204; a failpoint never set: 400 ``failed to delete failpoint ...``;
- ``GET /fail/``: 200, one ``<path>=<term>`` line per failpoint it knows, sorted, each ending in
  a newline (a disabled one has an empty term); ``GET /fail/<path>``: 200 ``<term>\\n``, or 404.

Nothing here goes through a proxy (the status port is the server's own) or follows a redirect.
"""

from __future__ import annotations

import functools
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from runner.tidb.failpoint_terms import validate_term

DEFAULT_STATUS_PORT = 10080
TEST_API_FAILPOINT = "github.com/pingcap/tidb/pkg/server/enableTestAPI"
TEST_API_SETTING = f"{TEST_API_FAILPOINT}=return"
_SUCCESS = (200, 204)
_FLAVOUR_NAMES = {"mariadb": "MariaDB", "mysql": "MySQL", "tidb": "TiDB"}


class FailpointError(Exception):
    """A failpoint request that did not succeed; the message is meant for the test's report."""


@functools.cache
def _opener() -> Any:
    # urllib.request (and http.client) load at the first request: a run against a server other
    # than TiDB never makes one, and the import costs several milliseconds of every start.
    import urllib.request

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None  # a 3xx is an answer like any other non-success, reported as such

    return urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: str


@dataclass(frozen=True, slots=True)
class FailpointClient:
    """The HTTP calls, one per method; no term checking (that is the caller's)."""

    host: str
    port: int
    timeout: float = 10.0

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/fail/"

    def url(self, path: str) -> str:
        return self.base_url + urllib.parse.quote(path, safe="/")

    def request(self, method: str, path: str, body: str | None = None) -> Reply:
        """One request; any HTTP status comes back as a Reply, a transport failure raises."""
        import urllib.error
        import urllib.request
        from http.client import HTTPException

        data = body.encode("utf-8") if body is not None else None
        request = urllib.request.Request(self.url(path), data=data, method=method)
        try:
            with _opener().open(request, timeout=self.timeout) as response:
                return Reply(response.status, response.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as exc:
            with exc:
                return Reply(exc.code, exc.read().decode("utf-8", "replace"))
        except (urllib.error.URLError, HTTPException, OSError) as exc:
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            raise FailpointError(
                f"no answer from TiDB's status port at {self.host}:{self.port} ({method} {self.url(path)}): {reason}"
            ) from None

    def enable(self, path: str, term: str) -> None:
        self._expect_success("PUT", path, term, f"enabling failpoint {path} with {term!r}")

    def disable(self, path: str) -> None:
        self._expect_success("DELETE", path, None, f"disabling failpoint {path}")

    def status(self, path: str) -> str | None:
        """The failpoint's term, or None when it is off or unknown (404)."""
        reply = self.request("GET", path)
        if reply.status == 404:
            return None
        _check(reply, "GET", self.url(path), f"reading failpoint {path}")
        return reply.body.rstrip("\n")

    def list(self) -> list[tuple[str, str]]:
        """Every failpoint the server knows with its term ('' when off), sorted by path."""
        reply = self.request("GET", "")
        _check(reply, "GET", self.base_url, "listing failpoints")
        return parse_list(reply.body)

    def _expect_success(self, method: str, path: str, body: str | None, what: str) -> None:
        _check(self.request(method, path, body), method, self.url(path), what)


def _check(reply: Reply, method: str, url: str, what: str) -> None:
    if reply.status in _SUCCESS:
        return
    text = reply.body.strip() or "(empty body)"
    hint = " (no failpoint API on this status port: see the README's TiDB section)" if reply.status == 404 else ""
    raise FailpointError(f"{what} failed: {method} {url} answered HTTP {reply.status}: {text}{hint}")


def parse_list(body: str) -> list[tuple[str, str]]:
    """``GET /fail/``'s body: ``path=term`` lines (the term may itself hold '=')."""
    entries = []
    for line in body.splitlines():
        if not line:
            continue
        path, sep, term = line.partition("=")
        if not sep:
            raise FailpointError(f"unexpected line in the failpoint list: {line!r}")
        entries.append((path, term))
    return entries


def with_test_api(go_failpoints: str | None) -> str:
    """``GO_FAILPOINTS`` for a tidb-server tidbrun starts: the caller's, plus the status-port API."""
    settings = [s for s in (go_failpoints or "").split(";") if s]
    if not any(s.split("=", 1)[0] == TEST_API_FAILPOINT for s in settings):
        settings.append(TEST_API_SETTING)
    return ";".join(settings)


def unavailable_reason(client: FailpointClient) -> str | None:
    """Why the failpoint API cannot be used on this server, in plain words; None when it can."""
    try:
        reply = client.request("GET", "")
    except FailpointError as exc:
        return f"{exc}. Give the status port with --status-port or TIDB_STATUS_PORT"
    if reply.status == 200:
        try:
            parse_list(reply.body)
        except FailpointError:
            return f"{client.base_url} does not answer like TiDB's failpoint API (is it TiDB's status port?)"
        return None
    if reply.status == 404:
        return (
            f"TiDB's status port {client.host}:{client.port} has no failpoint API ({client.base_url} answered 404): "
            "the tidb-server was built without failpoints (run `make failpoint-enable` before building it) "
            f"or started without GO_FAILPOINTS={TEST_API_SETTING}"
        )
    return f"{client.base_url} answered HTTP {reply.status}: {reply.body.strip()}"


@dataclass(slots=True)
class FailpointAPI:
    """What a run knows about its server's failpoints: the client, or why there is none."""

    flavour: str
    client: FailpointClient | None = None
    unavailable: str | None = None  # set by probe() when the API is absent

    @classmethod
    def for_server(cls, flavour: str, host: str, status_port: int | None) -> FailpointAPI:
        if flavour != "tidb":
            return cls(flavour)
        return cls(flavour, FailpointClient(host, status_port or DEFAULT_STATUS_PORT))

    def probe(self) -> str | None:
        """Check ``/fail/`` once at the start of a run; returns the reason it is unusable."""
        if self.client is not None:
            self.unavailable = unavailable_reason(self.client)
        return self.unavailable

    def scope(self) -> FailpointScope:
        return FailpointScope(self)

    def usable_client(self) -> FailpointClient:
        if self.client is None:
            name = _FLAVOUR_NAMES.get(self.flavour, self.flavour)
            raise FailpointError(
                f"the server is {name}: it has no failpoint API (failpoints are TiDB's; run this test against TiDB)"
            )
        if self.unavailable is not None:
            raise FailpointError(self.unavailable)
        return self.client


@dataclass(slots=True)
class FailpointScope:
    """The failpoints one test changed, put back as they were when it ends, whatever happened.

    Before a failpoint is first changed its current term is read: one the server already had
    (from GO_FAILPOINTS, say) is enabled again with that term, any other is disabled.
    """

    api: FailpointAPI
    _before: dict[str, str | None] = field(default_factory=dict)  # path -> term before the test
    _now_off: set[str] = field(default_factory=set)
    leaked: list[str] = field(default_factory=list)  # what release() could not put back

    def enable(self, path: str, term: str) -> None:
        client = self.api.usable_client()
        validate_term(term)
        self._remember(client, path)
        client.enable(path, term)
        self._now_off.discard(path)

    def disable(self, path: str) -> None:
        client = self.api.usable_client()
        self._remember(client, path)
        client.disable(path)
        self._now_off.add(path)

    def enabled(self) -> list[tuple[str, str]]:
        """The failpoints that are on now (path, term), sorted by path."""
        return [(path, term) for path, term in self.api.usable_client().list() if term]

    def release(self) -> list[str]:
        """Put every changed failpoint back, newest first; returns one message per failure."""
        if not self._before:
            return []
        client = self.api.client
        assert client is not None  # nothing is remembered without one
        problems: list[str] = []
        for path in reversed(list(self._before)):
            before = self._before[path]
            try:
                if before is not None:
                    client.enable(path, before)
                elif path not in self._now_off:
                    client.disable(path)
            except FailpointError as exc:
                problems.append(f"failpoint {path} was left as the test set it: {exc}")
        self._before.clear()
        self._now_off.clear()
        self.leaked.extend(problems)
        return problems

    def _remember(self, client: FailpointClient, path: str) -> None:
        if path not in self._before:
            self._before[path] = client.status(path)
