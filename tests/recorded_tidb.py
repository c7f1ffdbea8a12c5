"""TiDB at the connection level: recorded rows played back through tidbrun's Connection trait.

TiDB cannot be installed here. These are rows as TiDB returns them, with the shape its docs show:
``SELECT VERSION()`` / ``SELECT TIDB_VERSION()`` (docs: functions-and-operators/tidb-functions.md,
v8.1.2), ``ADMIN SHOW DDL JOBS`` (sql-statement-admin-show-ddl.md, 12 columns) and ``SHOW IMPORT
JOBS`` (sql-statement-show-import-job.md: the 13-column table of v7.x and the 21-column one of
planbuilder.go's importIntoSchemaNames). A statement without a recording is an error, so a test
notices what tidbrun sent that was not expected.
"""

from __future__ import annotations

import datetime
import threading
from dataclasses import dataclass, field

from runner.sessions.driver import Column, ConnectParams, Outcome, Result, ServerError

VERSION = "8.0.11-TiDB-v8.1.2"
TIDB_VERSION = (
    "Release Version: v8.1.2\n"
    "Edition: Community\n"
    "Git Commit Hash: 821e491a20fbab36604b36b647b5bae26a2c1418\n"
    "Git Branch: HEAD\n"
    "UTC Build Time: 2024-12-26 19:16:25\n"
    "GoVersion: go1.21.10\n"
    "Race Enabled: false\n"
    "Check Table Before Drop: false\n"
    "Store: tikv"
)

DDL_COLUMNS = [
    "JOB_ID", "DB_NAME", "TABLE_NAME", "JOB_TYPE", "SCHEMA_STATE", "SCHEMA_ID", "TABLE_ID", "ROW_COUNT",
    "CREATE_TIME", "START_TIME", "END_TIME", "STATE",
]  # fmt: skip
_T = datetime.datetime
DDL_ROWS = [
    (59, "test", "t1", "add index", "write reorganization", 1, 55, 88576,
     _T(2020, 8, 17, 7, 51, 58), _T(2020, 8, 17, 7, 51, 58), None, "running"),
    (60, "test", "t2", "add index", "none", 1, 57, 0,
     _T(2020, 8, 17, 7, 51, 59), _T(2020, 8, 17, 7, 51, 59), None, "none"),
    (58, "test", "t2", "create table", "public", 1, 57, 0,
     _T(2020, 8, 17, 7, 41, 28), _T(2020, 8, 17, 7, 41, 28), _T(2020, 8, 17, 7, 41, 28), "synced"),
]  # fmt: skip

IMPORT_COLUMNS_13 = [
    "Job_ID", "Data_Source", "Target_Table", "Table_ID", "Phase", "Status", "Source_File_Size", "Imported_Rows",
    "Result_Message", "Create_Time", "Start_Time", "End_Time", "Created_By",
]  # fmt: skip
IMPORT_ROWS_13 = [
    (1, "/path/to/file.csv", "`test`.`foo`", 116, "", "finished", "11GB", 950000, "",
     _T(2023, 6, 26, 11, 23, 59, 281257), _T(2023, 6, 26, 11, 23, 59, 484932), _T(2023, 6, 26, 13, 4, 30, 622952),
     "root@%"),
    (2, "/path/to/file.csv", "`test`.`bar`", 118, "importing", "running", "277.5GiB", 120000, "",
     _T(2023, 6, 26, 14, 0, 1, 5), _T(2023, 6, 26, 14, 0, 2, 7), None, "root@%"),
]  # fmt: skip

IMPORT_COLUMNS_21 = [
    "Job_ID", "Group_Key", "Data_Source", "Target_Table", "Table_ID", "Phase", "Status", "Source_File_Size",
    "Imported_Rows", "Result_Message", "Create_Time", "Start_Time", "End_Time", "Created_By", "Last_Update_Time",
    "Cur_Step", "Cur_Step_Processed_Size", "Cur_Step_Total_Size", "Cur_Step_Progress_Pct", "Cur_Step_Speed",
    "Cur_Step_ETA",
]  # fmt: skip
IMPORT_ROWS_21 = [
    (1, None, "/path/to/file.csv", "`test`.`foo`", 116, "", "finished", "11GB", 950000, "",
     _T(2023, 6, 26, 11, 23, 59, 281257), _T(2023, 6, 26, 11, 23, 59, 484932), _T(2023, 6, 26, 13, 4, 30, 622952),
     "root@%", None, None, None, None, None, None, None),
    (2, None, "/path/to/file.csv", "`test`.`bar`", 118, "global-sorting", "running", "277.5GiB", 0, "",
     _T(2025, 7, 9, 10, 40, 18, 580706), _T(2025, 7, 9, 10, 40, 19, 92528), None, "root@%",
     _T(2025, 7, 9, 10, 47, 15), "encode", "4.55GB", "298GB", "1", "10.96MB/s", "07:26:03"),
]  # fmt: skip


def rows(columns: list[str], values: list[tuple[object, ...]]) -> Outcome:
    """A result set as the text protocol brings it (every value text, NULL as None)."""
    text_rows = [tuple(None if v is None else str(v) for v in row) for row in values]
    return Outcome([Result([Column(name) for name in columns], text_rows)])  # type: ignore[arg-type]


def ok() -> Outcome:
    return Outcome([Result(None, [])])


def error(errno: int, sqlstate: str, message: str) -> Outcome:
    return Outcome(error=ServerError(errno, sqlstate, message))


@dataclass
class RecordedTiDB:
    """The server: its databases, the recordings, and every statement each connection sent."""

    # A list plays its outcomes in turn, the last one for ever after.
    recordings: dict[str, Outcome | list[Outcome]] = field(default_factory=dict)
    databases: set[str] = field(default_factory=lambda: {"INFORMATION_SCHEMA", "METRICS_SCHEMA", "mysql", "test"})
    sessions: list[list[str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.recordings.setdefault("SELECT VERSION()", rows(["VERSION()"], [(VERSION,)]))
        self.recordings.setdefault("SELECT tidb_version()", rows(["tidb_version()"], [(TIDB_VERSION,)]))

    def connect(self, params: ConnectParams) -> RecordedConnection:
        with self._lock:
            self.sessions.append([])
            return RecordedConnection(self, self.sessions[-1], len(self.sessions), params.database)

    def answer(self, sql: str, database: str) -> Outcome:
        words = sql.split()
        head = " ".join(words[:2]).upper()
        if head == "SHOW DATABASES":
            return rows(["Database"], [(name,) for name in sorted(self.databases)])
        if head in ("CREATE DATABASE", "DROP DATABASE"):
            name = words[2].strip("`")
            (self.databases.add if head.startswith("CREATE") else self.databases.discard)(name)
            return ok()
        if head == "SHOW WARNINGS":
            return rows(["Level", "Code", "Message"], [])
        recorded = {key.lower(): outcome for key, outcome in self.recordings.items()}.get(sql.lower())
        if isinstance(recorded, list):
            return recorded.pop(0) if len(recorded) > 1 else recorded[0]
        if recorded is not None:
            return recorded
        if words and words[0].upper() == "SET":
            return ok()
        return error(1105, "HY000", f"no recording for {sql!r} (database {database!r})")


@dataclass
class RecordedConnection:
    server: RecordedTiDB
    sent: list[str]
    thread_id: int
    database: str

    round_trips: int = 0

    def execute(self, sql: str) -> Outcome:
        # A multi-statement runs statement by statement and stops at the first error, as on TiDB.
        self.round_trips += 1
        combined = Outcome()
        for statement in split_statements(sql):
            self.sent.append(statement)
            outcome = self.server.answer(statement, self.database)
            if outcome.error is not None:
                combined.error = outcome.error
                return combined
            combined.results.extend(outcome.results)
        return combined

    def close(self) -> None:
        pass

    def ping(self) -> bool:
        return True

    def change_user(self, user: str, password: str, database: str) -> None:
        self.database = database

    def reset_connection(self) -> None:
        pass


def split_statements(sql: str) -> list[str]:
    """``sql`` cut at each ``;`` outside quotes (the set-up's statements have none inside)."""
    statements: list[str] = []
    start, quote = 0, ""
    for index, char in enumerate(sql):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"`":
            quote = char
        elif char == ";":
            statements.append(sql[start:index])
            start = index + 1
    statements.append(sql[start:])
    return [statement for statement in statements if statement.strip()]

