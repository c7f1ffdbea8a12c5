"""A state machine: the standard workflow plus the test's own states, each with its handler.

A handler is a class with ``enter(ctx)``, ``execute(ctx) -> next state`` and ``exit(ctx)``
(subclass ``Handler``), or a function ``f(ctx) -> next state`` registered with ``@machine.state()``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import overload

from runner.statemachine.context import Context
from runner.statemachine.states import COMPLETED, ERROR, FINAL, HANDLERS, INITIAL


class Handler:
    """One state's handler. ``execute`` returns the name of the next state."""

    def enter(self, ctx: Context) -> None:
        """Called when the machine enters the state."""

    def execute(self, ctx: Context) -> str:
        raise NotImplementedError(f"{type(self).__name__}.execute must return the next state")

    def exit(self, ctx: Context) -> None:
        """Called when the machine leaves the state (after ``execute`` returned)."""


class FunctionHandler(Handler):
    def __init__(self, function: Callable[[Context], str]) -> None:
        self.function = function

    def execute(self, ctx: Context) -> str:
        return self.function(ctx)


HandlerLike = Handler | type[Handler] | Callable[[Context], str]


class StateMachine:
    """One connection's workflow. ``start``: the state ``getting_version`` hands over to (the
    test's first own state); without one the machine completes after the standard workflow."""

    def __init__(self, name: str = "default", *, start: str | None = None) -> None:
        self.name = name
        self.start = start or COMPLETED
        self.handlers: dict[str, Handler] = {name: FunctionHandler(handler) for name, handler in HANDLERS.items()}

    @overload
    def state(self, name: HandlerLike) -> HandlerLike: ...

    @overload
    def state(self, name: str | None = None) -> Callable[[HandlerLike], HandlerLike]: ...

    def state(self, name: str | HandlerLike | None = None) -> HandlerLike | Callable[[HandlerLike], HandlerLike]:
        """Decorator: ``@machine.state("checking")`` on a function or a Handler class (the name
        defaults to the function's or class's); replaces the standard handler of that name."""
        if name is not None and not isinstance(name, str):
            return self.add(_default_name(name), name)

        def register(handler: HandlerLike) -> HandlerLike:
            self.add(name or _default_name(handler), handler)
            return handler

        return register

    def add(self, name: str, handler: HandlerLike) -> HandlerLike:
        if name in FINAL:
            raise ValueError(f"state '{name}' ends a machine: it has no handler")
        if isinstance(handler, type):
            if not issubclass(handler, Handler):
                raise TypeError(f"state '{name}': a handler class derives from Handler, {handler!r} does not")
            self.handlers[name] = handler()
        elif isinstance(handler, Handler):
            self.handlers[name] = handler
        elif callable(handler):
            self.handlers[name] = FunctionHandler(handler)
        else:
            raise TypeError(f"state '{name}': a handler is a Handler or a function, not {handler!r}")
        return handler

    def run(self, ctx: Context) -> None:
        """From ``initial`` to ``completed``; a handler's exception goes up (the coordinator
        reports it); ``error`` fails the test."""
        state = INITIAL
        while state not in FINAL:
            handler = self.handlers.get(state)
            if handler is None:
                known = ", ".join(sorted(self.handlers))
                ctx.fail(f"machine '{self.name}' has no state '{state}' (its states: {known})")
                return
            ctx.enter_state(state)
            handler.enter(ctx)
            following = handler.execute(ctx)
            if not isinstance(following, str):
                ctx.fail(f"the handler of state '{state}' returned {following!r}, not the name of the next state")
            handler.exit(ctx)
            state = following
        ctx.enter_state(state)
        if state == ERROR:
            ctx.fail(f"machine '{self.name}' ended in state 'error'")


def _default_name(handler: object) -> str:
    name = getattr(handler, "__name__", None)
    if not isinstance(name, str):
        raise TypeError(f"give the state a name: @machine.state('name') on {handler!r}")
    return name
