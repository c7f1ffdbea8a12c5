"""Tests written in Python: state machines over tidbrun's own connections.

A ``*.py`` file in a suite's ``t/`` folder (or named on the command line) is a test. It declares
one ``StateMachine`` per connection at module level; each runs the standard workflow
(``runner.statemachine.states``) and then the test's own states, on a thread of its own. What the
handlers ``echo`` is the test's output, compared with its ``.result`` like any test's::

    from runner.statemachine import Context, StateMachine, states

    machine = StateMachine(start="counting")

    @machine.state()
    def counting(ctx: Context) -> str:
        ctx.query(f"SELECT {ctx.var('rows', 3)} AS n")
        return states.COMPLETED

See docs/python-tests.md for the context, several machines, templated and property-based tests.
"""

from runner.statemachine import states
from runner.statemachine.context import Context, Rows, SqlError, TestConfig
from runner.statemachine.machine import Handler, StateMachine

__all__ = ["Context", "Handler", "Rows", "SqlError", "StateMachine", "TestConfig", "states"]
