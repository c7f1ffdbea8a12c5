"""Two machines; one finds a wrong answer and fails, the other is stopped at its wait."""

from runner.statemachine import Context, StateMachine, states

checker = StateMachine("checker", start="checking")
waiter = StateMachine("waiter", start="waiting")


@checker.state()
def checking(ctx: Context) -> str:
    ctx.wait_for("waiter ready")
    total = ctx.sql("SELECT 1 + 1").scalar()
    if total != "3":
        ctx.fail(f"1 + 1 gave {total}, expected 3")
    return states.COMPLETED


@waiter.state()
def waiting(ctx: Context) -> str:
    ctx.signal("waiter ready")
    ctx.wait_for("never signalled")
    return states.COMPLETED
