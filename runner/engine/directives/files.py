"""Files and processes: write_file … diff_files, exec, system, perl.

A failing file command returns an error code the test may expect with ``--error`` (1 for most,
2 for files that differ), as mysqltest's commands do.
"""

from __future__ import annotations

import contextlib
import errno as errno_codes
import fnmatch
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from runner.engine.directives.registry import directive
from runner.engine.outcomes import TestFailure
from runner.language.arguments import command_args, extra_argument, split_quoted
from runner.sessions.driver import ENCODING

if TYPE_CHECKING:
    from runner.engine.interpreter import Interpreter
    from runner.language.records import Command


def _args(ctx: Interpreter, cmd: Command, minimum: int, maximum: int) -> list[str]:
    words = split_quoted(ctx.expand(cmd.argument))
    if not minimum <= len(words) <= maximum:
        raise TestFailure(cmd.location, f"{cmd.name}: wrong number of arguments ({len(words)})")
    return words


def _path(ctx: Interpreter, name: str) -> Path:
    path = Path(name)
    return path if path.is_absolute() else ctx.paths.basedir / path


def command_outcome(ctx: Interpreter, cmd: Command, code: int, err: int = 0, os_err: int | None = None) -> None:
    """Check a command's result code against ``--error``; 0 is success."""
    expected = ctx.take_expected()
    detail = f"  my_errno: {err}  errno: {err if os_err is None else os_err}"
    if expected is None:
        if code:
            raise TestFailure(cmd.location, f'command "{cmd.name}" failed with error: {code}{detail}')
        return
    if expected.matches(code, ""):
        return
    if code == 0:
        raise TestFailure(
            cmd.location, f'command "{cmd.name}" succeeded - should have failed with errno {expected.codes[0]}...'
        )
    raise TestFailure(cmd.location, f'command "{cmd.name}" failed with wrong error: {code}{detail}')


def _try(ctx: Interpreter, cmd: Command, action: object) -> None:
    try:
        action()  # type: ignore[operator]
    except OSError as exc:
        command_outcome(ctx, cmd, 1, exc.errno or 0)
        return
    command_outcome(ctx, cmd, 0)


def _write(ctx: Interpreter, cmd: Command, mode: str) -> None:
    words = split_quoted(ctx.expand(cmd.argument))
    if not words:
        raise TestFailure(cmd.location, f"{cmd.name} needs a file name")
    path = _path(ctx, words[0])
    if mode == "x" and path.exists():
        raise TestFailure(cmd.location, f"File already exist: '{words[0]}'")
    data = (cmd.body or "").encode(ENCODING)
    with open(path, "ab" if mode == "a" else "wb") as handle:
        handle.write(data)


@directive("write_file")
def write_file(ctx: Interpreter, cmd: Command) -> None:
    _write(ctx, cmd, "x")


@directive("append_file")
def append_file(ctx: Interpreter, cmd: Command) -> None:
    _write(ctx, cmd, "a")


@directive("write_line")
def write_line(ctx: Interpreter, cmd: Command) -> None:
    # Split before expanding, as mysqltest does: restart_mysqld.inc writes
    # "restart: $restart_parameters", whose value keeps its own quotes (--x='a->b').
    (line, name), extra = command_args(cmd.argument, 2)
    line, name = ctx.expand(line), ctx.expand(name)
    if not name:
        raise TestFailure(cmd.location, "Missing required argument 'filename' to command 'write_line'")
    junk = extra_argument(extra)
    if junk is not None:
        raise TestFailure(cmd.location, f"Extra argument '{junk}' passed to 'write_line'")
    with open(_path(ctx, name), "wb") as handle:
        handle.write((line + "\n").encode(ENCODING))


@directive("cat_file", consumes_modifiers=True)
def cat_file(ctx: Interpreter, cmd: Command) -> None:
    (name,) = _args(ctx, cmd, 1, 1)
    try:
        data = _path(ctx, name).read_bytes()
    except OSError as exc:
        command_outcome(ctx, cmd, 1, exc.errno or 0)
        return
    command_outcome(ctx, cmd, 0)
    text = data.decode(ENCODING)
    # Replacements see the file as one piece (a regex may span lines), unlike exec's lines.
    replace = ctx.view().replace
    ctx.out.append(replace(text) if replace else text)


@directive("remove_file")
def remove_file(ctx: Interpreter, cmd: Command) -> None:
    (name,) = _args(ctx, cmd, 1, 2)[:1]
    _try(ctx, cmd, _path(ctx, name).unlink)


@directive("remove_files_wildcard")
def remove_files_wildcard(ctx: Interpreter, cmd: Command) -> None:
    words = _args(ctx, cmd, 1, 2)
    directory = _path(ctx, words[0])
    pattern = words[1] if len(words) > 1 else "*"

    def remove() -> None:
        for entry in os.listdir(directory):
            if fnmatch.fnmatchcase(entry, pattern) and (directory / entry).is_file():
                (directory / entry).unlink()

    _try(ctx, cmd, remove)


@directive("file_exists")
def file_exists(ctx: Interpreter, cmd: Command) -> None:
    (name,) = _args(ctx, cmd, 1, 2)[:1]
    exists = _path(ctx, name).exists()
    command_outcome(ctx, cmd, 0 if exists else 1, 0 if exists else errno_codes.ENOENT)


@directive("copy_file")
def copy_file(ctx: Interpreter, cmd: Command) -> None:
    source, target = _args(ctx, cmd, 2, 3)[:2]

    def copy() -> None:
        if _path(ctx, target).exists():
            raise FileExistsError(errno_codes.EEXIST, "exists")
        shutil.copyfile(_path(ctx, source), _path(ctx, target))

    _try(ctx, cmd, copy)


@directive("move_file")
def move_file(ctx: Interpreter, cmd: Command) -> None:
    source, target = _args(ctx, cmd, 2, 2)
    _try(ctx, cmd, lambda: os.replace(_path(ctx, source), _path(ctx, target)))


@directive("mkdir")
def mkdir(ctx: Interpreter, cmd: Command) -> None:
    (name,) = _args(ctx, cmd, 1, 1)
    _try(ctx, cmd, _path(ctx, name).mkdir)


@directive("rmdir")
def rmdir(ctx: Interpreter, cmd: Command) -> None:
    (name,) = _args(ctx, cmd, 1, 1)
    _try(ctx, cmd, lambda: shutil.rmtree(_path(ctx, name)))


@directive("chmod")
def chmod(ctx: Interpreter, cmd: Command) -> None:
    mode, name = _args(ctx, cmd, 2, 2)
    try:
        bits = int(mode, 8)
    except ValueError:
        raise TestFailure(cmd.location, f"chmod: '{mode}' is not an octal mode") from None
    _try(ctx, cmd, lambda: os.chmod(_path(ctx, name), bits))


def _listing(ctx: Interpreter, directory: str, pattern: str | None) -> str:
    # mysqltest asks my_dir for a sorted listing (byte order).
    names = sorted(
        n for n in os.listdir(_path(ctx, directory)) if pattern is None or fnmatch.fnmatchcase(n, pattern)
    )
    return "".join(n + "\n" for n in names)


@directive("list_files", consumes_modifiers=True)
def list_files(ctx: Interpreter, cmd: Command) -> None:
    words = _args(ctx, cmd, 1, 2)
    try:
        text = _listing(ctx, words[0], words[1] if len(words) > 1 else None)
    except OSError as exc:
        command_outcome(ctx, cmd, 1, exc.errno or 0)
        return
    command_outcome(ctx, cmd, 0)
    ctx.out.append(_transform_lines(ctx, text))


def _list_into(ctx: Interpreter, cmd: Command, mode: str) -> None:
    words = _args(ctx, cmd, 2, 3)
    text = _listing(ctx, words[1], words[2] if len(words) > 2 else None)
    with open(_path(ctx, words[0]), mode) as handle:
        handle.write(text.encode(ENCODING))


@directive("list_files_write_file")
def list_files_write_file(ctx: Interpreter, cmd: Command) -> None:
    _list_into(ctx, cmd, "wb")


@directive("list_files_append_file")
def list_files_append_file(ctx: Interpreter, cmd: Command) -> None:
    _list_into(ctx, cmd, "ab")


@directive("diff_files")
def diff_files(ctx: Interpreter, cmd: Command) -> None:
    first, second = _args(ctx, cmd, 2, 2)
    try:
        one, two = _path(ctx, first).read_bytes(), _path(ctx, second).read_bytes()
    except OSError as exc:
        command_outcome(ctx, cmd, 1, exc.errno or 0)
        return
    # mysqltest: 1 when the contents differ at equal length, 2 when the lengths differ.
    code = 0 if one == two else (1 if len(one) == len(two) else 2)
    command_outcome(ctx, cmd, code, errno_codes.ENOENT if code else 0, -1 if code else 0)


# -- processes --------------------------------------------------------------------------------


def _transform_lines(ctx: Interpreter, text: str) -> str:
    """exec and list output: replacements per line, then sorting and lower-casing."""
    view = ctx.view()
    if not (view.replace or view.sorted or view.lowercase):
        return text
    lines = [line + "\n" for line in text.split("\n")]
    tail = lines.pop()[:-1]  # text after the last newline (often empty)
    if view.replace:
        # mysqltest hands each line to the replacements with its newline (fgets), and its regex
        # "." matches a newline: /Uptime.*// removes the whole line, not just its text.
        lines = [view.replace(line) for line in lines]
        tail = view.replace(tail) if tail else tail
    if view.sorted:
        lines.sort()
    result = "".join(lines) + tail
    return result.lower() if view.lowercase else result


def _c_string_lines(text: str) -> str:
    """mysqltest reads a command's output with fgets and strlen: a NUL ends its line there."""
    if "\0" not in text:
        return text
    return "".join(line.split("\0", 1)[0] for line in text.splitlines(keepends=True))


def _as_bytes(text: str) -> bytes:
    """A test's text back to its bytes; text from the process's own environment that latin-1
    cannot hold is the system's (a path with CJK characters)."""
    try:
        return text.encode(ENCODING)
    except UnicodeEncodeError:
        return os.fsencode(text)


def _run_process(ctx: Interpreter, argv: list[str]) -> subprocess.CompletedProcess[bytes]:
    # The test's bytes, as written (text is held as latin-1): a UTF-8 user name in a command line
    # must reach the program as the same UTF-8 bytes, not encoded a second time.
    return subprocess.run(
        [arg.encode(ENCODING) for arg in argv],
        cwd=ctx.paths.basedir,
        env={_as_bytes(k): _as_bytes(v) for k, v in ctx.variables.environment.items()},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        check=False,
    )


def _process_outcome(ctx: Interpreter, cmd: Command, label: str, proc: subprocess.CompletedProcess[bytes]) -> None:
    # With the result log off the output is dropped, as mysqltest does.
    output = _c_string_lines(proc.stdout.decode(ENCODING)) if ctx.toggles.result_log else ""
    if proc.stderr:
        ctx.stderr.append(proc.stderr.decode(ENCODING))
    status = proc.returncode if proc.returncode >= 0 else 128 - proc.returncode
    expected = ctx.take_expected()
    if status == 0 and (expected is None or expected.first_is_success):
        ctx.out.append(_transform_lines(ctx, output))
        return
    if status == 0 and expected is not None:
        raise TestFailure(
            cmd.location, f'command "{label}" succeeded - should have failed with errno {expected.codes[0]}...'
        )
    if expected is None and not ctx.toggles.abort_on_error:
        # --disable_abort_on_error: mysqltest keeps the output and goes on.
        ctx.out.append(_transform_lines(ctx, output))
        return
    if expected is None:
        ctx.out.append(_transform_lines(ctx, output))
        raise TestFailure(
            cmd.location,
            f"exec of '{label}' failed, error: {status << 8}, status: {status}, errno: 0\n"
            f"Output from before failure:\n{output}{proc.stderr.decode(ENCODING)}",
        )
    if not expected.matches(status, ""):
        raise TestFailure(cmd.location, f'command "{label}" failed with wrong error: {status}')
    ctx.out.append(_transform_lines(ctx, output))


def _command_line(ctx: Interpreter, cmd: Command) -> str:
    # `\$X` reaches the shell as written, so the shell may expand it (mysqltest keeps escapes).
    return ctx.variables.expand(cmd.argument, keep_escapes=True).strip()


@directive("exec", consumes_modifiers=True)
def exec_(ctx: Interpreter, cmd: Command) -> None:
    command = _command_line(ctx, cmd)
    if not command:
        raise TestFailure(cmd.location, "exec needs a command line")
    _process_outcome(ctx, cmd, command, _run_process(ctx, ["/bin/sh", "-c", command]))


@directive("system")
def system(ctx: Interpreter, cmd: Command) -> None:
    command = _command_line(ctx, cmd)
    proc = _run_process(ctx, ["/bin/sh", "-c", command])
    # system's output goes to mysqltest's stdout, never into the result.
    ctx.stderr.append(proc.stdout.decode(ENCODING) + proc.stderr.decode(ENCODING))
    expected = ctx.take_expected()
    if proc.returncode == 0:
        return
    message = f"system command '{command}' failed"
    if expected is None and ctx.toggles.abort_on_error:
        raise TestFailure(cmd.location, message)
    # Accepted failures are logged in the result, as mysqltest does.
    ctx.out.append(message + "\n")


@directive("perl", consumes_modifiers=True)
def perl(ctx: Interpreter, cmd: Command) -> None:
    with tempfile.NamedTemporaryFile("wb", suffix=".pl", dir=ctx.paths.tmpdir, delete=False) as handle:
        handle.write((cmd.body or "").encode(ENCODING))
        script = handle.name
    try:
        proc = _run_process(ctx, ["perl", script])
    finally:
        with contextlib.suppress(OSError):
            os.unlink(script)
    _process_outcome(ctx, cmd, "perl", proc)
