"""What asynchronous work a server is doing: TiDB's DDL and IMPORT INTO jobs, long statements elsewhere.

TiDB: ``ADMIN SHOW DDL JOBS`` (10, 11, 12 or 13 columns by version: END_TIME, CREATE_TIME and
COMMENTS came later) and ``SHOW IMPORT JOBS`` (13 columns up to v8.x; then Last_Update_Time and
the Cur_Step* progress columns, and Group_Key: 21). Columns are taken by name, so every variant
reads the same. MariaDB: ``information_schema.PROCESSLIST``, whose STAGE/MAX_STAGE/PROGRESS
report ALTER TABLE and LOAD DATA progress. MySQL: the processlist, with the current stage's
WORK_COMPLETED/WORK_ESTIMATED from performance_schema when it has them.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

Rows = tuple[list[str], list[tuple[Any, ...]]]
Query = Callable[[str], Rows]

DDL_QUERY = "ADMIN SHOW DDL JOBS"
IMPORT_QUERY = "SHOW IMPORT JOBS"
MARIADB_QUERY = (
    "SELECT ID, USER, DB, COMMAND, TIME_MS, STATE, INFO, STAGE, MAX_STAGE, PROGRESS "
    "FROM information_schema.PROCESSLIST "
    "WHERE ID <> CONNECTION_ID() AND INFO IS NOT NULL AND COMMAND NOT IN ('Sleep', 'Daemon', 'Binlog Dump') "
    "ORDER BY TIME_MS DESC"
)
MYSQL_QUERY = (
    "SELECT p.ID, p.USER, p.DB, p.COMMAND, p.TIME, p.STATE, p.INFO, s.WORK_COMPLETED, s.WORK_ESTIMATED "
    "FROM information_schema.PROCESSLIST p "
    "LEFT JOIN performance_schema.threads t ON t.PROCESSLIST_ID = p.ID "
    "LEFT JOIN performance_schema.events_stages_current s ON s.THREAD_ID = t.THREAD_ID "
    "WHERE p.ID <> CONNECTION_ID() AND p.INFO IS NOT NULL AND p.COMMAND NOT IN ('Sleep', 'Daemon', 'Binlog Dump') "
    "ORDER BY p.TIME DESC"
)
MYSQL_PLAIN_QUERY = (
    "SELECT ID, USER, DB, COMMAND, TIME, STATE, INFO FROM information_schema.PROCESSLIST "
    "WHERE ID <> CONNECTION_ID() AND INFO IS NOT NULL AND COMMAND NOT IN ('Sleep', 'Daemon', 'Binlog Dump') "
    "ORDER BY TIME DESC"
)

DDL_FINISHED = frozenset({"synced", "cancelled", "rollback done"})
IMPORT_FINISHED = frozenset({"finished", "failed", "canceled", "cancelled"})


class QueryError(Exception):
    def __init__(self, errno: int, message: str) -> None:
        super().__init__(f"{errno}: {message}")
        self.errno = errno
        self.message = message


@dataclass(frozen=True, slots=True)
class Job:
    kind: str  # "ddl", "import" or "statement"
    id: str
    target: str  # db.table, or the statement's database
    what: str  # the job type, the data source, or the statement
    state: str
    progress: str
    since: str  # start time, or how long the statement has run
    active: bool
    fields: tuple[tuple[str, str], ...] = ()  # every column as the server sent it

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.id)


@dataclass(slots=True)
class Poll:
    jobs: list[Job]
    notes: list[str] = field(default_factory=list)


def text(value: Any) -> str:
    """A value as a person reads it: NULL for SQL NULL, no trailing zeros on times."""
    if value is None:
        return "NULL"
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, datetime.datetime):
        return value.isoformat(" ")
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _records(columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> list[dict[str, str]]:
    names = [name.upper() for name in columns]
    return [dict(zip(names, map(text, row), strict=False)) for row in rows]


def _fields(columns: Sequence[str], record: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple((name, record[name.upper()]) for name in columns)


def _given(value: str | None) -> bool:
    return value not in (None, "", "NULL")


def ddl_jobs(columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> list[Job]:
    jobs = []
    for record in _records(columns, rows):
        state = record.get("STATE", "")
        schema_state = record.get("SCHEMA_STATE", "")
        row_count = record.get("ROW_COUNT", "")
        progress = schema_state
        if _given(row_count) and row_count != "0":
            progress = f"{schema_state}, {row_count} rows" if schema_state else f"{row_count} rows"
        table = record.get("TABLE_NAME", "")
        database = record.get("DB_NAME", "")
        jobs.append(
            Job(
                kind="ddl",
                id=record.get("JOB_ID", ""),
                target=f"{database}.{table}" if _given(table) else database,
                what=record.get("JOB_TYPE", ""),
                state=state,
                progress=progress,
                since=record.get("START_TIME", ""),
                active=state not in DDL_FINISHED,
                fields=_fields(columns, record),
            )
        )
    return jobs


def import_jobs(columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> list[Job]:
    jobs = []
    for record in _records(columns, rows):
        status = record.get("STATUS", "")
        phase = record.get("PHASE", "")
        step = record.get("CUR_STEP")
        if _given(step):
            parts = [str(step)]
            steps = (("CUR_STEP_PROGRESS_PCT", "{}%"), ("CUR_STEP_SPEED", "{}"), ("CUR_STEP_ETA", "ETA {}"))
            for name, template in steps:
                value = record.get(name)
                if _given(value):
                    parts.append(template.format(value))
            progress = " ".join(parts)
        else:
            progress = f"{record.get('IMPORTED_ROWS', '0')} rows"
            if _given(record.get("SOURCE_FILE_SIZE")):
                progress += f" of {record['SOURCE_FILE_SIZE']}"
        started = record.get("START_TIME", "")
        jobs.append(
            Job(
                kind="import",
                id=record.get("JOB_ID", ""),
                target=record.get("TARGET_TABLE", ""),
                what=f"import {record.get('DATA_SOURCE', '')}",
                state=f"{status} ({phase})" if _given(phase) else status,
                progress=progress,
                since=started if _given(started) else record.get("CREATE_TIME", ""),
                active=status not in IMPORT_FINISHED,
                fields=_fields(columns, record),
            )
        )
    return jobs


def statement_jobs(columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> list[Job]:
    jobs = []
    for record in _records(columns, rows):
        progress = ""
        if _given(record.get("MAX_STAGE")) and record["MAX_STAGE"] != "0":
            progress = f"stage {record.get('STAGE')}/{record['MAX_STAGE']} {_percent(record.get('PROGRESS'))}"
        elif _given(record.get("WORK_ESTIMATED")) and record["WORK_ESTIMATED"] != "0":
            done, total = float(record.get("WORK_COMPLETED") or 0), float(record["WORK_ESTIMATED"])
            progress = f"{100 * done / total:.1f}%"
        if _given(record.get("TIME_MS")):
            since = f"{float(record['TIME_MS']) / 1000:.1f}s"
        else:
            since = f"{record.get('TIME', '0')}s"
        state = record.get("STATE", "")
        jobs.append(
            Job(
                kind="statement",
                id=record.get("ID", ""),
                target=record.get("DB", "") if _given(record.get("DB")) else "",
                what=" ".join(record.get("INFO", "").split()),
                state=state if _given(state) else record.get("COMMAND", ""),
                progress=progress,
                since=since,
                active=True,
                fields=_fields(columns, record),
            )
        )
    return jobs


def _percent(value: str | None) -> str:
    try:
        return f"{float(value or 0):.1f}%"
    except ValueError:
        return f"{value}%"


class JobWatcher:
    """One poll of a server's jobs per call; a query a server does not support is noted once."""

    def __init__(self, query: Query, flavour: str) -> None:
        self.query = query
        self.flavour = flavour
        self._import_supported = True
        self._mysql_stages = True

    def poll(self) -> Poll:
        if self.flavour == "tidb":
            return self._tidb()
        if self.flavour == "mariadb":
            return Poll(statement_jobs(*self.query(MARIADB_QUERY)))
        return self._mysql()

    def _tidb(self) -> Poll:
        jobs = ddl_jobs(*self.query(DDL_QUERY))
        notes = []
        if self._import_supported:
            try:
                jobs += import_jobs(*self.query(IMPORT_QUERY))
            except QueryError as exc:
                # TiDB before IMPORT INTO (v7.2) does not parse the statement.
                self._import_supported = False
                notes.append(f"{IMPORT_QUERY} is not available on this server ({exc.message}); showing DDL jobs only")
        return Poll(jobs, notes)

    def _mysql(self) -> Poll:
        if self._mysql_stages:
            try:
                return Poll(statement_jobs(*self.query(MYSQL_QUERY)))
            except QueryError as exc:
                self._mysql_stages = False
                note = f"no stage progress from performance_schema ({exc.message}); showing the processlist only"
                return Poll(statement_jobs(*self.query(MYSQL_PLAIN_QUERY)), [note])
        return Poll(statement_jobs(*self.query(MYSQL_PLAIN_QUERY)))


@dataclass(slots=True)
class Tracker:
    """Which jobs to show: the active ones, and once more each one that stopped being active."""

    _active: dict[tuple[str, str], Job] = field(default_factory=dict)

    def select(self, jobs: list[Job]) -> list[Job]:
        shown: list[Job] = []
        present = set()
        for job in jobs:
            present.add(job.key)
            if job.active:
                self._active[job.key] = job
                shown.append(job)
            elif self._active.pop(job.key, None) is not None:
                shown.append(job)
        for key in [key for key in self._active if key not in present]:
            gone = self._active.pop(key)
            # Gone from the list (a statement that ended): shown once as ended.
            shown.append(Job(gone.kind, gone.id, gone.target, gone.what, "ended", "", gone.since, False, gone.fields))
        return shown
