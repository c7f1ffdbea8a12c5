"""The isolation test as state machines over two connections.

``writer`` creates and fills a table (``--var rows=N``, default 10); ``reader`` opens a transaction
at the isolation level ``--var level=…`` (default REPEATABLE-READ), reads, lets the writer change
every row, and reads again: what it sees the second time is what the level promises. Then the
reader locks a row and the writer's update of it waits for that lock (seen by tidbrun's blocking
detection) until the reader commits. Events order the two machines, so the output is the same on
every run.
"""

from runner.statemachine import Context, StateMachine, states

writer = StateMachine("writer", start="creating_table")
reader = StateMachine("reader", start="starting_transaction")


def expected_sum(ctx: Context, plus: int = 0) -> int:
    rows = ctx.var("rows", 10)
    return 10 * rows * (rows + 1) // 2 + plus * rows


# -- writer -------------------------------------------------------------------------------------


@writer.state()
def creating_table(ctx: Context) -> str:
    ctx.sql("CREATE TABLE accounts (id INT PRIMARY KEY, balance INT NOT NULL) ENGINE=InnoDB")
    ctx.echo("writer: created table accounts")
    return "populating_data"


@writer.state()
def populating_data(ctx: Context) -> str:
    rows = ctx.var("rows", 10)
    ctx.sql("INSERT INTO accounts VALUES " + ", ".join(f"({i}, {i * 10})" for i in range(1, rows + 1)))
    loaded = ctx.sql("SELECT COUNT(*), SUM(balance) FROM accounts")[0]
    ctx.echo("writer: rows loaded as asked:", loaded == (str(rows), str(expected_sum(ctx))))
    ctx.signal("loaded")
    return "changing_rows"


@writer.state()
def changing_rows(ctx: Context) -> str:
    ctx.wait_for("first read")
    changed = ctx.sql("UPDATE accounts SET balance = balance + 1")
    ctx.echo("writer: every row changed and committed:", changed.affected_rows == ctx.var("rows", 10))
    ctx.signal("changed")
    return "updating_locked_row"


@writer.state()
def updating_locked_row(ctx: Context) -> str:
    ctx.wait_for("row locked")
    ctx.send("UPDATE accounts SET balance = 0 WHERE id = 1")
    ctx.signal("update sent")
    ctx.wait_for("reader committed")
    ctx.reap()
    ctx.echo("writer: the update went through after the reader committed")
    ctx.sql("DROP TABLE accounts")
    return states.COMPLETED


# -- reader -------------------------------------------------------------------------------------


@reader.state()
def starting_transaction(ctx: Context) -> str:
    level = ctx.var("level", "REPEATABLE-READ").upper()
    ctx.sql(f"SET SESSION TRANSACTION ISOLATION LEVEL {level.replace('-', ' ')}")
    ctx.wait_for("loaded")
    ctx.sql("BEGIN")
    ctx.local["level"] = level
    ctx.shared["first"] = int(ctx.sql("SELECT SUM(balance) FROM accounts").scalar() or 0)
    ctx.echo(f"reader: began a {level} transaction; its first read sees every row:",
             ctx.shared["first"] == expected_sum(ctx))
    ctx.signal("first read")
    return "reading_again"


@reader.state()
def reading_again(ctx: Context) -> str:
    ctx.wait_for("changed")
    second = int(ctx.sql("SELECT SUM(balance) FROM accounts").scalar() or 0)
    if second == ctx.shared["first"]:
        ctx.echo("reader: the second read sees the rows as they were (a repeatable read)")
    elif second == expected_sum(ctx, plus=1):
        ctx.echo("reader: the second read sees the committed change (read committed)")
    else:
        ctx.fail(f"the second read saw a sum of {second}, neither before nor after the change")
    ctx.sql("COMMIT")
    after = int(ctx.sql("SELECT SUM(balance) FROM accounts").scalar() or 0)
    ctx.echo("reader: after its commit it sees the change:", after == expected_sum(ctx, plus=1))
    return "locking_row"


@reader.state()
def locking_row(ctx: Context) -> str:
    ctx.sql("BEGIN")
    ctx.sql("SELECT balance FROM accounts WHERE id = 1 FOR UPDATE")
    ctx.signal("row locked")
    ctx.wait_for("update sent")
    ctx.wait_blocked("writer")
    ctx.echo("reader: the writer's update waits for the row this transaction locked")
    ctx.sql("COMMIT")
    ctx.signal("reader committed")
    return states.COMPLETED
