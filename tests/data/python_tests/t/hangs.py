"""Two machines: one hangs in a Python loop, one in the server; --testcase-timeout stops both."""

from runner.statemachine import Context, StateMachine, states

spinner = StateMachine("spinner", start="spinning")
sleeper = StateMachine("sleeper", start="sleeping")


@spinner.state()
def spinning(ctx: Context) -> str:
    ctx.shared["spins"] = 0
    while True:
        ctx.shared["spins"] += 1


@sleeper.state()
def sleeping(ctx: Context) -> str:
    ctx.sql("SELECT SLEEP(100)")
    return states.COMPLETED
