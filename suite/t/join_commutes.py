"""A property-based test (TiDB's testing strategy: join commutativity).

hypothesis draws the rows of two tables and a filter value; ``t1 JOIN t2`` and ``t2 JOIN t1``
must return the same rows, in any order. A counterexample is shrunk and printed as the SQL that
reproduces it, with the seed (``--var seed=N`` repeats a run; ``--var examples=N`` draws more).
"""

from hypothesis import strategies as st

from runner.statemachine import Context, StateMachine, states
from runner.statemachine.properties import Table, same_rows

machine = StateMachine(start="checking_joins")

small = st.integers(min_value=0, max_value=4)
t1 = Table("t1", {"a": "INT", "b": "INT"}, {"a": small, "b": st.none() | small})
t2 = Table("t2", {"a": "INT", "c": "INT"}, {"a": st.none() | small, "c": small})


@machine.state()
def checking_joins(ctx: Context) -> str:
    examples = ctx.var("examples", 30)
    same_rows(ctx, [t1, t2],
              "SELECT t1.a, t1.b, t2.c FROM t1 JOIN t2 ON t1.a = t2.a WHERE t2.c >= {least}",
              "SELECT t1.a, t1.b, t2.c FROM t2 JOIN t1 ON t2.a = t1.a WHERE t2.c >= {least}",
              parameters={"least": small}, examples=examples)
    ctx.echo("inner join commutes on every example drawn")
    same_rows(ctx, [t1, t2],
              "SELECT t1.a, t2.c FROM t1 LEFT JOIN t2 ON t1.a = t2.a",
              "SELECT t1.a, t2.c FROM t2 RIGHT JOIN t1 ON t1.a = t2.a",
              examples=examples)
    ctx.echo("t1 LEFT JOIN t2 equals t2 RIGHT JOIN t1 on every example drawn")
    return states.COMPLETED
