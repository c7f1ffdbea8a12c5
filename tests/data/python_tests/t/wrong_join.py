"""A deliberately wrong property: a LEFT JOIN does not commute. It must be caught, shrunk to the
smallest counterexample and printed as SQL, with the seed."""

from hypothesis import strategies as st

from runner.statemachine import Context, StateMachine, states
from runner.statemachine.properties import Table, same_rows

machine = StateMachine(start="checking")

small = st.integers(min_value=0, max_value=4)
t1 = Table("t1", {"a": "INT", "b": "INT"}, {"a": small, "b": small})
t2 = Table("t2", {"a": "INT", "c": "INT"}, {"a": small, "c": small})


@machine.state()
def checking(ctx: Context) -> str:
    same_rows(ctx, [t1, t2],
              "SELECT t1.a, t2.c FROM t1 LEFT JOIN t2 ON t1.a = t2.a",
              "SELECT t1.a, t2.c FROM t2 LEFT JOIN t1 ON t1.a = t2.a",
              examples=100)
    return states.COMPLETED
