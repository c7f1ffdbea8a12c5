"""A handler that never returns and runs no statement: --testcase-timeout interrupts it."""

from runner.statemachine import Context, StateMachine

machine = StateMachine(start="looping")


@machine.state()
def looping(ctx: Context) -> str:
    turns = 0
    while turns >= 0:
        turns += 1
    return "unreachable"
