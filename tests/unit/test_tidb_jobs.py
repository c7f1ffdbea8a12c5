"""`tidbrun jobs` on recorded TiDB job rows: both SHOW IMPORT JOBS column sets, ADMIN SHOW DDL
JOBS, the processlist, and what the monitor shows over time (plain lines and the table)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from runner.tidb.jobs import (
    DDL_QUERY,
    IMPORT_QUERY,
    MARIADB_QUERY,
    MYSQL_PLAIN_QUERY,
    MYSQL_QUERY,
    Job,
    JobWatcher,
    QueryError,
    Rows,
    Tracker,
    ddl_jobs,
    import_jobs,
    statement_jobs,
)
from runner.tidb.jobs_view import Monitor, render_line, render_table
from tests.recorded_tidb import (
    DDL_COLUMNS,
    DDL_ROWS,
    IMPORT_COLUMNS_13,
    IMPORT_COLUMNS_21,
    IMPORT_ROWS_13,
    IMPORT_ROWS_21,
)


def fake_query(answers: dict[str, list[Rows | QueryError]]) -> Callable[[str], Rows]:
    """Each statement's answers in turn (the last one repeats); raises for a QueryError."""

    def run(sql: str) -> Rows:
        queue = answers[sql]
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, QueryError):
            raise answer
        return answer

    return run


def test_ddl_jobs() -> None:
    jobs = ddl_jobs(DDL_COLUMNS, DDL_ROWS)
    assert [(j.id, j.target, j.what, j.state, j.progress, j.active) for j in jobs] == [
        ("59", "test.t1", "add index", "running", "write reorganization, 88576 rows", True),
        ("60", "test.t2", "add index", "none", "none", True),
        ("58", "test.t2", "create table", "synced", "public", False),
    ]
    assert jobs[0].since == "2020-08-17 07:51:58"
    assert dict(jobs[0].fields)["END_TIME"] == "NULL"


def test_ddl_jobs_of_older_tidb_without_create_and_end_time() -> None:
    columns = [c for c in DDL_COLUMNS if c not in ("CREATE_TIME", "END_TIME")]
    rows = [tuple(v for c, v in zip(DDL_COLUMNS, row, strict=True) if c in columns) for row in DDL_ROWS]
    assert [j.progress for j in ddl_jobs(columns, rows)] == [j.progress for j in ddl_jobs(DDL_COLUMNS, DDL_ROWS)]


def test_import_jobs_13_columns() -> None:
    assert len(IMPORT_COLUMNS_13) == 13
    jobs = import_jobs(IMPORT_COLUMNS_13, IMPORT_ROWS_13)
    assert [(j.id, j.target, j.state, j.progress, j.active) for j in jobs] == [
        ("1", "`test`.`foo`", "finished", "950000 rows of 11GB", False),
        ("2", "`test`.`bar`", "running (importing)", "120000 rows of 277.5GiB", True),
    ]
    assert jobs[1].what == "import /path/to/file.csv"
    assert jobs[1].since == "2023-06-26 14:00:02.000007"


def test_import_jobs_21_columns() -> None:
    assert len(IMPORT_COLUMNS_21) == 21
    jobs = import_jobs(IMPORT_COLUMNS_21, IMPORT_ROWS_21)
    assert [(j.id, j.state, j.progress, j.active) for j in jobs] == [
        ("1", "finished", "950000 rows of 11GB", False),
        ("2", "running (global-sorting)", "encode 1% 10.96MB/s ETA 07:26:03", True),
    ]
    assert dict(jobs[1].fields)["Group_Key"] == "NULL"
    assert len(jobs[1].fields) == 21


def test_statements_from_mariadbs_processlist() -> None:
    columns = ["ID", "USER", "DB", "COMMAND", "TIME_MS", "STATE", "INFO", "STAGE", "MAX_STAGE", "PROGRESS"]
    rows: list[tuple[Any, ...]] = [
        (7450, "root", "shop", "Query", Decimal("414.046"), "copy to tmp table",
         "alter table t\n  modify pad varchar(250)", 1, 2, Decimal("94.670")),
        (7451, "root", None, "Query", Decimal("12.5"), "User sleep", "select sleep(10)", 0, 0, Decimal("0.000")),
    ]  # fmt: skip
    jobs = statement_jobs(columns, rows)
    assert [(j.id, j.target, j.what, j.state, j.progress, j.since) for j in jobs] == [
        ("7450", "shop", "alter table t modify pad varchar(250)", "copy to tmp table", "stage 1/2 94.7%", "0.4s"),
        ("7451", "", "select sleep(10)", "User sleep", "", "0.0s"),
    ]


def test_mysql_stage_progress_and_fallback() -> None:
    columns = ["ID", "USER", "DB", "COMMAND", "TIME", "STATE", "INFO", "WORK_COMPLETED", "WORK_ESTIMATED"]
    row = (12, "root", "test", "Query", 3, "copy to tmp table", "alter table t engine=innodb", 250, 1000)
    watcher = JobWatcher(fake_query({MYSQL_QUERY: [(columns, [row])]}), "mysql")
    assert watcher.poll().jobs[0].progress == "25.0%"
    plain = (columns[:7], [row[:7]])
    denied = QueryError(1142, "SELECT command denied to user 'u'@'%' for table 'threads'")
    watcher = JobWatcher(fake_query({MYSQL_QUERY: [denied], MYSQL_PLAIN_QUERY: [plain]}), "mysql")
    first, second = watcher.poll(), watcher.poll()
    assert first.jobs[0].progress == "" and "SELECT command denied" in first.notes[0]
    assert second.notes == [] and second.jobs[0].since == "3s"


def test_watcher_on_tidb_reads_both_lists() -> None:
    query = fake_query({DDL_QUERY: [(DDL_COLUMNS, DDL_ROWS)], IMPORT_QUERY: [(IMPORT_COLUMNS_21, IMPORT_ROWS_21)]})
    poll = JobWatcher(query, "tidb").poll()
    assert [(j.kind, j.id) for j in poll.jobs] == [("ddl", "59"), ("ddl", "60"), ("ddl", "58"), ("import", "1"),
                                                   ("import", "2")]  # fmt: skip


def test_watcher_on_a_tidb_without_import_into() -> None:
    unknown = QueryError(1064, 'You have an error in your SQL syntax; ... near "IMPORT JOBS"')
    watcher = JobWatcher(fake_query({DDL_QUERY: [(DDL_COLUMNS, DDL_ROWS)], IMPORT_QUERY: [unknown]}), "tidb")
    first = watcher.poll()
    assert len(first.jobs) == 3 and "SHOW IMPORT JOBS is not available" in first.notes[0]
    assert watcher.poll().notes == []  # said once, not asked again


def test_watcher_on_mariadb_uses_the_processlist() -> None:
    columns = ["ID", "USER", "DB", "COMMAND", "TIME_MS", "STATE", "INFO", "STAGE", "MAX_STAGE", "PROGRESS"]
    watcher = JobWatcher(fake_query({MARIADB_QUERY: [(columns, [])]}), "mariadb")
    assert watcher.poll().jobs == []


def test_tracker_shows_active_jobs_and_each_end_once() -> None:
    running = import_jobs(IMPORT_COLUMNS_21, IMPORT_ROWS_21)[1]
    finished = Job("import", "2", running.target, running.what, "finished", "", running.since, False)
    old = ddl_jobs(DDL_COLUMNS, DDL_ROWS)[2]  # finished before we looked: never shown
    tracker = Tracker()
    assert tracker.select([running, old]) == [running]
    assert tracker.select([finished, old]) == [finished]
    assert tracker.select([finished, old]) == []
    statement = statement_jobs(["ID", "INFO", "TIME", "COMMAND"], [(5, "alter table t force", 1, "Query")])[0]
    assert tracker.select([statement]) == [statement]
    ended = tracker.select([])
    assert [(j.kind, j.id, j.state, j.active) for j in ended] == [("statement", "5", "ended", False)]


def test_rendering() -> None:
    jobs = ddl_jobs(DDL_COLUMNS, DDL_ROWS)[:1] + import_jobs(IMPORT_COLUMNS_21, IMPORT_ROWS_21)[1:]
    table = render_table(jobs)
    lines = table.splitlines()
    assert lines[0].split() == ["KIND", "ID", "TARGET", "WHAT", "STATE", "PROGRESS", "SINCE"]
    assert "write reorganization, 88576 rows" in lines[2] and "encode 1% 10.96MB/s ETA 07:26:03" in lines[3]
    assert render_table([]) == "(no running jobs)\n"
    detailed = render_table(jobs[1:], details=True)
    assert "Cur_Step_Total_Size" in detailed and "298GB" in detailed
    assert render_line(jobs[0], "10:00:00") == (
        '10:00:00 ddl 59 state=running progress="write reorganization, 88576 rows" target=test.t1 '
        'since="2020-08-17 07:51:58" what="add index"'
    )
    long = Job("statement", "1", "", "select " + "x" * 100, "Sending data", "", "1.0s", True)
    assert render_line(long, "t").endswith('..."') and "x" * 100 in render_line(long, "t", details=True)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def monitor_over(answers: list[Rows], *, terminal: bool, duration: float, interval: float) -> tuple[str, Clock]:
    clock = Clock()
    out = io.StringIO()
    query = fake_query({DDL_QUERY: list(answers), IMPORT_QUERY: [(IMPORT_COLUMNS_13, [])]})
    monitor = Monitor(
        JobWatcher(query, "tidb"), out, terminal, title="tidbrun jobs on test (tidb),",
        clock=clock.time, sleep=clock.sleep, now=lambda: datetime.datetime(2025, 1, 1, 10, 0, 0),
    )  # fmt: skip
    polls = monitor.run(duration=duration, interval=interval)
    assert polls == len(clock.slept) + 1
    return out.getvalue(), clock


def test_monitor_writes_plain_lines_when_not_on_a_terminal() -> None:
    running = (DDL_COLUMNS, [DDL_ROWS[0]])
    synced_row = (*DDL_ROWS[0][:4], "public", *DDL_ROWS[0][5:10], DDL_ROWS[0][9], "synced")
    synced = (DDL_COLUMNS, [synced_row])
    text, clock = monitor_over([(DDL_COLUMNS, []), running, running, synced], terminal=False, duration=5, interval=1)
    assert clock.slept == [1.0] * 5
    assert text.splitlines() == [
        "10:00:00 no running jobs",
        '10:00:00 ddl 59 state=running progress="write reorganization, 88576 rows" target=test.t1 '
        'since="2020-08-17 07:51:58" what="add index"',
        '10:00:00 ddl 59 state=running progress="write reorganization, 88576 rows" target=test.t1 '
        'since="2020-08-17 07:51:58" what="add index"',
        '10:00:00 ddl 59 state=synced progress="public, 88576 rows" target=test.t1 '
        'since="2020-08-17 07:51:58" what="add index"',
        "10:00:00 no running jobs",
    ]


def test_monitor_redraws_a_table_on_a_terminal() -> None:
    text, _ = monitor_over([(DDL_COLUMNS, DDL_ROWS)], terminal=True, duration=1, interval=0.5)
    frames = text.split("\033[H\033[2J")[1:]
    assert len(frames) == 3
    assert frames[0].startswith("tidbrun jobs on test (tidb), 10:00:00, every 0.5s (Ctrl-C to stop)")
    assert "write reorganization, 88576 rows" in frames[2] and "create table" not in frames[2]


@pytest.mark.parametrize(("duration", "interval", "polls"), [(5, 1, 6), (1, 2, 1), (0.3, 0.1, 4), (0.25, 0.1, 3)])
def test_monitor_duration(duration: float, interval: float, polls: int) -> None:
    _, clock = monitor_over([(DDL_COLUMNS, [])], terminal=False, duration=duration, interval=interval)
    assert len(clock.slept) + 1 == polls
