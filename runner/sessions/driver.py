"""The database trait: what the runner needs from a connection, and its implementations.

Values travel as latin-1 ``str``: every byte maps to one character and back, so statements reach
the server byte for byte and results come back unchanged whatever their character set.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import importlib.util
import os
import re
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from runner.sessions import socket_cut
from runner.sessions.wire import (
    CLIENT_MYSQL,
    MARIADB_EXTENDED_METADATA,
    SESSION_TRACK,
    SessionTrack,
    parse_extended_metadata,
    parse_session_track,
    with_extended_capabilities,
)

# Python's ssl before the C extension, as mysql-connector-python's own package loads them: the
# extension then shares the process's OpenSSL. Loaded after hashlib alone, its bundled libssl
# would bind to the system libcrypto already in the process, and fail when that one is older.
try:
    import ssl  # noqa: F401
except ImportError:  # pragma: no cover - a Python built without ssl
    pass
try:
    import _mysql_connector

    HAVE_CEXT = True
except ImportError:  # pragma: no cover - depends on the installed wheel
    _mysql_connector = None
    HAVE_CEXT = False

ENCODING = "latin-1"

# The C path loads nothing of mysql-connector-python's pure-Python package (its import is a fair
# part of tidbrun's start): the capability flags of the handshake (include/mysql_com.h) are
# written out, the package's ClientFlag.get_default() plus multi-statements and multi-results.
_LONG_PASSWD, _LONG_FLAG, _CONNECT_WITH_DB, _COMPRESS, _LOCAL_FILES = 1, 1 << 2, 1 << 3, 1 << 5, 1 << 7
_PROTOCOL_41, _TRANSACTIONS, _SECURE_CONNECTION = 1 << 9, 1 << 13, 1 << 15
_MULTI_STATEMENTS, _MULTI_RESULTS, _PS_MULTI_RESULTS = 1 << 16, 1 << 17, 1 << 18
_CONNECT_ARGS, _PLUGIN_AUTH_LENENC_CLIENT_DATA = 1 << 20, 1 << 21
_CLIENT_FLAGS = (
    _LONG_PASSWD | _LONG_FLAG | _CONNECT_WITH_DB | _PROTOCOL_41 | _TRANSACTIONS | _SECURE_CONNECTION
    | _MULTI_STATEMENTS | _MULTI_RESULTS | _PS_MULTI_RESULTS | _CONNECT_ARGS | _PLUGIN_AUTH_LENENC_CLIENT_DATA
)


@functools.cache
def _plugin_dir() -> str:
    """The client plugins shipped in mysql-connector-python's wheel (found, not imported)."""
    spec = importlib.util.find_spec("mysql.connector")
    origin = spec.origin if spec is not None and spec.origin else ""
    return os.path.join(os.path.dirname(os.path.dirname(origin)), "vendor", "plugin")


def _connector() -> Any:
    """mysql-connector-python's pure-Python package, for PyConnection (loaded on first use)."""
    import mysql.connector

    return mysql.connector


@dataclass(slots=True)
class ServerError:
    errno: int
    sqlstate: str
    message: str


@dataclass(slots=True)
class Column:
    name: str
    # (catalog, db, table, org_table, name, org_name, charsetnr, length, type, flags, decimals)
    meta: tuple[Any, ...] = ()
    # MariaDB's extended metadata (MARIADB_CLIENT_EXTENDED_METADATA): the data type's own name
    # ("point", "inet6") and its format ("json"), when the server sent them.
    type_name: str = ""
    format_name: str = ""


Row = tuple[str | None, ...]


@dataclass(slots=True)
class Result:
    """One result of a statement: a result set, or an OK with its counters."""

    columns: list[Column] | None
    rows: list[Row]
    affected_rows: int = 0
    info: str | None = None
    # The session state changes as libmariadb's mysql_session_track_get_first() gives them after
    # this result (what mariadb-test prints): those of the last OK packet the connection read,
    # so a result set or an error repeats the previous OK's. None: the connection cannot tell.
    session_track: SessionTrack | None = None


@dataclass(slots=True)
class Outcome:
    results: list[Result] = field(default_factory=list)
    error: ServerError | None = None
    warning_count: int = 0


@dataclass(frozen=True, slots=True)
class ConnectParams:
    host: str
    user: str
    password: str = field(default="", repr=False)
    database: str = ""
    port: int = 0
    socket: str | None = None
    compress: bool = False
    ssl: bool = False
    # The client certificate and cipher of an SSL connection (mysqltest's --ssl-* options).
    ssl_ca: str | None = None
    ssl_cert: str | None = None
    ssl_key: str | None = None
    ssl_cipher: str | None = None
    connect_timeout: int = 10
    read_timeout: int = 0  # seconds; 0 waits for ever (mysqltest's connect option read_timeout=N)
    write_timeout: int = 0
    charset: str = "latin1"
    # The pure-Python protocol even where the C extension is available: it has the client
    # authentication plugins the C library lacks (runner.sessions.auth_plugins).
    python_protocol: bool = False
    # mysqltest's `connect` that names no database logs in without one, then selects the default
    # one (mysql_select_db, errors ignored). Only the pure-Python protocol, which holds the session
    # state changes, does it that way: the login's changes are what the next statements show.
    select_database: bool = False

    def uses_socket(self) -> bool:
        # libmysqlclient will not negotiate TLS on a unix socket (MariaDB's client does): an SSL
        # connection to localhost goes over TCP instead.
        return self.host in ("", "localhost") and bool(self.socket) and not self.ssl

    def socket_replaced_by_tcp(self) -> bool:
        """An SSL connection to localhost: libmariadb would have used the socket."""
        return self.ssl and self.host in ("", "localhost") and bool(self.socket)


class ConnectError(Exception):
    def __init__(self, error: ServerError) -> None:
        super().__init__(f"{error.errno} ({error.sqlstate}): {error.message}")
        self.error = error


class PythonProtocolNeeded(ConnectError):
    """The C library cannot log in as asked; the pure-Python protocol can. The connection it
    happened on, if any, is lost."""


# What libmysqlclient reports when the server asks for a client plugin it lacks (2059), or for the
# pre-4.1 short scramble with a bare 0xFE, which it no longer understands (2027). The Python
# protocol has tidbrun's plugins (runner.sessions.auth_plugins).
_PLUGIN_ERRORS = frozenset({2059, 2027})
_OPENSSL_TLS13_SUITES = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"
# libmysqlclient cuts user names to USERNAME_LENGTH (32 characters of 3 bytes); libmariadb sends
# them whole and the server cuts them to its own limit, so a longer name logs in.
_C_USERNAME_BYTES = 96


def _wire_text(text: str) -> str:
    """A user name, password or database name for the drivers, which send them UTF-8 encoded: the
    text whose UTF-8 is the test's own bytes (tidbrun's text is latin-1, one character a byte).
    Bytes that are not UTF-8 cannot go through the drivers and are left as they are."""
    if text.isascii():
        return text
    try:
        return text.encode(ENCODING).decode("utf-8")
    except UnicodeError:
        return text


def _c_library_takes(user: str) -> bool:
    return len(_wire_text(user).encode("utf-8")) <= _C_USERNAME_BYTES


class Connection(Protocol):
    """A small database trait: any engine that can do these plugs in."""

    thread_id: int
    server_version: int  # as libmariadb's mysql_get_server_version() gives it (mysqltest's variable)

    def execute(self, sql: str) -> Outcome: ...
    def close(self) -> None: ...
    def ping(self) -> bool: ...
    def change_user(self, user: str, password: str, database: str) -> None: ...
    def reset_connection(self) -> None: ...


# libmysqlclient and MariaDB's client library word some client errors differently; tests recorded
# with mariadb-test expect MariaDB's words (and its CR_SERVER_LOST for a lost connection).
_CLIENT_ERRORS = {
    2006: (2006, "MariaDB server has gone away"),
    2013: (2013, "Lost connection to server during query"),
    2055: (2013, "Lost connection to server during query"),
}


def _server_error(exc: Any) -> ServerError:
    errno = int(getattr(exc, "errno", None) or 2013)
    sqlstate = getattr(exc, "sqlstate", None) or "HY000"
    message = getattr(exc, "msg", None) or str(exc)
    if errno in _CLIENT_ERRORS:
        errno, message = _CLIENT_ERRORS[errno]
    return ServerError(errno, str(sqlstate), _as_bytes_text(str(message)))


def _connect_error(exc: Any, params: ConnectParams) -> ServerError:
    error = _server_error(exc)
    if error.errno == 2003 and params.socket_replaced_by_tcp():
        # libmariadb would have failed on the socket: its error, and the socket's errno (the
        # file is gone while the server is down; there but refusing while it starts).
        assert params.socket is not None
        os_errno = 111 if os.path.exists(params.socket) else 2
        message = f"Can't connect to local server through socket '{params.socket}' ({os_errno})"
        return ServerError(2002, "HY000", message)
    if error.errno == 2003:
        # libmariadb (mysqltest's client library) reports a TCP connection it could not make as
        # 2002 too; tests wait for a restarting server with --error 2002 (wait_until_connected_again.inc).
        return ServerError(2002, "HY000", f"Can't connect to server on '{params.host}' (115)")
    return error


def _as_bytes_text(message: str) -> str:
    # The drivers decode messages as UTF-8; tidbrun carries bytes as latin-1 text.
    try:
        return message.encode("utf-8").decode(ENCODING)
    except UnicodeError:
        return message


def _first_error(rows: Any) -> ServerError:
    """The statement's error among SHOW WARNINGS rows (level, code, message as bytes): the first,
    as the server reports it in the error packet."""
    for level, code, message in rows:
        if bytes(level) == b"Error":
            errno = int(code)
            return ServerError(errno, _sqlstate(errno), bytes(message).decode(ENCODING))
    return ServerError(2013, "HY000", "error with an undecodable message")


def _sqlstate(errno: int) -> str:
    from runner.language.sqlstates import SQLSTATES

    return SQLSTATES.get(errno, "HY000")


# mysqltest adds its name to the client library's own attributes on every connection; tests count
# the rows of performance_schema.session_connect_attrs.
_CONNECT_ATTRIBUTES = {"program_name": "mysqltest"}


class CConnection:
    """mysql-connector-python's C extension, used raw: the fast path for every statement."""

    def __init__(self, params: ConnectParams) -> None:
        if _mysql_connector is None:
            raise RuntimeError("the C extension of mysql-connector-python is not available")
        self._cnx = _mysql_connector.MySQL(
            buffered=True,
            raw=True,
            charset_name=params.charset,
            use_unicode=False,
            plugin_dir=_plugin_dir(),
            connection_timeout=params.connect_timeout,
        )
        kwargs: dict[str, Any] = {
            "user": _wire_text(params.user),
            "password": _wire_text(params.password),
            "database": _wire_text(params.database) or None,
            "client_flags": _CLIENT_FLAGS | _LOCAL_FILES | (_COMPRESS if params.compress else 0),
            "compress": params.compress,
            "ssl_disabled": not params.ssl,
            # mysqltest allows LOAD DATA LOCAL INFILE; so do test files.
            "local_infile": True,
            "conn_attrs": dict(_CONNECT_ATTRIBUTES),
        }
        for key in ("read_timeout", "write_timeout"):
            if getattr(params, key):
                kwargs[key] = getattr(params, key)
        if params.ssl:
            for key in ("ssl_ca", "ssl_cert", "ssl_key"):
                if getattr(params, key):
                    kwargs[key] = getattr(params, key)
            # libmariadb gives a cipher to OpenSSL as TLS 1.3 suites, or else as the TLS 1.2 list;
            # it leaves the other at OpenSSL's default. libmysqlclient's own TLS 1.3 default
            # puts AES-128 first, and the server takes the client's first choice.
            cipher = params.ssl_cipher or ""
            if cipher.startswith("TLS_"):
                kwargs["tls_cipher_suites"] = cipher
            else:
                kwargs["tls_cipher_suites"] = _OPENSSL_TLS13_SUITES
                if cipher:
                    kwargs["ssl_cipher_suites"] = cipher
        if params.uses_socket():
            kwargs["unix_socket"] = params.socket
        else:
            kwargs["host"] = "127.0.0.1" if params.host == "localhost" else params.host
            kwargs["port"] = params.port or 3306
        before = socket_cut.socket_fds()
        try:
            self._cnx.connect(**kwargs)
        except _mysql_connector.MySQLInterfaceError as exc:
            error = _connect_error(exc, params)
            raise (PythonProtocolNeeded if error.errno in _PLUGIN_ERRORS else ConnectError)(error) from None
        self._fd = socket_cut.connection_fd(
            socket_cut.socket_fds() - before, port=kwargs.get("port"), path=kwargs.get("unix_socket")
        )
        self.thread_id: int = self._cnx.thread_id()
        self.server_version: int = server_version_number(_text(self._cnx.get_server_info() or b""))

    def execute(self, sql: str) -> Outcome:
        # Once per statement of a test: kept to the calls the protocol needs.
        cnx = self._cnx
        results: list[Result] = []
        error: ServerError | None = None
        try:
            cnx.query(sql.encode(ENCODING))
            while True:
                if cnx.have_result_set:
                    columns = [Column(_text(f[4]), f) for f in cnx.fetch_fields()]
                    rows: list[Row] = []
                    fetch = cnx.fetch_row
                    row = fetch()
                    while row is not None:
                        rows.append(tuple([None if v is None else v.decode(ENCODING) for v in row]))
                        row = fetch()
                    cnx.free_result()
                    results.append(Result(columns, rows, len(rows)))
                else:
                    results.append(Result(None, [], cnx.affected_rows()))
                if not cnx.more_results():
                    break
                cnx.next_result()
        except _mysql_connector.MySQLInterfaceError as exc:
            if (getattr(exc, "errno", None) or -1) < 0:
                # "Failed getting Error info": the C extension could not decode the message.
                error = self._error_from_diagnostics()
            else:
                error = _server_error(exc)
                try:
                    cnx.consume_result()
                except Exception:
                    pass
        except RuntimeError:
            # The C extension cannot raise an error whose message is not valid UTF-8 and loses
            # it; the server still holds it in the diagnostics area.
            error = self._error_from_diagnostics()
        return Outcome(results, error, cnx.warning_count())

    def _error_from_diagnostics(self) -> ServerError:
        cnx = self._cnx
        try:
            cnx.query(b"SHOW WARNINGS")
            rows = []
            row = cnx.fetch_row()
            while row is not None:
                rows.append(row)
                row = cnx.fetch_row()
            cnx.free_result()
        except Exception:
            return ServerError(2013, "HY000", "error with an undecodable message")
        return _first_error(rows)

    def abort(self) -> bool:
        """Cut the socket under a statement the server will not end (runner.sessions.socket_cut)."""
        return self._fd is not None and socket_cut.cut(self._fd)

    def ping(self) -> bool:
        try:
            return bool(self._cnx.ping())
        except Exception:
            return False

    def change_user(self, user: str, password: str, database: str) -> None:
        if not _c_library_takes(user):
            raise PythonProtocolNeeded(ServerError(2000, "HY000", "a user name longer than libmysqlclient sends"))
        try:
            self._cnx.change_user(
                user=_wire_text(user), password=_wire_text(password), database=_wire_text(database) or None
            )
        except _mysql_connector.MySQLInterfaceError as exc:
            error = _server_error(exc)
            raise (PythonProtocolNeeded if error.errno in _PLUGIN_ERRORS else ConnectError)(error) from None

    def reset_connection(self) -> None:
        self._cnx.reset_connection()

    def close(self) -> None:
        try:
            self._cnx.close()
        except Exception:
            pass


_TYPE_TIMESTAMP, _TYPE_INT24, _TYPE_YEAR, _TYPE_NEWDECIMAL = 7, 9, 13, 246
_NUM_FLAG = 32768

@contextlib.contextmanager
def _first_packet_rewritten(sock: Any, rewrite: Callable[[bytes], bytes]) -> Iterator[None]:
    """The next packet ``sock`` sends goes through ``rewrite``; the ones after it as they are."""
    send = sock.send

    def send_once(payload: bytes, *args: Any, **kwargs: Any) -> Any:
        del sock.send
        return send(rewrite(bytes(payload)), *args, **kwargs)

    sock.send = send_once
    try:
        yield
    finally:
        vars(sock).pop("send", None)


@functools.cache
def _python_protocol() -> Any:
    from mysql.connector.protocol import MySQLProtocol
    from mysql.connector.utils import read_lc_string

    class _PythonProtocol(MySQLProtocol):
        """The driver's protocol, plus what mariadb-test prints and the driver drops: every field
        of a column definition, MariaDB's extended metadata, and session state changes."""

        def __init__(self) -> None:
            super().__init__()
            self.extended_metadata = False
            # libmariadb's session state lists: those of the last OK packet read (None: not tracked).
            self.session_track: SessionTrack | None = None

        @staticmethod
        def parse_handshake(packet: bytes) -> Any:
            handshake: Any = MySQLProtocol.parse_handshake(packet)
            extended = 0
            if not handshake["capabilities"] & CLIENT_MYSQL:
                # The 31 bytes after the server version end with MariaDB's 4 capability bytes.
                fixed = packet.index(b"\0", 5) + 1
                (extended,) = struct.unpack_from("<I", packet, fixed + 27)
            handshake["mariadb_capabilities"] = extended
            return handshake

        # Instance methods where the driver's are static: the connection calls them on its
        # protocol object, whose state (what was negotiated, the last OK) they need.
        def parse_ok(self, packet: bytes) -> Any:  # type: ignore[override]
            ok = MySQLProtocol.parse_ok(packet)
            if self.session_track is not None:
                self.session_track = parse_session_track(bytes(packet[4:]))
            return ok

        def parse_column(self, packet: bytes, encoding: str = "utf-8") -> Any:  # type: ignore[override]
            rest = packet[4:]
            texts = []
            for _ in range(6):
                rest, value = read_lc_string(rest)
                texts.append(bytes(value or b"").decode(ENCODING))
            type_name = format_name = ""
            if self.extended_metadata:
                rest, value = read_lc_string(rest)
                type_name, format_name = parse_extended_metadata(bytes(value or b""))
            charset, length, ftype, flags, decimals = struct.unpack("<xHIBHBxx", rest[:13])
            if (ftype <= _TYPE_INT24 and ftype != _TYPE_TIMESTAMP) or ftype in (_TYPE_YEAR, _TYPE_NEWDECIMAL):
                flags |= _NUM_FLAG  # libmysqlclient's unpack_fields adds it; mysqltest prints it
            catalog, db, table, org_table, name, org_name = texts
            # The first items keep the driver's own shape (name, type, …, flags, charset).
            return (name, ftype, None, None, None, None, ~flags & 1, flags, charset,
                    (catalog, db, table, org_table, name, org_name, charset, length, ftype, flags, decimals),
                    (type_name, format_name))

    return _PythonProtocol


@functools.cache
def _authenticator_class() -> Any:
    from runner.sessions import auth_plugins

    auth_plugins.register()

    class _Authenticator(auth_plugins.Authenticator):  # type: ignore[misc]
        """Sends MariaDB's extended capabilities where libmariadb does (the driver leaves the
        filler of its SSL request and handshake response zero)."""

        mariadb_capabilities = 0

        def _with_capabilities(self, payload: bytes) -> bytes:
            return with_extended_capabilities(payload, self.mariadb_capabilities)

        def setup_ssl(self, sock: Any, *args: Any, **kwargs: Any) -> Any:
            if not self.mariadb_capabilities:
                return super().setup_ssl(sock, *args, **kwargs)
            with _first_packet_rewritten(sock, self._with_capabilities):
                return super().setup_ssl(sock, *args, **kwargs)

        def authenticate(self, sock: Any, handshake: Any, *args: Any, **kwargs: Any) -> bytes:
            if not self.mariadb_capabilities or kwargs.get("is_change_user_request"):
                return super().authenticate(sock, handshake, *args, **kwargs)
            with _first_packet_rewritten(sock, self._with_capabilities):
                return super().authenticate(sock, handshake, *args, **kwargs)

    return _Authenticator


@functools.cache
def _connection_class() -> Any:
    from mysql.connector.connection import MySQLConnection

    protocol_class = _python_protocol()

    class _Connection(MySQLConnection):
        """The driver's connection, asking for what libmariadb asks for and mariadb-test shows:
        session state tracking and, from a MariaDB server, the extended column metadata."""

        def _do_handshake(self) -> None:
            protocol = self._protocol = protocol_class()
            super()._do_handshake()
            handshake: Any = self._handshake
            if handshake["capabilities"] & SESSION_TRACK:
                self.client_flags = [SESSION_TRACK]
                protocol.session_track = ()
            extended = handshake["mariadb_capabilities"] & MARIADB_EXTENDED_METADATA
            if extended:
                self.client_flags = [-CLIENT_MYSQL]
            protocol.extended_metadata = bool(extended)
            authenticator: Any = self._authenticator
            authenticator.mariadb_capabilities = extended

        def _handle_load_data_infile(self, filename: str, *args: Any, **kwargs: Any) -> Any:
            # The driver sends only a file named in the statement's own text (LOCAL INFILE
            # 'x'); libmysqlclient and Go's driver send the file the server asks for, which
            # TiDB's LOAD STATS 'x' needs too. The driver's other checks stay.
            self._local_infile_filenames = collections.deque([filename])
            return super()._handle_load_data_infile(filename, *args, **kwargs)

        def _post_connection(self) -> None:
            # The driver would send SET NAMES and SET autocommit after logging in; libmariadb
            # sends nothing (the handshake named the character set, autocommit stays the
            # server's). Those statements would show in the general and audit logs, the status
            # counters and the session state the test sees.
            return None

    return _Connection


_UNSUPPORTED_PLUGIN = re.compile(r"Authentication plugin '([^']*)' is not supported")


def _python_error(exc: Any, params: ConnectParams | None = None) -> ServerError:
    """The pure-Python driver's error, in libmariadb's terms where the driver has its own words."""
    missing = _UNSUPPORTED_PLUGIN.search(str(getattr(exc, "msg", None) or exc))
    if missing:
        name = missing.group(1)
        return ServerError(2059, "HY000", f"Plugin {name} could not be loaded: no client plugin {name} in tidbrun")
    return _server_error(exc) if params is None else _connect_error(exc, params)


class PyConnection:
    """mysql-connector-python's pure-Python protocol: slower, but it has what the C extension
    does not expose — mysql_info() text and complete column metadata."""

    def __init__(self, params: ConnectParams) -> None:
        connector = _connector()
        kwargs: dict[str, Any] = {
            "user": _wire_text(params.user),
            "password": _wire_text(params.password),
            "database": None if params.select_database else _wire_text(params.database) or None,
            "charset": params.charset,
            "use_unicode": False,
            "client_flags": [_MULTI_STATEMENTS, _MULTI_RESULTS],
            "compress": params.compress,
            "ssl_disabled": not params.ssl,
            "connection_timeout": params.connect_timeout,
            "allow_local_infile": True,
            "autocommit": True,  # the server's default, as libmysqlclient leaves it
            "conn_attrs": dict(_CONNECT_ATTRIBUTES),
        }
        if params.ssl:
            for key in ("ssl_ca", "ssl_cert", "ssl_key"):
                if getattr(params, key):
                    kwargs[key] = getattr(params, key)
            if params.ssl_cipher:
                kwargs["tls_ciphersuites"] = [params.ssl_cipher]
        if params.uses_socket():
            kwargs["unix_socket"] = params.socket
        else:
            kwargs["host"] = "127.0.0.1" if params.host == "localhost" else params.host
            kwargs["port"] = params.port or 3306
        self._cnx = _connection_class()()
        self._cnx._authenticator = _authenticator_class()()
        try:
            # The handshake in the connection's character set, as libmariadb's (the driver's own
            # default is utf8mb4): the server reads the user name in it.
            self._cnx._charset_id = self._cnx._character_set.get_charset_info(params.charset)[0]
        except connector.Error:
            pass
        try:
            self._cnx.connect(**kwargs)
        except connector.Error as exc:
            raise ConnectError(_python_error(exc, params)) from None
        except AttributeError as exc:  # an option the pure-Python driver refuses (a cipher it does not know)
            raise ConnectError(ServerError(2026, "HY000", f"TLS/SSL error: {exc}")) from None
        self.thread_id: int = int(self._cnx.connection_id or 0)
        self.server_version: int = server_version_number(str(self._cnx.server_info or ""))
        if params.select_database and params.database:
            self._select_database(_wire_text(params.database))

    def _select_database(self, database: str) -> None:
        # libmariadb's mysql_select_db() does not read its OK as a statement's: the session state
        # changes it holds stay the login's. A database it may not use leaves the session without one.
        protocol = self._cnx._protocol
        kept = protocol.session_track
        try:
            self._cnx.cmd_init_db(database)
        except _connector().Error:
            pass
        finally:
            protocol.session_track = kept

    def execute(self, sql: str) -> Outcome:
        cnx = self._cnx
        protocol = cnx._protocol
        outcome = Outcome()
        try:
            for res in cnx.cmd_query_iter(sql.encode(ENCODING)):
                if "columns" in res:
                    columns = [Column(c[0], c[9], *c[10]) for c in res["columns"]]
                    raw_rows, eof = cnx.get_rows(raw=True)
                    rows: list[Row] = [
                        tuple(None if v is None else bytes(v).decode(ENCODING) for v in row) for row in raw_rows
                    ]
                    outcome.results.append(Result(columns, rows, len(rows), session_track=protocol.session_track))
                    outcome.warning_count = int((eof or {}).get("warning_count", 0))
                else:
                    info = res.get("info_msg") or None
                    affected = int(res.get("affected_rows", 0))
                    outcome.results.append(Result(None, [], affected, info, protocol.session_track))
                    outcome.warning_count = int(res.get("warning_count", 0))
        except _connector().Error as exc:
            if (exc.errno or -1) < 0:
                # The driver could not decode the message (not UTF-8); read it back raw.
                outcome.error = self._error_from_diagnostics()
            else:
                outcome.error = _server_error(exc)
        return outcome

    def _error_from_diagnostics(self) -> ServerError:
        try:
            self._cnx.cmd_query(b"SHOW WARNINGS")
            rows, _ = self._cnx.get_rows(raw=True)
        except _connector().Error:
            return ServerError(2013, "HY000", "error with an undecodable message")
        return _first_error(rows)

    def abort(self) -> bool:
        """Cut the socket under a statement the server will not end (runner.sessions.socket_cut)."""
        sock = getattr(getattr(self._cnx, "_socket", None), "sock", None)
        return sock is not None and socket_cut.cut(sock.fileno())

    def ping(self) -> bool:
        # libmariadb's mysql_ping() does not read its OK as a statement's: the session state
        # changes it holds stay those of the last statement.
        protocol = self._cnx._protocol
        kept = protocol.session_track
        try:
            self._cnx.ping()
            return True
        except _connector().Error:
            return False
        finally:
            protocol.session_track = kept

    def change_user(self, user: str, password: str, database: str) -> None:
        try:
            self._cnx.cmd_change_user(
                username=_wire_text(user), password=_wire_text(password), database=_wire_text(database)
            )
        except _connector().Error as exc:
            error = _python_error(exc)
            if not 1000 <= (getattr(exc, "errno", None) or -1) < 2000:
                # The client gave up in the middle of the exchange: the server still waits for
                # its answer, so the connection cannot be used any more.
                self.close()
            raise ConnectError(error) from None

    def reset_connection(self) -> None:
        self._cnx.cmd_reset_connection()

    def close(self) -> None:
        try:
            self._cnx.close()
        except Exception:
            pass


_VERSION = re.compile(r"(\d+)\.(\d+)\.(\d+)")


def server_version_number(info: str) -> int:
    """``10.11.19-MariaDB`` → 101119, as libmariadb computes it: the "5.5.5-" that MariaDB puts
    before its version for old clients is skipped."""
    m = _VERSION.match(info.removeprefix("5.5.5-"))
    return int(m.group(1)) * 10000 + int(m.group(2)) * 100 + int(m.group(3)) if m else 0


def _text(value: Any) -> str:
    return value.decode(ENCODING) if type(value) is bytes or isinstance(value, bytes | bytearray) else str(value)


def connect(params: ConnectParams) -> Connection:
    if params.python_protocol or not HAVE_CEXT or not _c_library_takes(params.user):
        return PyConnection(params)
    try:
        return CConnection(params)
    except PythonProtocolNeeded:
        # The account's authentication needs what only the Python protocol has (runner.sessions.auth_plugins).
        return PyConnection(params)


def connect_complete(params: ConnectParams) -> Connection:
    """For tests that print mysql_info() or full metadata, which only the protocol path has."""
    return PyConnection(params)
