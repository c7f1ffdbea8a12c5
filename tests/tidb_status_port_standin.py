"""A stand-in for TiDB's status port: pingcap/failpoint's HTTP handler as TiDB mounts it under /fail/.

Built from failpoint's http.go, failpoints.go, failpoint.go and terms.go (pingcap/failpoint
bbc9d10) and TiDB's pkg/server/http_status.go, not from tidbrun's code: its term parser is a port
of failpoint's own lenient one (``parse``/``parseTerm``/``parseMod``/``parseVal``), independent of
tidbrun's validation, so that a term tidbrun lets through is judged the way TiDB would judge it.

What it reproduces:
- routing: ``/fail/...`` reaches the handler only with the test API on (TiDB registers the route
  inside ``failpoint.Inject("enableTestAPI", ...)``); otherwise, like any unknown route of TiDB's
  gorilla/mux router, 404 ``404 page not found``;
- ``PUT /fail/<path>``: the failpoint is registered first, then its term parsed; 204, or 400
  ``failed to set failpoint <path>`` (the path stays registered, with no term);
- ``DELETE``: 204; never registered: 400 ``failed to delete failpoint error on <path>: failpoint:
  failpoint does not exist``; registered by a failed PUT only: failpoint closes a nil channel and
  panics, net/http drops the connection without an answer;
- ``GET /fail/``: 200, sorted ``path=term`` lines joined by a newline plus a final newline (a
  disabled failpoint shows ``path=``, an empty registry answers a lone newline);
- ``GET /fail/<path>``: 200 ``term\\n``; unknown or disabled: 404 with failpoint's message;
- any other method: 405 ``Method not allowed`` with ``Allow: PUT``;
- errors come as Go's http.Error writes them: text/plain, the message and a newline.
"""

from __future__ import annotations

import re
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_ACTIONS = ("off", "return", "sleep", "panic", "break", "print", "pause")
_GO_SPACE = " \t\r\n"


class _GoPanic(Exception):
    """Where failpoint's Go code would panic (a slice past the end, close of a nil channel)."""


@dataclass
class _Failpoint:
    desc: str | None = None  # the terms' text while enabled
    channel: str = "nil"  # waitChan: "nil" until enabled, then "open", "closed" once disabled


def _parse_int_float(desc: str) -> tuple[str, int | float | None]:
    i = 0
    while i < len(desc) and desc[i].isdigit():
        i += 1
    if i == 0:
        return "", None
    if int(desc[:i]) > 2**63 - 1:  # Sscanf %d overflows
        return "", None
    value = int(desc[:i])
    if i == len(desc) or desc[i] != ".":
        return desc[:i], value
    i += 1
    if i == len(desc):
        return desc[:i], float(value)
    j = i
    while i < len(desc) and desc[i].isdigit():
        i += 1
    if j == i:
        return desc[:i], float(value)
    return desc[:i], float(desc[:i])


def _parse_mod(desc: str) -> str:
    consumed = ""
    while True:
        s, v = _parse_int_float(desc)
        if not s:
            return consumed
        if len(s) == len(desc):
            return ""
        mark = desc[len(s)]
        if isinstance(v, float) and mark != "%":
            return ""
        if isinstance(v, int) and mark not in "%*":
            return ""
        consumed += desc[: len(s) + 1]
        desc = desc[len(s) + 1 :]


def _scan_quoted(text: str) -> str | None:
    """fmt's %q: blanks skipped, then a "..." (with escapes) or `...` string; None when none."""
    text = text.lstrip(_GO_SPACE)
    if text[:1] == "`":
        end = text.find("`", 1)
        return None if end < 0 else text[1:end]
    if text[:1] != '"':
        return None
    out: list[str] = []
    i = 1
    while i < len(text):
        c = text[i]
        if c == '"':
            return "".join(out)
        if c == "\n":
            return None
        if c == "\\" and i + 1 < len(text):
            out.append({"n": "\n", "t": "\t", '"': '"', "\\": "\\"}.get(text[i + 1], text[i + 1]))
            i += 2
            continue
        out.append(c)
        i += 1
    return None


def _scan_int(text: str) -> int | None:
    match = re.match(r"[+-]?[0-9]+", text.lstrip(_GO_SPACE))
    return int(match.group()) if match else None


def _scan_bool(text: str) -> bool | None:
    text = text.lstrip(_GO_SPACE)
    first, rest = text[:1], text[1:]
    if first in ("0", "1"):
        return first == "1"
    if first in ("t", "T"):
        if rest[:1] in ("r", "R") and not (rest[1:2] in ("u", "U") and rest[2:3] in ("e", "E")):
            return None
        return True
    if first in ("f", "F"):
        if rest[:1] in ("a", "A") and not (
            rest[1:2] in ("l", "L") and rest[2:3] in ("s", "S") and rest[3:4] in ("e", "E")
        ):
            return None
        return False
    return None


def _go_slice(desc: str, end: int) -> str:
    if end > len(desc):
        raise _GoPanic("slice bounds out of range")
    return desc[:end]


def _parse_val(desc: str) -> str | None:
    """The value's text as failpoint's parseVal takes it; None where it gives up."""
    if not desc:
        return ""
    if len(desc) == 1 or desc[0] != "(":
        return ""  # no value: nothing consumed (failpoint returns a nil value)
    if desc[1] == ")":
        return "()"
    string = _scan_quoted(desc[1:])
    if string is not None:
        return _go_slice(desc, len(string) + 4)
    number = _scan_int(desc[1:])
    if number is not None:
        return _go_slice(desc, len(str(number)) + 2)
    flag = _scan_bool(desc[1:])
    if flag is not None:
        return _go_slice(desc, len("true" if flag else "false") + 2)
    return None


def _parse_term(desc: str) -> str | None:
    mods = _parse_mod(desc)
    rest = desc[len(mods) :]
    action = next((a for a in _ACTIONS if rest.startswith(a)), "")
    value = _parse_val(rest[len(action) :])
    taken = mods + action + (value or "")
    return taken or None


def go_parse_terms(desc: str) -> bool:
    """failpoint's parse: True when it accepts ``desc`` (it may panic, see _GoPanic)."""
    while desc:
        term = _parse_term(desc)
        if term is None:
            return False
        desc = desc[len(term) :]
        if len(desc) >= 2:
            if not desc.startswith("->"):
                return False
            desc = desc[2:]
    return True


@dataclass
class FailpointRegistry:
    failpoints: dict[str, _Failpoint] = field(default_factory=dict)

    def put(self, key: str, term: str) -> bool:
        fp = self.failpoints.setdefault(key, _Failpoint())
        if not go_parse_terms(term):
            return False
        fp.desc, fp.channel = term, "open"
        return True

    def delete(self, key: str) -> bool:
        fp = self.failpoints.get(key)
        if fp is None:
            return False
        if fp.channel == "nil":
            raise _GoPanic("close of nil channel")
        if fp.channel == "open":
            fp.channel, fp.desc = "closed", None
        return True

    def enabled(self) -> dict[str, str]:
        return {key: fp.desc for key, fp in self.failpoints.items() if fp.desc is not None}


@dataclass
class Request:
    method: str
    path: str
    body: str


class TiDBStatusPortStandIn:
    """A local HTTP server answering as TiDB's status port does for ``/fail/``."""

    def __init__(self, *, test_api: bool = True, preset: dict[str, str] | None = None) -> None:
        self.test_api = test_api
        self.registry = FailpointRegistry()
        self.requests: list[Request] = []
        self.injected: list[tuple[int, str]] = []  # answers to give instead, first first
        for key, term in (preset or {}).items():  # as GO_FAILPOINTS does at start-up
            assert self.registry.put(key, term)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> TiDBStatusPortStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                self._serve()

            def do_PUT(self) -> None:
                self._serve()

            def do_DELETE(self) -> None:
                self._serve()

            def do_POST(self) -> None:
                self._serve()

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8") if length else ""
                path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
                standin.requests.append(Request(self.command, path, body))
                if standin.injected:
                    status, text = standin.injected.pop(0)
                    return self._error(status, text)
                if not (standin.test_api and path.startswith("/fail/")):
                    return self._error(404, "404 page not found")
                try:
                    self._failpoint(path[len("/fail/") :], body)
                except _GoPanic:
                    # net/http recovers a handler's panic by closing the connection.
                    self.close_connection = True
                    self.connection.close()

            def _failpoint(self, key: str, body: str) -> None:
                registry = standin.registry
                if self.command == "PUT":
                    if registry.put(key, body):
                        return self._answer(204, "")
                    return self._error(400, f"failed to set failpoint {key}")
                if self.command == "GET":
                    if key == "":
                        lines = [f"{k}={registry.failpoints[k].desc or ''}" for k in sorted(registry.failpoints)]
                        return self._answer(200, "\n".join(lines) + "\n")
                    fp = registry.failpoints.get(key)
                    if fp is None or fp.desc is None:
                        why = "does not exist" if fp is None else "is disabled"
                        # http.Error, then failpoint writes the (empty) status and a newline too.
                        return self._answer(404, f"failed to GET: error on {key}: failpoint: failpoint {why}\n\n")
                    return self._answer(200, fp.desc + "\n")
                if self.command == "DELETE":
                    if registry.delete(key):
                        return self._answer(204, "")
                    return self._error(
                        400, f"failed to delete failpoint error on {key}: failpoint: failpoint does not exist"
                    )
                return self._error(405, "Method not allowed", allow="PUT")

            def _error(self, status: int, text: str, allow: str | None = None) -> None:
                self._answer(status, text + "\n", allow=allow)

            def _answer(self, status: int, text: str, allow: str | None = None) -> None:
                data = text.encode("utf-8")
                self.send_response(status)
                if status != 204:
                    self.send_header("Content-Type", "text/plain; charset=utf-8")
                    self.send_header("X-Content-Type-Options", "nosniff")
                    self.send_header("Content-Length", str(len(data)))
                if allow:
                    self.send_header("Allow", allow)
                self.end_headers()
                if status != 204:
                    self.wfile.write(data)

        return Handler


def running_standin(**kwargs: object) -> Iterator[TiDBStatusPortStandIn]:
    """For a pytest fixture: a started stand-in, stopped afterwards."""
    standin = TiDBStatusPortStandIn(**kwargs).start()  # type: ignore[arg-type]
    try:
        yield standin
    finally:
        standin.stop()
