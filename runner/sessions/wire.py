"""Pieces of the client protocol that mariadb-test shows and mysql-connector-python's pure-Python
protocol does not read: MariaDB's extended capabilities and column metadata, and the session
state changes of an OK packet. Pure functions over packet bytes (runner.sessions.driver uses them).
"""

from __future__ import annotations

import struct

ENCODING = "latin-1"

# Session state changes (CLIENT_SESSION_TRACK), grouped by tracker type in ascending order, each
# with its items in the order the server sent them: a system variable is two items, name and value.
SessionTrack = tuple[tuple[int, tuple[str, ...]], ...]

# What the pure-Python protocol negotiates as libmariadb does. A MariaDB server clears CLIENT_MYSQL
# (the old CLIENT_LONG_PASSWORD) in its handshake and puts its extended capabilities in the
# handshake's filler; a client that clears it too sends its own in the filler of its answer.
CLIENT_MYSQL, SESSION_TRACK = 1, 1 << 23
MARIADB_EXTENDED_METADATA = 1 << 3  # of the extended capabilities (bit 35 of the 64-bit set)
_SERVER_SESSION_STATE_CHANGED = 1 << 14
# Session state tracker types (enum_session_state_type).
_TRACK_SYSTEM_VARIABLES, _TRACK_SCHEMA, _TRACK_STATE_CHANGE = 0, 1, 2
_TRACK_TRANSACTION_CHARACTERISTICS, _TRACK_TRANSACTION_TYPE = 4, 5


def _lenenc_int(data: bytes, pos: int) -> tuple[int, int]:
    """A length-encoded integer at ``pos``: its value and the position after it."""
    first = data[pos]
    if first < 0xFB:
        return first, pos + 1
    if first == 0xFB:  # NULL, which these fields do not use: read as empty, as libmariadb does
        return 0, pos + 1
    size = {0xFC: 2, 0xFD: 3}.get(first, 8)
    return int.from_bytes(data[pos + 1 : pos + 1 + size], "little"), pos + 1 + size


def _lenenc_bytes(data: bytes, pos: int) -> tuple[bytes, int]:
    length, pos = _lenenc_int(data, pos)
    return data[pos : pos + length], pos + length


def parse_extended_metadata(data: bytes) -> tuple[str, str]:
    """(data type name, format name) from MariaDB's extended metadata of a column: (key byte,
    length-encoded value) pairs, key 0 the type name, 1 the format name."""
    found: dict[int, str] = {}
    pos = 0
    while pos < len(data):
        value, after = _lenenc_bytes(data, pos + 1)
        found[data[pos]] = value.decode(ENCODING)
        pos = after
    return found.get(0, ""), found.get(1, "")


def parse_session_track(payload: bytes) -> SessionTrack:
    """The session state changes of an OK packet (``payload`` from its header byte on), read as
    libmariadb reads them: a system variable is a name and a value, the state change flag its raw
    bytes, schema and transaction trackers one string; other trackers are not kept."""
    _, pos = _lenenc_int(payload, 1)  # affected rows
    _, pos = _lenenc_int(payload, pos)  # last insert id
    (status,) = struct.unpack_from("<H", payload, pos)
    pos += 4  # status flags, warning count
    if not status & _SERVER_SESSION_STATE_CHANGED or pos >= len(payload):
        return ()
    _, pos = _lenenc_bytes(payload, pos)  # info
    block, _ = _lenenc_bytes(payload, pos)
    changes: dict[int, list[bytes]] = {}
    pos = 0
    while pos < len(block):
        kind, pos = _lenenc_int(block, pos)
        entity, pos = _lenenc_bytes(block, pos)
        if kind == _TRACK_SYSTEM_VARIABLES:
            name, after = _lenenc_bytes(entity, 0)
            changes.setdefault(kind, []).extend((name, _lenenc_bytes(entity, after)[0]))
        elif kind == _TRACK_STATE_CHANGE:
            changes.setdefault(kind, []).append(entity)
        elif kind in (_TRACK_SCHEMA, _TRACK_TRANSACTION_CHARACTERISTICS, _TRACK_TRANSACTION_TYPE):
            changes.setdefault(kind, []).append(_lenenc_bytes(entity, 0)[0])
    return tuple((kind, tuple(v.decode(ENCODING) for v in changes[kind])) for kind in sorted(changes))


def with_extended_capabilities(payload: bytes, extended: int) -> bytes:
    """A handshake response or SSL request with MariaDB's extended client capabilities in the last
    4 bytes of its 23-byte filler (after capabilities, max packet size and character set)."""
    return payload[:28] + struct.pack("<I", extended) + payload[32:]
