"""connect, connection, disconnect, dirty_close, change_user, reset_connection, ping."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from runner.engine.directives.registry import directive
from runner.engine.outcomes import TestFailure
from runner.sessions.client_options import SslFiles, ssl_files
from runner.sessions.driver import ConnectError, ConnectParams, PythonProtocolNeeded
from runner.sessions.session import Session

if TYPE_CHECKING:
    from runner.engine.interpreter import Interpreter
    from runner.language.records import Command

NO_DATABASE = "*NO-ONE*"
_OPTIONS = {"SSL", "COMPRESS", "SHM", "PIPE", "SOCKET", "TCP", "CLEARTEXT", "AUTH", "NOSSL"}


def _arguments(text: str) -> list[str]:
    inner = text.strip()
    if inner.startswith("("):
        inner = inner[1:]
        if inner.rstrip().endswith(")"):
            inner = inner.rstrip()[:-1]
    # Leading blanks of each argument are skipped, trailing ones kept; an argument may be
    # quoted (as mysqltest's argument reader allows).
    return [_unquote(part.lstrip()) for part in inner.split(",")]


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _connect_echo(cmd: Command) -> str:
    # mysqltest logs the command as written, its '(' turned into a blank and ')' dropped.
    text = cmd.text
    if "(" in text:
        text = text.replace("(", " ", 1)
        close = text.rfind(")")
        if close >= 0:
            text = text[:close] + text[close + 1 :]
    return f"{text};\n"

ER_DBACCESS_DENIED_ERROR = 1044


@directive("connect")
def connect(ctx: Interpreter, cmd: Command) -> None:
    args = [ctx.expand(a) for a in _arguments(cmd.argument)]
    args += [""] * (9 - len(args))
    name, host, user, password, database, port, socket, options = args[:8]
    if not name:
        raise TestFailure(cmd.location, "connect needs a connection name")
    if name in ctx.sessions and ctx.sessions[name].state.name != "CLOSED":
        raise TestFailure(cmd.location, f"connection '{name}' already exists")
    defaults = ctx.defaults
    words = options.split()
    charset = ctx.charset
    timeouts = {"READ_TIMEOUT": 0, "WRITE_TIMEOUT": 0, "CONNECT_TIMEOUT": 0}
    cipher: str | None = None
    for word in list(words):
        key, _, value = word.partition("=")
        if key.upper() == "CHARSET" and value:
            charset = value
            words.remove(word)
        elif key.upper() == "SSL-CIPHER" and value:
            cipher = value
            words.remove(word)
        elif key.upper() in timeouts and value.isdigit():
            timeouts[key.upper()] = int(value)
            words.remove(word)
    unknown = [w for w in words if w.upper() not in _OPTIONS]
    if unknown:
        raise TestFailure(cmd.location, f"illegal option to connect: {unknown[0]}")
    upper = {w.upper() for w in words}
    if password == "PASSWORD":
        password = defaults.password
    if database == NO_DATABASE:
        database = ""
    elif not database:
        database = defaults.database
    ssl = "SSL" in upper or cipher is not None
    files = ssl_files(ctx.paths.vardir / "my.cnf") if ssl else SslFiles()
    params = ConnectParams(
        host=host or defaults.host,
        user=user or defaults.user,
        password=password,
        database=database,
        port=int(port) if port.strip().isdigit() else defaults.port,
        socket=socket or defaults.socket,
        compress="COMPRESS" in upper,
        ssl=ssl,
        ssl_ca=files.ca,
        ssl_cert=files.cert,
        ssl_key=files.key,
        ssl_cipher=cipher or files.cipher,
        charset=charset,
        read_timeout=timeouts["READ_TIMEOUT"],
        write_timeout=timeouts["WRITE_TIMEOUT"],
        select_database=not args[4],
    )
    if timeouts["CONNECT_TIMEOUT"]:
        params = replace(params, connect_timeout=timeouts["CONNECT_TIMEOUT"])
    if "TCP" in upper:
        params = replace(params, socket=None)
    expected = ctx.take_expected()
    view = ctx.view()
    chunks: list[str] = []
    log = ctx.toggles.query_log
    if expected is not None and log:
        # With an --error, mysqltest first logs the parameters it connects with.
        shown_db = "" if args[4] == NO_DATABASE else params.database
        shown_pw = "" if password and password == defaults.password and args[3] == "PASSWORD" else password
        line = (
            f"connect({params.host},{params.user},{shown_pw},{shown_db},{params.port},{defaults.socket or ''})"
        )
        chunks.append(f"{view.replace(line) if view.replace else line}{cmd.delimiter}\n")
    echo = _connect_echo(cmd)
    logged = log and ctx.toggles.connect_log
    if logged and expected is not None:
        chunks.append(echo)
    params = ctx.route(name, params, cmd.location)
    session = Session(name, params, ctx.connect, ctx.statement_wrapper)
    try:
        try:
            try:
                session.connect()
            except ConnectError as exc:
                # mysqltest: a connect that names no database uses the default one only where
                # the account may; otherwise it connects without a database (measured on 10.11).
                if args[4] or exc.error is None or exc.error.errno != ER_DBACCESS_DENIED_ERROR:
                    raise
                session = Session(name, replace(params, database=""), ctx.connect, ctx.statement_wrapper)
                session.connect()
        except ConnectError as exc:
            ctx.accept_error(exc.error, expected, view, chunks, f"query '{echo[:-2]}'", cmd.location)
            return
        if expected is not None and not expected.first_is_success:
            raise TestFailure(
                cmd.location,
                f"query '{echo[:-2]}' succeeded - should have failed with error {expected.describe_first()}...",
            )
    finally:
        ctx.out.extend(chunks)
    if logged and expected is None:
        ctx.out.append(echo)
    ctx.set_error_variables(0)
    ctx.sessions[name] = session
    ctx.switch_to(session)


@directive("connection")
def connection(ctx: Interpreter, cmd: Command) -> None:
    name = ctx.expand(cmd.argument).strip()
    session = ctx.session_named(name, cmd.location)
    if ctx.toggles.query_log and ctx.toggles.connect_log:
        ctx.out.append(f"connection {name};\n")
    ctx.switch_to(session)


def _close(ctx: Interpreter, cmd: Command, *, abort: bool = False) -> None:
    name = ctx.expand(cmd.argument).strip()
    session = ctx.session_named(name, cmd.location)
    if ctx.toggles.query_log and ctx.toggles.connect_log:
        # mysqltest logs a dirty_close as a disconnect too.
        ctx.out.append(f"disconnect {name};\n")
    session.close(abort=abort)
    del ctx.sessions[name]
    if ctx.current is session:
        # Statements on a disconnected current connection fail with "server has gone away".
        ctx.current = session
        # mysqltest's close_connection: var_set_int(0xFFFFFFFF) reads back as -1.
        ctx.variables.set("mysql_get_server_version", "-1")
        ctx.variables.set("CURRENT_CONNECTION", "-closed_connection-")


@directive("disconnect")
def disconnect(ctx: Interpreter, cmd: Command) -> None:
    _close(ctx, cmd)


@directive("dirty_close")
def dirty_close(ctx: Interpreter, cmd: Command) -> None:
    _close(ctx, cmd, abort=True)


@directive("change_user")
def change_user(ctx: Interpreter, cmd: Command) -> None:
    args = [ctx.expand(a) for a in _arguments(cmd.argument)] if cmd.argument.strip() else []
    args += [""] * (3 - len(args))
    user, password, database = args[:3]
    session = ctx.session(cmd.location)
    expected = ctx.take_expected()
    # No user: the current one with its password; no database: none (mysql_change_user's way).
    if not user:
        user, password = session.current_user, session.current_password
    # mysqltest's change_user leaves $mysql_errno and $mysql_errname as they were, failed or not.
    saved = {name: ctx.variables.get(name) for name in ("mysql_errno", "mysql_errname")}
    try:
        _change_user(session, user, password, database)
    except ConnectError as exc:
        chunks: list[str] = []
        try:
            ctx.accept_error(exc.error, expected, ctx.view(), chunks, f"query '{cmd.text}'", cmd.location)
        finally:
            ctx.out.extend(chunks)
        ctx.variables.update(saved)
        _keep_or_reconnect(session)
        return
    if expected is not None and not expected.first_is_success:
        raise TestFailure(
            cmd.location,
            f"query '{cmd.text}' succeeded - should have failed with error {expected.describe_first()}...",
        )
    session.current_user, session.current_password = user, password
    session.current_database = database


def _change_user(session: Session, user: str, password: str, database: str) -> None:
    try:
        session.connection.change_user(user, password, database)
    except PythonProtocolNeeded:
        # The C library cannot log in as asked (a client plugin it lacks, a user name it would cut),
        # and may have lost the connection. The session goes on with the pure-Python protocol,
        # logged in as before, and changes user there.
        session.params = replace(
            session.params, user=session.current_user, password=session.current_password, python_protocol=True
        )
        session.reconnect()
        session.connection.change_user(user, password, database)


def _keep_or_reconnect(session: Session) -> None:
    """After a failed change_user. MariaDB keeps the connection, logged in as before, and mysqltest
    goes on with it (its mysql_reconnect() does nothing: reconnect is off). A connection that did
    not survive is opened again, as libmysqlclient's reconnect in MySQL's mysqltest does; if even
    that fails, the next statement reports the lost connection."""
    if session.connection.ping():
        return
    try:
        session.reconnect()
    except ConnectError:
        pass


@directive("reset_connection")
def reset_connection(ctx: Interpreter, cmd: Command) -> None:
    ctx.session(cmd.location).connection.reset_connection()


@directive("ping")
def ping(ctx: Interpreter, cmd: Command) -> None:
    ctx.session(cmd.location).connection.ping()
