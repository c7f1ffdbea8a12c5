"""Is an error worth trying again? One table, by error number first, then by SQLSTATE class.

transient: the server could not be reached or dropped us, or is briefly unable to serve (too many
connections, shutting down, read-only during a failover, a lock or a TiKV region that will free up).
permanent: trying again gives the same answer (access denied, unknown database, syntax).
unknown: anything else; callers treat it as permanent (no retry), but say "unknown" when reporting.

Only tidbrun's own connections and housekeeping queries are retried on "transient"; a test's
statements never are, since their errors are the test's results.
"""

from __future__ import annotations

import socket
from typing import Any, Literal

Kind = Literal["transient", "permanent", "unknown"]
TRANSIENT: Kind = "transient"
PERMANENT: Kind = "permanent"
UNKNOWN: Kind = "unknown"

# errno -> (symbolic name, kind). Client errors (2xxx) come from libmysqlclient/MariaDB's client,
# 1xxx/3xxx/4xxx from MySQL/MariaDB servers, 8xxx/9xxx from TiDB.
ERRORS: dict[int, tuple[str, Kind]] = {
    # -- transient -------------------------------------------------------------------------------
    1040: ("ER_CON_COUNT_ERROR", TRANSIENT),  # too many connections
    1053: ("ER_SERVER_SHUTDOWN", TRANSIENT),  # server shutdown in progress
    1152: ("ER_ABORTING_CONNECTION", TRANSIENT),
    1158: ("ER_NET_READ_ERROR", TRANSIENT),
    1159: ("ER_NET_READ_INTERRUPTED", TRANSIENT),
    1160: ("ER_NET_ERROR_ON_WRITE", TRANSIENT),
    1161: ("ER_NET_WRITE_INTERRUPTED", TRANSIENT),
    1184: ("ER_NEW_ABORTING_CONNECTION", TRANSIENT),
    1205: ("ER_LOCK_WAIT_TIMEOUT", TRANSIENT),
    1213: ("ER_LOCK_DEADLOCK", TRANSIENT),
    1290: ("ER_OPTION_PREVENTS_STATEMENT", TRANSIENT),  # --read-only while a replica is promoted
    1792: ("ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION", TRANSIENT),
    1836: ("ER_READ_ONLY_MODE", TRANSIENT),
    1927: ("ER_CONNECTION_KILLED", TRANSIENT),
    2002: ("CR_CONNECTION_ERROR", TRANSIENT),  # unix socket: no server listening (yet)
    2003: ("CR_CONN_HOST_ERROR", TRANSIENT),  # TCP: connection refused or timed out
    2006: ("CR_SERVER_GONE_ERROR", TRANSIENT),
    2012: ("CR_SERVER_HANDSHAKE_ERR", TRANSIENT),
    2013: ("CR_SERVER_LOST", TRANSIENT),
    2055: ("CR_SERVER_LOST_EXTENDED", TRANSIENT),
    4031: ("ER_CLIENT_INTERACTION_TIMEOUT", TRANSIENT),
    8027: ("ErrInfoSchemaExpired", TRANSIENT),  # TiDB: schema changed under the statement
    8028: ("ErrInfoSchemaChanged", TRANSIENT),
    9001: ("ErrPDServerTimeout", TRANSIENT),
    9002: ("ErrTiKVServerTimeout", TRANSIENT),
    9003: ("ErrTiKVServerBusy", TRANSIENT),
    9004: ("ErrResolveLockTimeout", TRANSIENT),
    9005: ("ErrRegionUnavailable", TRANSIENT),
    9007: ("ErrWriteConflict", TRANSIENT),
    # -- permanent -------------------------------------------------------------------------------
    1044: ("ER_DBACCESS_DENIED_ERROR", PERMANENT),
    1045: ("ER_ACCESS_DENIED_ERROR", PERMANENT),
    1049: ("ER_BAD_DB_ERROR", PERMANENT),
    1064: ("ER_PARSE_ERROR", PERMANENT),
    1129: ("ER_HOST_IS_BLOCKED", PERMANENT),
    1130: ("ER_HOST_NOT_PRIVILEGED", PERMANENT),
    1142: ("ER_TABLEACCESS_DENIED_ERROR", PERMANENT),
    1146: ("ER_NO_SUCH_TABLE", PERMANENT),
    1227: ("ER_SPECIFIC_ACCESS_DENIED_ERROR", PERMANENT),
    1251: ("ER_NOT_SUPPORTED_AUTH_MODE", PERMANENT),
    1698: ("ER_ACCESS_DENIED_NO_PASSWORD_ERROR", PERMANENT),
    1820: ("ER_MUST_CHANGE_PASSWORD", PERMANENT),
    1862: ("ER_MUST_CHANGE_PASSWORD_LOGIN", PERMANENT),
    2005: ("CR_UNKNOWN_HOST", PERMANENT),
    2026: ("CR_SSL_CONNECTION_ERROR", PERMANENT),
    2059: ("CR_AUTH_PLUGIN_CANNOT_LOAD", PERMANENT),
    2061: ("CR_AUTH_PLUGIN_ERR", PERMANENT),
    3118: ("ER_ACCOUNT_HAS_BEEN_LOCKED", PERMANENT),
    4151: ("ER_ACCOUNT_HAS_BEEN_LOCKED", PERMANENT),  # MariaDB's number for it
    9006: ("ErrGCTooEarly", PERMANENT),
}

# When the number is not in the table: the SQLSTATE class (its first two characters).
SQLSTATE_CLASSES: dict[str, Kind] = {
    "08": TRANSIENT,  # connection exception
    "40": TRANSIENT,  # transaction rollback (serialization failure, deadlock)
    "HYT": TRANSIENT,  # HYT00/HYT01: timeout expired (three characters: checked first)
    "28": PERMANENT,  # invalid authorization specification
    "42": PERMANENT,  # syntax error or access rule violation
    "3D": PERMANENT,  # invalid catalog (database) name
    "0A": PERMANENT,  # feature not supported
}

# Errors raised by the socket layer itself, before any MySQL error number exists.
_TRANSIENT_OS_ERRORS = (ConnectionError, TimeoutError, socket.timeout)


def classify(errno: int | None, sqlstate: str | None = None) -> Kind:
    """The kind of a server or client error, by number, then by SQLSTATE class."""
    if errno is not None and errno in ERRORS:
        return ERRORS[errno][1]
    if sqlstate:
        state = sqlstate.upper()
        for prefix in (state[:3], state[:2]):
            if prefix in SQLSTATE_CLASSES:
                return SQLSTATE_CLASSES[prefix]
    return UNKNOWN


def error_fields(exc: BaseException) -> tuple[int | None, str | None, str]:
    """(errno, SQLSTATE, message) of whatever a driver or tidbrun raised; follows ``__cause__``."""
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 8:
        error = getattr(current, "error", None)  # runner.sessions.driver.ConnectError carries a ServerError
        if error is not None and hasattr(error, "errno"):
            return int(error.errno), getattr(error, "sqlstate", None), str(getattr(error, "message", ""))
        errno = getattr(current, "errno", None)
        if isinstance(errno, int) and errno > 0 and not isinstance(current, OSError):
            sqlstate = getattr(current, "sqlstate", None)
            message = getattr(current, "msg", None) or str(current)
            return errno, sqlstate, str(message)
        current = current.__cause__ or current.__context__
        seen += 1
    return None, None, str(exc)


def classify_exception(exc: BaseException) -> Kind:
    """The kind of an exception from a driver, from ``runner.sessions.driver`` or from tidbrun's own code."""
    kind_attr: Any = getattr(exc, "kind", None)  # tidbrun errors that already know their kind
    if kind_attr in (TRANSIENT, PERMANENT, UNKNOWN):
        return kind_attr  # type: ignore[no-any-return]
    errno, sqlstate, _ = error_fields(exc)
    if errno is not None or sqlstate is not None:
        return classify(errno, sqlstate)
    current: BaseException | None = exc
    while current is not None:
        if isinstance(current, _TRANSIENT_OS_ERRORS):
            return TRANSIENT
        current = current.__cause__
    return UNKNOWN


def error_name(errno: int | None) -> str:
    if errno is None:
        return ""
    entry = ERRORS.get(errno)
    return entry[0] if entry else ""
