"""A handler that raises: the test fails at the line that raised, the run goes on."""

from runner.statemachine import Context, StateMachine, states

machine = StateMachine(start="dividing")


@machine.state()
def dividing(ctx: Context) -> str:
    ctx.echo("before")
    rows = ctx.sql("SELECT 0")
    ctx.echo(1 // int(rows.scalar() or 0))
    return states.COMPLETED
