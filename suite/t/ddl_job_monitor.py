"""The job monitor: one connection starts a long DDL, another polls the server's jobs until it ends.

``ddl`` fills a table (``--var rows=N``, default 5000) and sends ``ALTER TABLE … ADD INDEX``;
``monitor`` holds the table in an open transaction first, so the DDL is certain to be seen
running (it waits for that transaction), then commits and polls until the job has finished —
TiDB's ``ADMIN SHOW DDL JOBS``, MariaDB's and MySQL's processlist, as ``tidbrun jobs`` reads them
(``runner.tidb.jobs``). Only what does not depend on timing is echoed.
"""

from runner.statemachine import Context, SqlError, StateMachine, states
from runner.tidb.jobs import Job, JobWatcher, QueryError

ddl = StateMachine("ddl", start="creating_table")
monitor = StateMachine("monitor", start="holding_table")

TABLE = "monitored"


def watcher(ctx: Context) -> JobWatcher:
    def query(sql: str) -> tuple[list[str], list[tuple[str | None, ...]]]:
        try:
            rows = ctx.sql(sql)
        except SqlError as exc:
            raise QueryError(exc.errno, exc.message) from None
        return rows.columns, list(rows)

    return JobWatcher(query, ctx.flavour)


def is_our_index_job(job: Job) -> bool:
    if job.kind == "ddl":  # TiDB: a DDL job on our table
        return job.target.endswith(f".{TABLE}") and "index" in job.what.lower()
    return f"ALTER TABLE {TABLE}" in job.what  # elsewhere: our statement in the processlist


# -- ddl ----------------------------------------------------------------------------------------


@ddl.state()
def creating_table(ctx: Context) -> str:
    rows = ctx.var("rows", 5000)
    ctx.sql(f"CREATE TABLE {TABLE} (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB")
    for start in range(1, rows + 1, 1000):
        values = ", ".join(f"({i}, {i * 7919 % 10007})" for i in range(start, min(start + 1000, rows + 1)))
        ctx.sql(f"INSERT INTO {TABLE} VALUES {values}")
    count = ctx.sql(f"SELECT COUNT(*) FROM {TABLE}").scalar()
    ctx.echo("ddl: table filled with the rows asked for:", count == str(rows))
    ctx.signal("filled")
    return "adding_index"


@ddl.state()
def adding_index(ctx: Context) -> str:
    ctx.wait_for("held")
    ctx.send(f"ALTER TABLE {TABLE} ADD INDEX by_v (v)")
    ctx.echo("ddl: sent ALTER TABLE ... ADD INDEX")
    ctx.signal("sent")
    ctx.wait_for("finished")
    ctx.reap()
    ctx.echo("ddl: ALTER TABLE returned")
    return "verifying_index"


@ddl.state()
def verifying_index(ctx: Context) -> str:
    indexes = {row[2] for row in ctx.sql(f"SHOW INDEX FROM {TABLE}")}
    ctx.echo("ddl: the table has the new index:", "by_v" in indexes)
    ctx.sql(f"DROP TABLE {TABLE}")
    return states.COMPLETED


# -- monitor ------------------------------------------------------------------------------------


@monitor.state()
def holding_table(ctx: Context) -> str:
    ctx.wait_for("filled")
    ctx.sql("BEGIN")
    ctx.sql(f"SELECT COUNT(*) FROM {TABLE}")
    ctx.echo("monitor: holds the table in an open transaction")
    ctx.signal("held")
    return "seeing_job"


@monitor.state()
def seeing_job(ctx: Context) -> str:
    ctx.wait_for("sent")
    jobs = watcher(ctx)
    running = ctx.poll(lambda: [j for j in jobs.poll().jobs if j.active and is_our_index_job(j)],
                       every=0.05, what="the ALTER TABLE showing up as a running job")
    ctx.echo("monitor: the ALTER TABLE is a running job")
    ctx.sql("COMMIT")
    ctx.echo("monitor: committed; polling until the job ends")
    return "polling_job"


@monitor.state()
def polling_job(ctx: Context) -> str:
    jobs = watcher(ctx)
    ctx.poll(lambda: not any(j.active and is_our_index_job(j) for j in jobs.poll().jobs), every=0.1,
             what="the ALTER TABLE job ending")
    ctx.echo("monitor: the job has ended")
    ctx.signal("finished")
    return states.COMPLETED
