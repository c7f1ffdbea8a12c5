"""A chaos schedule: what to do to the server and the load's connections, and when.

```
10s kill; 12s restart; 30s pause 5s; 45s cut 3s; 60s delay 200ms 5s
```

Actions are separated by ``;`` (or new lines); each starts with its time from the start of the
load (``500ms``, ``10s``, ``1.5m``):

``AT kill``               SIGKILL the server (a restart must follow)
``AT restart``            start it again on the same data and port (shut down first if it runs)
``AT pause FOR``          SIGSTOP, and SIGCONT after ``FOR``
``AT cut FOR``            close every connection of the load at the fault proxy and refuse new
                          ones, for ``FOR``
``AT delay LATENCY FOR``  every answer to the load arrives ``LATENCY`` later, for ``FOR``

The schedule is checked before anything starts: times in order, each action possible in the
state the server is in by then (no pause of a killed server, no kill during a pause), cut and
delay windows not overlapping, a server that runs again at the end, and every action over before
the load ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from runner.faults.proxy import MAX_DELAY_SECONDS
from runner.language.quantities import parse_duration

Kind = Literal["kill", "restart", "pause", "cut", "delay"]
SERVER_KINDS: frozenset[str] = frozenset({"kill", "restart", "pause"})
_WORDS: dict[str, int] = {"kill": 0, "restart": 0, "pause": 1, "cut": 1, "delay": 2}
_USAGE = {"kill": "AT kill", "restart": "AT restart", "pause": "AT pause FOR", "cut": "AT cut FOR",
          "delay": "AT delay LATENCY FOR"}
_SEPARATOR = re.compile(r"[;\n]")


class ScheduleError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Action:
    at: float  # seconds from the start of the load
    kind: Kind
    seconds: float = 0.0  # how long a pause, cut or delay lasts
    latency: float = 0.0  # a delay's

    @property
    def end(self) -> float:
        return self.at + self.seconds

    def describe(self) -> str:
        if self.kind == "delay":
            return f"delay {_short(self.latency)} for {_short(self.seconds)}"
        if self.kind in ("pause", "cut"):
            return f"{self.kind} for {_short(self.seconds)}"
        return self.kind


@dataclass(frozen=True, slots=True)
class Schedule:
    actions: tuple[Action, ...]
    text: str

    @property
    def end(self) -> float:
        """When the last action is over."""
        return max((action.end for action in self.actions), default=0.0)

    @property
    def touches_server(self) -> bool:
        """Whether it kills, restarts or pauses the server (which only tidbrun's own server allows)."""
        return any(action.kind in SERVER_KINDS for action in self.actions)


def parse_schedule(text: str) -> Schedule:
    """The schedule in ``text``; ScheduleError says what is wrong, naming the action."""
    actions = [_action(part.strip()) for part in _SEPARATOR.split(text) if part.strip()]
    if not actions:
        raise ScheduleError("the chaos schedule is empty (e.g. '10s kill; 12s restart')")
    _check(actions)
    return Schedule(tuple(actions), text.strip())


def check_fits(schedule: Schedule, duration: float) -> None:
    """Every action over before the load ends (a fault left on would outlast the measurements)."""
    late = next((action for action in schedule.actions if action.end >= duration), None)
    if late is not None:
        raise ScheduleError(
            f"'{_short(late.at)} {late.describe()}' ends at {_short(late.end)}, not before the end of the load "
            f"({_short(duration)}): make --duration longer"
        )


def _action(part: str) -> Action:
    words = part.split()
    if len(words) < 2:
        raise ScheduleError(f"'{part}': an action is a time and what to do, e.g. '10s kill'")
    at = _duration(words[0], part)
    kind = words[1].lower()
    if kind not in _WORDS:
        raise ScheduleError(f"'{part}': unknown action '{words[1]}' (use kill, restart, pause, cut or delay)")
    arguments = words[2:]
    if len(arguments) != _WORDS[kind]:
        raise ScheduleError(f"'{part}': usage: {_USAGE[kind]}")
    if kind in ("kill", "restart"):
        return Action(at, kind)  # type: ignore[arg-type]
    seconds = _duration(arguments[-1], part)
    if seconds <= 0:
        raise ScheduleError(f"'{part}': a {kind} must last longer than 0 s")
    if kind == "delay":
        latency = _duration(arguments[0], part, default_unit="ms")
        if not 0 < latency <= MAX_DELAY_SECONDS:
            raise ScheduleError(f"'{part}': a delay is above 0 and at most {MAX_DELAY_SECONDS:g}s")
        return Action(at, "delay", seconds, latency)
    return Action(at, kind, seconds)  # type: ignore[arg-type]


def _duration(word: str, part: str, default_unit: str = "s") -> float:
    try:
        return parse_duration(word, default_unit=default_unit)
    except ValueError as exc:
        raise ScheduleError(f"'{part}': {exc}") from None


def _check(actions: list[Action]) -> None:
    state = "up"  # the server: up, killed, or paused until paused_until
    paused_until = 0.0
    proxy_until = 0.0
    previous = -1.0
    for action in actions:
        name = f"'{_short(action.at)} {action.describe()}'"
        if action.at < previous:
            raise ScheduleError(f"{name} comes after a later time: list the actions in time order")
        previous = action.at
        if state == "paused" and action.at >= paused_until:
            state = "up"
        if action.kind == "kill":
            if state != "up":
                raise ScheduleError(f"{name}: the server is {state} then")
            state = "killed"
        elif action.kind == "restart":
            if state == "paused":
                raise ScheduleError(f"{name}: the server is paused then")
            state = "up"
        elif action.kind == "pause":
            if state != "up":
                raise ScheduleError(f"{name}: the server is {state} then")
            state, paused_until = "paused", action.end
        else:
            if action.at < proxy_until:
                raise ScheduleError(f"{name} overlaps the cut or delay before it")
            proxy_until = action.end
    if state == "killed":
        raise ScheduleError("the server is left killed: add a restart after the last kill")


def _short(seconds: float) -> str:
    if seconds and seconds < 1:
        return f"{seconds * 1000:g}ms"
    return f"{seconds:g}s"
