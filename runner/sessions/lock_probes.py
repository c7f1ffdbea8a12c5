"""Is a session's running statement waiting for a lock? Probes that ask the server, one per flavour.

A probe runs its queries on a control connection (never a test session) through a ``QueryFn``
and answers for a set of connection ids. Only live sources decide that a statement waits:

- ``information_schema.PROCESSLIST`` state: metadata locks, table-level locks, user locks, FLUSH
  (``Waiting for table metadata lock``, ``Waiting for table level lock``, ``User lock``, …);
- InnoDB row and table locks: ``SHOW ENGINE INNODB STATUS`` (MariaDB, MySQL 5.7, MySQL 8 without
  performance_schema), ``performance_schema.data_lock_waits`` (MySQL 8). InnoDB's
  ``information_schema.INNODB_TRX``/``INNODB_LOCK_WAITS`` come from a cache that is refreshed only
  after 0.1 s without reads, so a fast poll keeps seeing a wait that is over: they only feed the
  report of a timeout, never the decision;
- TiDB: ``information_schema.TIDB_TRX`` (``STATE = 'LockWaiting'``) confirmed by
  ``information_schema.DATA_LOCK_WAITS`` (TiDB enters LockWaiting at the start of every
  pessimistic lock, blocked or not), and ``mysql.tidb_mdl_view`` for DDL held back by a
  metadata lock.

Nothing here sleeps or retries: ``runner.sessions.block_monitor`` polls and confirms.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

Row = dict[str, str | None]  # column name (upper case) → value as text
QueryFn = Callable[[str], list[Row]]


class ProbeError(Exception):
    """A probe query failed (privileges, a table the server does not have)."""


@dataclass(frozen=True, slots=True)
class Wait:
    """What a connection's statement waits for."""

    thread_id: int
    kind: str  # row lock, metadata lock, table lock, user lock, table flush, lock
    detail: str  # the server's own words: a processlist state, the lock InnoDB waits for, …
    blocker: int | None = None  # the connection holding the lock, when the server says

    def describe(self) -> str:
        held = f" (held by connection {self.blocker})" if self.blocker is not None else ""
        return f"connection {self.thread_id} waits for a {self.kind}: {self.detail}{held}"


# Processlist states of a statement that waits for a lock, by what it waits for. MariaDB and MySQL
# word them alike; any other "Waiting for … lock" state counts as a lock wait as well.
_STATE_KINDS = {
    "waiting for table metadata lock": "metadata lock",
    "waiting for schema metadata lock": "metadata lock",
    "waiting for stored function metadata lock": "metadata lock",
    "waiting for stored procedure metadata lock": "metadata lock",
    "waiting for stored package body metadata lock": "metadata lock",
    "waiting for trigger metadata lock": "metadata lock",
    "waiting for event metadata lock": "metadata lock",
    "waiting for tablespace metadata lock": "metadata lock",
    "waiting for backup lock": "metadata lock",
    "waiting for global read lock": "metadata lock",
    "waiting for commit lock": "metadata lock",
    "waiting for table level lock": "table lock",
    "user lock": "user lock",
    "waiting for user lock": "user lock",
    "waiting for table flush": "table flush",
}
_LOCK_STATE = re.compile(r"^waiting for .*\block$", re.IGNORECASE)


def state_kind(state: str | None) -> str | None:
    """The kind of lock a processlist state waits for, or None for a state that is no lock wait."""
    if not state:
        return None
    lowered = state.strip().lower()
    kind = _STATE_KINDS.get(lowered)
    if kind is None and _LOCK_STATE.match(lowered):
        kind = "lock"
    return kind


def _ids(thread_ids: Iterable[int]) -> str:
    return ",".join(str(int(t)) for t in thread_ids) or "NULL"


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


# -- SHOW ENGINE INNODB STATUS ------------------------------------------------------------------


_THREAD_ID = re.compile(r"(?:MariaDB|MySQL) thread id (\d+)")


def innodb_status_waits(status: str) -> dict[int, Wait]:
    """Connections whose transaction is in ``LOCK WAIT``, from the TRANSACTIONS section of
    ``SHOW ENGINE INNODB STATUS`` (computed when asked: never stale)."""
    start = status.find("LIST OF TRANSACTIONS FOR EACH SESSION:")
    if start < 0:
        return {}
    section = status[start:]
    end = re.search(r"\n-{4,}\n[A-Z][A-Z /]+\n-{4,}\n", section)
    if end is not None:
        section = section[: end.start()]
    waits: dict[int, Wait] = {}
    for block in section.split("\n---TRANSACTION ")[1:]:
        lines = block.split("\n")
        if not any(line.startswith("LOCK WAIT") for line in lines):
            continue
        m = _THREAD_ID.search(block)
        if m is None:
            continue
        thread_id = int(m.group(1))
        waits[thread_id] = Wait(thread_id, *_innodb_lock(lines))
    return waits


def _innodb_lock(lines: list[str]) -> tuple[str, str]:
    """(kind, detail) of the lock a ``LOCK WAIT`` transaction waits for."""
    for index, line in enumerate(lines):
        if "FOR THIS LOCK TO BE GRANTED" in line and index + 1 < len(lines):
            lock = lines[index + 1].strip()
            kind = "table lock" if lock.startswith("TABLE LOCK") else "row lock"
            lock = re.sub(r" trx id \d+", "", lock)
            return kind, f"InnoDB {lock}"
    return "row lock", "InnoDB LOCK WAIT"


# -- the probes ---------------------------------------------------------------------------------


_PROCESSLIST = (
    "SELECT ID, COMMAND, TIME, STATE, INFO FROM information_schema.PROCESSLIST WHERE ID IN ({ids}) ORDER BY ID"
)


class _ProcesslistProbe:
    """What MariaDB and MySQL share: lock states in the processlist, InnoDB for row locks."""

    flavour = ""

    def __init__(self, query: QueryFn) -> None:
        self.query = query

    def processlist(self, thread_ids: Sequence[int]) -> dict[int, Row]:
        rows = self.query(_PROCESSLIST.format(ids=_ids(thread_ids)))
        return {tid: row for row in rows if (tid := _int(row.get("ID"))) is not None}

    def waits(self, thread_ids: Sequence[int]) -> dict[int, Wait]:
        waits: dict[int, Wait] = {}
        busy: list[int] = []
        for thread_id, row in self.processlist(thread_ids).items():
            kind = state_kind(row.get("STATE"))
            if kind is not None:
                waits[thread_id] = Wait(thread_id, kind, f"processlist state '{row.get('STATE')}'")
            elif (row.get("COMMAND") or "").lower() in ("query", "execute"):
                busy.append(thread_id)
        if busy:
            waits.update({t: w for t, w in self.row_lock_waits(busy).items() if t in busy})
        return waits

    def row_lock_waits(self, thread_ids: Sequence[int]) -> dict[int, Wait]:
        rows = self.query("SHOW ENGINE INNODB STATUS")
        status = rows[0].get("STATUS") if rows else None
        return innodb_status_waits(status or "")

    def report(self, thread_ids: Sequence[int]) -> list[str]:
        """Lines for a failure report: each connection's processlist row and lock waits."""
        lines = [_processlist_line(t, r) for t, r in self.processlist(thread_ids).items()]
        lines += [w.describe() for w in self.waits(thread_ids).values()]
        for title, sql in self.report_queries(thread_ids):
            try:
                rows = self.query(sql)
            except ProbeError as exc:
                lines.append(f"{title}: not available ({exc})")
                continue
            lines += [f"{title}: " + ", ".join(f"{k.lower()}={v}" for k, v in row.items()) for row in rows]
        return lines

    def report_queries(self, thread_ids: Sequence[int]) -> list[tuple[str, str]]:
        return []


class MariaDBProbe(_ProcesslistProbe):
    """MariaDB: processlist states; InnoDB row locks from SHOW ENGINE INNODB STATUS. The report adds
    INNODB_LOCK_WAITS (who blocks whom, from InnoDB's cached tables) and the metadata locks held,
    from performance_schema or the METADATA_LOCK_INFO plugin when either is there."""

    flavour = "mariadb"

    def __init__(self, query: QueryFn, *, performance_schema: bool = False, metadata_lock_info: bool = False) -> None:
        super().__init__(query)
        self.performance_schema = performance_schema
        self.metadata_lock_info = metadata_lock_info

    def report(self, thread_ids: Sequence[int]) -> list[str]:
        lines = super().report(thread_ids)
        if not (self.metadata_lock_info or self.performance_schema):
            lines.append("metadata locks held: unknown (performance_schema is off and the METADATA_LOCK_INFO "
                         "plugin is not loaded)")
        return lines

    def report_queries(self, thread_ids: Sequence[int]) -> list[tuple[str, str]]:
        ids = _ids(thread_ids)
        queries = [("innodb lock wait", _INNODB_LOCK_WAITS.format(ids=ids))]
        if self.metadata_lock_info:
            queries.append(("metadata lock", _METADATA_LOCK_INFO.format(ids=ids)))
        elif self.performance_schema:
            queries.append(("metadata lock", _PS_METADATA_LOCKS.format(ids=ids)))
        return queries


class MySQLProbe(_ProcesslistProbe):
    """MySQL: processlist states; row locks from performance_schema.data_lock_waits (8.0, live)
    or SHOW ENGINE INNODB STATUS (5.7, or performance_schema off)."""

    flavour = "mysql"

    def __init__(self, query: QueryFn, *, version: tuple[int, ...] = (8, 0), performance_schema: bool = True) -> None:
        super().__init__(query)
        self.data_lock_waits = version >= (8, 0) and performance_schema
        self.performance_schema = performance_schema

    def row_lock_waits(self, thread_ids: Sequence[int]) -> dict[int, Wait]:
        if not self.data_lock_waits:
            return super().row_lock_waits(thread_ids)
        waits: dict[int, Wait] = {}
        for row in self.query(_DATA_LOCK_WAITS.format(ids=_ids(thread_ids))):
            thread_id = _int(row.get("WAITING"))
            if thread_id is None or thread_id in waits:
                continue
            kind = "table lock" if (row.get("LOCK_TYPE") or "").upper() == "TABLE" else "row lock"
            detail = (
                f"InnoDB {row.get('LOCK_MODE')} lock on {row.get('OBJECT_SCHEMA')}.{row.get('OBJECT_NAME')}"
                + (f" index {row.get('INDEX_NAME')}" if row.get("INDEX_NAME") else "")
            )
            waits[thread_id] = Wait(thread_id, kind, detail, _int(row.get("BLOCKING")))
        return waits

    def report_queries(self, thread_ids: Sequence[int]) -> list[tuple[str, str]]:
        ids = _ids(thread_ids)
        if not self.performance_schema:
            return [("innodb lock wait", _INNODB_LOCK_WAITS.format(ids=ids))]
        return [("metadata lock", _PS_METADATA_LOCKS.format(ids=ids))]


class TiDBProbe:
    """TiDB: pessimistic lock waits (TIDB_TRX confirmed by DATA_LOCK_WAITS) and DDL held back by a
    metadata lock (mysql.tidb_mdl_view, v6.3+). TiDB's processlist has no lock states."""

    flavour = "tidb"

    def __init__(self, query: QueryFn) -> None:
        self.query = query
        self.data_lock_waits = True  # until the server says it has no such table
        self.mdl_view = True

    def transactions(self, thread_ids: Sequence[int]) -> dict[int, Row]:
        rows = self.query(_TIDB_TRX.format(ids=_ids(thread_ids)))
        return {tid: row for row in rows if (tid := _int(row.get("SESSION_ID"))) is not None}

    def waits(self, thread_ids: Sequence[int]) -> dict[int, Wait]:
        waits: dict[int, Wait] = {}
        transactions = self.transactions(thread_ids)
        waiting = {tid: row for tid, row in transactions.items() if (row.get("STATE") or "").lower() == "lockwaiting"}
        if waiting:
            waits.update(self._lock_waits(waiting, transactions))
        committing = {tid: row for tid, row in transactions.items() if (row.get("STATE") or "").lower() == "committing"}
        if committing:
            waits.update(self._commit_waits(committing))
        rest = [t for t in thread_ids if t not in waits]
        if rest and self.mdl_view:
            waits.update(self._mdl_waits(rest))
        return waits

    def _lock_waits(self, waiting: dict[int, Row], transactions: dict[int, Row]) -> dict[int, Wait]:
        lock_rows: list[Row] | None = None
        if self.data_lock_waits:
            try:
                lock_rows = self.query(_TIDB_DATA_LOCK_WAITS)
            except ProbeError:
                self.data_lock_waits = False  # older TiDB, or no TiKV lock-wait API (unistore)
        owners = {row.get("ID"): tid for tid, row in waiting.items()}
        waits: dict[int, Wait] = {}
        if lock_rows is None:
            # Without DATA_LOCK_WAITS, LockWaiting alone decides; the monitor's confirmation over
            # time tells an uncontended pessimistic lock (a moment) from a wait.
            for thread_id, trx in waiting.items():
                statement = trx.get("CURRENT_SQL_DIGEST_TEXT")
                waits[thread_id] = Wait(thread_id, "row lock", f"TIDB_TRX state LockWaiting: {statement}")
            return waits
        holders = {row.get("ID"): tid for tid, row in transactions.items()}
        for row in lock_rows:
            tid = owners.get(row.get("TRX_ID"))
            if tid is None or tid in waits:
                continue
            detail = f"key {row.get('KEY')}" + (f" {row.get('KEY_INFO')}" if row.get("KEY_INFO") else "")
            holder = holders.get(row.get("CURRENT_HOLDING_TRX_ID"))
            waits[tid] = Wait(tid, "row lock", f"pessimistic lock on {detail} held by transaction "
                                               f"{row.get('CURRENT_HOLDING_TRX_ID')}", holder)
        return waits

    def _commit_waits(self, committing: dict[int, Row]) -> dict[int, Wait]:
        """An optimistic commit (an autocommit write in TiDB's default pessimistic mode too) that
        meets another transaction's lock backs off until that transaction ends: TIDB_TRX shows it
        'Committing' and DATA_LOCK_WAITS nothing. A commit takes milliseconds, so one that has
        been committing for a whole second (the processlist's TIME, whole seconds) is waiting."""
        waits: dict[int, Wait] = {}
        for tid, row in self.processlist(list(committing)).items():
            seconds = _int(row.get("TIME"))
            if (row.get("COMMAND") or "").lower() == "query" and seconds is not None and seconds >= 1:
                statement = committing[tid].get("CURRENT_SQL_DIGEST_TEXT")
                waits[tid] = Wait(tid, "row lock", f"TIDB_TRX state Committing for {seconds} s: {statement} "
                                                 "(an optimistic commit waiting for another transaction's lock)")
        return waits

    def _mdl_waits(self, thread_ids: Sequence[int]) -> dict[int, Wait]:
        try:
            jobs = self.query(_TIDB_MDL_VIEW)
        except ProbeError:
            self.mdl_view = False  # before v6.3, or metadata locks switched off
            return {}
        if not jobs:
            return {}
        running = {
            tid: _normal(row.get("INFO")) for tid, row in self.processlist(thread_ids).items()
            if (row.get("COMMAND") or "").lower() == "query"
        }
        waits: dict[int, Wait] = {}
        for job in jobs:
            query = _normal(job.get("QUERY"))
            for tid, info in running.items():
                if info and info == query and tid not in waits:
                    waits[tid] = Wait(
                        tid, "metadata lock",
                        f"DDL job {job.get('JOB_ID')} on {job.get('DB_NAME')}.{job.get('TABLE_NAME')}",
                        _int(job.get("SESSION_ID")),
                    )
        return waits

    def processlist(self, thread_ids: Sequence[int]) -> dict[int, Row]:
        rows = self.query(_PROCESSLIST.format(ids=_ids(thread_ids)))
        return {tid: row for row in rows if (tid := _int(row.get("ID"))) is not None}

    def report(self, thread_ids: Sequence[int]) -> list[str]:
        lines = [_processlist_line(t, r) for t, r in self.processlist(thread_ids).items()]
        lines += [
            f"transaction {row.get('ID')} of connection {tid}: state {row.get('STATE')}, "
            f"statement {row.get('CURRENT_SQL_DIGEST_TEXT')}"
            for tid, row in self.transactions(thread_ids).items()
        ]
        lines += [w.describe() for w in self.waits(thread_ids).values()]
        return lines


Probe = MariaDBProbe | MySQLProbe | TiDBProbe


def probe_for(
    flavour: str,
    query: QueryFn,
    *,
    version: tuple[int, ...] = (),
    performance_schema: bool = False,
    metadata_lock_info: bool = False,
) -> Probe:
    """The probe for a server of ``flavour`` (``mariadb``, ``mysql``, ``tidb``) and version."""
    if flavour == "tidb":
        return TiDBProbe(query)
    if flavour == "mysql":
        return MySQLProbe(query, version=version or (8, 0), performance_schema=performance_schema)
    return MariaDBProbe(query, performance_schema=performance_schema, metadata_lock_info=metadata_lock_info)


def parse_version(version_string: str) -> tuple[int, ...]:
    """The server's own version: ``10.11.19-MariaDB`` → (10, 11, 19); TiDB's after ``-TiDB-v``;
    MariaDB's ``5.5.5-`` replication prefix skipped."""
    text = version_string
    tidb = re.search(r"-tidb-v(\d+(?:\.\d+)*)", text, re.IGNORECASE)
    if tidb is not None:
        text = tidb.group(1)
    elif text.startswith("5.5.5-") and "mariadb" in text.lower():
        text = text[len("5.5.5-") :]
    m = re.match(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?", text)
    if m is None:
        return ()
    return tuple(int(part) for part in m.groups() if part is not None)


def _processlist_line(thread_id: int, row: Row) -> str:
    info = row.get("INFO")
    shown = "NULL" if info is None else repr(info if len(info) <= 200 else info[:200] + "…")
    return (
        f"connection {thread_id}: {row.get('COMMAND')} for {row.get('TIME')} s, "
        f"state '{row.get('STATE') or ''}', statement {shown}"
    )


def _normal(sql: str | None) -> str:
    return " ".join((sql or "").split()).rstrip(";").strip().lower()


_INNODB_LOCK_WAITS = (
    "SELECT r.trx_mysql_thread_id AS WAITING, b.trx_mysql_thread_id AS BLOCKING, "
    "w.requested_lock_id AS REQUESTED, w.blocking_lock_id AS HELD "
    "FROM information_schema.INNODB_LOCK_WAITS w "
    "JOIN information_schema.INNODB_TRX r ON r.trx_id = w.requesting_trx_id "
    "JOIN information_schema.INNODB_TRX b ON b.trx_id = w.blocking_trx_id "
    "WHERE r.trx_mysql_thread_id IN ({ids}) OR b.trx_mysql_thread_id IN ({ids})"
)
_METADATA_LOCK_INFO = (
    "SELECT THREAD_ID, LOCK_MODE, LOCK_TYPE, TABLE_SCHEMA, TABLE_NAME "
    "FROM information_schema.METADATA_LOCK_INFO WHERE THREAD_ID IN ({ids})"
)
_PS_METADATA_LOCKS = (
    "SELECT t.PROCESSLIST_ID AS CONNECTION, m.OBJECT_TYPE, m.OBJECT_SCHEMA, m.OBJECT_NAME, m.LOCK_TYPE, "
    "m.LOCK_STATUS FROM performance_schema.metadata_locks m "
    "JOIN performance_schema.threads t ON t.THREAD_ID = m.OWNER_THREAD_ID WHERE t.PROCESSLIST_ID IN ({ids})"
)
_DATA_LOCK_WAITS = (
    "SELECT rt.PROCESSLIST_ID AS WAITING, bt.PROCESSLIST_ID AS BLOCKING, l.OBJECT_SCHEMA, l.OBJECT_NAME, "
    "l.INDEX_NAME, l.LOCK_TYPE, l.LOCK_MODE FROM performance_schema.data_lock_waits w "
    "JOIN performance_schema.threads rt ON rt.THREAD_ID = w.REQUESTING_THREAD_ID "
    "JOIN performance_schema.threads bt ON bt.THREAD_ID = w.BLOCKING_THREAD_ID "
    "JOIN performance_schema.data_locks l ON l.ENGINE_LOCK_ID = w.REQUESTING_ENGINE_LOCK_ID "
    "WHERE rt.PROCESSLIST_ID IN ({ids})"
)
_TIDB_TRX = (
    "SELECT ID, STATE, SESSION_ID, CURRENT_SQL_DIGEST_TEXT, WAITING_START_TIME "
    "FROM information_schema.TIDB_TRX WHERE SESSION_ID IN ({ids})"
)
_TIDB_DATA_LOCK_WAITS = "SELECT `KEY`, KEY_INFO, TRX_ID, CURRENT_HOLDING_TRX_ID FROM information_schema.DATA_LOCK_WAITS"
_TIDB_MDL_VIEW = "SELECT JOB_ID, DB_NAME, TABLE_NAME, QUERY, SESSION_ID FROM mysql.tidb_mdl_view"
