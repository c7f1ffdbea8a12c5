"""mysql-tester's ``--replace_regex``: Go (RE2) patterns and Go replacement templates.

What mysql-tester does (``ParseReplaceRegex``, ``processEscapes`` in util.go; Go's ``regexp``):
- Every ``/`` not preceded by a backslash is a separator, taken three at a time: ``/re/repl/``.
  Text between groups is ignored (no flags); an incomplete group is an error.
- In ``repl``, ``\\n \\t \\r \\/ \\\\`` are unescaped; then ``$1``, ``${1}``, ``${name}`` expand and
  ``$$`` is ``$`` (``Regexp.Expand``). ``$1x`` names the group ``1x`` (which does not exist).
- Every match is replaced, the way Go's ``ReplaceAll`` walks the text: an empty match right after
  a match is not replaced (Python's ``re.sub`` would).
- Go matches UTF-8 text: ``.`` is one character, not one byte. Values here are latin-1 strings
  (one character per byte), so they are read as UTF-8 for matching; bytes that are not UTF-8
  stay single characters.

RE2 syntax is translated to Python's: ``$`` and ``\\z`` are end of text (not before a final
newline), ``\\d \\s \\w \\b`` are ASCII, octal escapes are characters, inline flags may appear
anywhere. What RE2 rejects (backreferences, lookaround, possessive repeats) is rejected here too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from runner.render.transforms import RegexReplace, TransformError

_WORD = "0-9A-Za-z_"
_CLASS_ESCAPES = {"d": "0-9", "s": "\\t\\n\\f\\r ", "w": _WORD}
_PERL_CLASSES = {
    "d": "[0-9]",
    "D": "[^0-9]",
    "s": "[\\t\\n\\f\\r ]",
    "S": "[^\\t\\n\\f\\r ]",
    "w": f"[{_WORD}]",
    "W": f"[^{_WORD}]",
    "b": f"(?:(?<=[{_WORD}])(?![{_WORD}])|(?<![{_WORD}])(?=[{_WORD}]))",
    "B": f"(?:(?<=[{_WORD}])(?=[{_WORD}])|(?<![{_WORD}])(?![{_WORD}]))",
    "A": "\\A",
    "z": "\\Z",
}
_POSIX = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "ascii": "\\x00-\\x7f",
    "blank": "\\t ",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ",
    "upper": "A-Z",
    "word": _WORD,
    "xdigit": "0-9A-Fa-f",
}
_SIMPLE_ESCAPES = {"a": "\\x07", "f": "\\f", "t": "\\t", "n": "\\n", "r": "\\r", "v": "\\v"}
_REPEAT = re.compile(r"\{(\d+)(,(\d*))?\}")
_MAX_REPEAT = 1000
_INLINE_FLAGS = re.compile(r"\(\?([imsU]*)(?:-([imsU]*))?([:)])")


def to_text(value: str) -> str:
    """latin-1 characters (bytes) → the text Go's regexp sees (UTF-8, stray bytes kept)."""
    if value.isascii():
        return value
    return value.encode("latin-1").decode("utf-8", "surrogateescape")


def from_text(value: str) -> str:
    if value.isascii():
        return value
    return value.encode("utf-8", "surrogateescape").decode("latin-1")


class _Translator:
    """One pass over an RE2 pattern, writing the Python pattern that matches the same."""

    def __init__(self, pattern: str) -> None:
        self.src = pattern
        self.pos = 0
        self.out: list[str] = []
        # Per open group: the flags in force, and the scoped-flag groups opened inside it by
        # `(?i)`-style flags (closed with the group, closed and reopened around each `|`).
        self.flags: list[set[str]] = [set()]
        self.scopes: list[list[str]] = [[]]

    def error(self, message: str) -> TransformError:
        return TransformError(f"bad regular expression {self.src!r} in replace_regex: {message}")

    def translate(self) -> str:
        src = self.src
        while self.pos < len(src):
            ch = src[self.pos]
            if ch == "\\":
                self.out.append(self._escape(in_class=False))
            elif ch == "[":
                self.out.append(self._char_class())
            elif ch == "(":
                self._open_group()
            elif ch == ")":
                self._close_group()
            elif ch == "$":
                self.out.append("$" if "m" in self.flags[-1] else "\\Z")
                self.pos += 1
            elif ch in "*+?":
                self._repeat_operator(ch)
            elif ch == "{":
                self._brace()
            elif ch == "|":
                scopes = self.scopes[-1]
                self.out.append(")" * len(scopes) + "|" + "".join(scopes))
                self.pos += 1
            else:
                self.out.append(ch)
                self.pos += 1
        if len(self.flags) > 1:
            raise self.error("missing closing )")
        self.out.append(")" * len(self.scopes[0]))
        return "".join(self.out)

    # -- pieces ----------------------------------------------------------------------------------

    def _repeat_operator(self, op: str) -> None:
        self.pos += 1
        nxt = self.src[self.pos : self.pos + 1]
        if nxt in ("*", "+") or (nxt == "?" and self.src[self.pos + 1 : self.pos + 2] in ("*", "+", "?")):
            raise self.error(f"invalid nested repetition operator: {op}{nxt}")
        self.out.append(op)

    def _brace(self) -> None:
        m = _REPEAT.match(self.src, self.pos)
        if m is None:
            self.out.append("\\{")  # RE2 reads a `{` that starts no repeat as a literal
            self.pos += 1
            return
        low = int(m.group(1))
        high = m.group(3)
        if low > _MAX_REPEAT or (high and int(high) > _MAX_REPEAT):
            raise self.error(f"invalid repeat count: {m.group()}")
        if high and int(high) < low:
            raise self.error(f"invalid repeat count: {m.group()}")
        self.out.append(m.group())
        self.pos = m.end()
        if self.src[self.pos : self.pos + 1] in ("*", "+", "{"):
            raise self.error(f"invalid nested repetition operator: {m.group()}{self.src[self.pos]}")

    def _open_group(self) -> None:
        src, pos = self.src, self.pos
        if not src.startswith("(?", pos):
            self._push("(")
            self.pos += 1
            return
        if src.startswith("(?P<", pos) or src.startswith("(?<", pos):
            start = pos + (4 if src[pos + 2] == "P" else 3)
            end = src.find(">", start)
            name = src[start:end] if end > 0 else ""
            if src.startswith(("(?<=", "(?<!"), pos):
                raise self.error("lookbehind is not supported by Go regexp")
            if not name or not re.fullmatch(r"[A-Za-z0-9_]+", name):
                raise self.error(f"invalid named capture: {src[pos : end + 1]}")
            self._push(f"(?P<{name}>")
            self.pos = end + 1
            return
        m = _INLINE_FLAGS.match(src, pos)
        if m is None or (not m.group(1) and not m.group(2) and m.group(3) == ")"):
            raise self.error(f"invalid or unsupported Perl syntax: {src[pos : pos + 3]}")
        on, off, kind = m.group(1), m.group(2) or "", m.group(3)
        if "U" in on + off:
            raise self.error("the U (ungreedy) flag is not supported by tidbrun")
        flags = (self.flags[-1] | set(on)) - set(off)
        spec = on + (f"-{off}" if off else "")
        self.pos = m.end()
        if kind == ":":
            self._push(f"(?{spec}:" if spec else "(?:", flags)
        else:
            # `a(?i)b`: the flags hold to the end of the enclosing group; Python wants a scope.
            opener = f"(?{spec}:" if spec else "(?:"
            self.out.append(opener)
            self.flags[-1] = flags
            self.scopes[-1].append(opener)

    def _push(self, text: str, flags: set[str] | None = None) -> None:
        self.out.append(text)
        self.flags.append(set(self.flags[-1]) if flags is None else flags)
        self.scopes.append([])

    def _close_group(self) -> None:
        if len(self.flags) == 1:
            raise self.error("unexpected )")
        self.out.append(")" * len(self.scopes.pop()))
        self.flags.pop()
        self.out.append(")")
        self.pos += 1

    def _escape(self, in_class: bool) -> str:
        src = self.src
        if self.pos + 1 >= len(src):
            raise self.error("trailing backslash at end of expression")
        ch = src[self.pos + 1]
        self.pos += 2
        if ch in "1234567" and not (self.pos < len(src) and src[self.pos] in "01234567"):
            raise self.error(f"invalid escape sequence: \\{ch} (backreferences are not supported)")
        if ch in "01234567":
            digits = ch
            while len(digits) < 3 and self.pos < len(src) and src[self.pos] in "01234567":
                digits += src[self.pos]
                self.pos += 1
            return re.escape(chr(int(digits, 8)))
        if ch == "x":
            return self._hex_escape()
        if ch in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[ch]
        if ch == "Q":
            end = src.find("\\E", self.pos)
            literal = src[self.pos :] if end < 0 else src[self.pos : end]
            self.pos = len(src) if end < 0 else end + 2
            return "".join(re.escape(c) for c in literal)
        if ch in "pP":
            raise self.error(f"\\{ch} Unicode classes are not supported by tidbrun")
        if in_class and ch in _CLASS_ESCAPES:
            return _CLASS_ESCAPES[ch]
        if in_class and ch in "DSW":
            return f"\\{ch}"
        if not in_class and ch in _PERL_CLASSES:
            return _PERL_CLASSES[ch]
        if ch.isascii() and ch.isalnum():
            raise self.error(f"invalid escape sequence: \\{ch}")
        return re.escape(ch)

    def _hex_escape(self) -> str:
        src = self.src
        if src.startswith("{", self.pos):
            end = src.find("}", self.pos)
            digits = src[self.pos + 1 : end] if end > 0 else ""
            self.pos = end + 1
        else:
            digits = src[self.pos : self.pos + 2]
            self.pos += 2
        if not digits or not all(c in "0123456789abcdefABCDEF" for c in digits) or int(digits, 16) > 0x10FFFF:
            raise self.error("invalid escape sequence: \\x")
        return re.escape(chr(int(digits, 16)))

    def _char_class(self) -> str:
        src = self.src
        self.pos += 1
        parts = ["["]
        if src.startswith("^", self.pos):
            parts.append("^")
            self.pos += 1
        first = True
        while True:
            if self.pos >= len(src):
                raise self.error("missing closing ]")
            ch = src[self.pos]
            if ch == "]" and not first:
                self.pos += 1
                break
            first = False
            if src.startswith("[:", self.pos):
                end = src.find(":]", self.pos + 2)
                name = src[self.pos + 2 : end] if end > 0 else ""
                if name in _POSIX:
                    parts.append(_POSIX[name])
                    self.pos = end + 2
                    continue
                if name.startswith("^") and name[1:] in _POSIX:
                    raise self.error(f"negated POSIX class [:{name}:] is not supported by tidbrun")
            if ch == "\\":
                parts.append(self._escape(in_class=True))
                continue
            parts.append("\\" + ch if ch in "[&~|]" else ch)
            self.pos += 1
        parts.append("]")
        return "".join(parts)


@lru_cache(maxsize=512)
def compile_go(pattern: str) -> re.Pattern[str]:
    """An RE2 pattern (latin-1 characters standing for its UTF-8 bytes) as a Python pattern."""
    python = _Translator(to_text(pattern)).translate()
    try:
        return re.compile(python)
    except re.error as exc:
        raise TransformError(f"bad regular expression {pattern!r} in replace_regex: {exc}") from None


def _template_name(template: str, start: int) -> tuple[str, int] | None:
    """Go's ``extract``: the name after ``$`` at ``start`` and where the template goes on."""
    i = start + 1
    brace = template.startswith("{", i)
    if brace:
        i += 1
    begin = i
    while i < len(template) and (template[i].isalpha() or template[i].isdecimal() or template[i] == "_"):
        i += 1
    if i == begin:
        return None
    name = template[begin:i]
    if brace:
        if not template.startswith("}", i):
            return None
        i += 1
    return name, i


def expand_template(template: str, match: re.Match[str]) -> str:
    """Go's ``Regexp.Expand``: ``$1``, ``${1}``, ``${name}``, ``$$``; unknown groups are empty."""
    if "$" not in template:
        return template
    out: list[str] = []
    i = 0
    while True:
        dollar = template.find("$", i)
        if dollar < 0:
            out.append(template[i:])
            return "".join(out)
        out.append(template[i:dollar])
        if template.startswith("$$", dollar):
            out.append("$")
            i = dollar + 2
            continue
        found = _template_name(template, dollar)
        if found is None:
            out.append("$")  # a malformed reference is kept as text
            i = dollar + 1
            continue
        name, i = found
        out.append(_group_text(match, name))


def _group_text(match: re.Match[str], name: str) -> str:
    if name.isdecimal() and name.isascii() and not (name[0] == "0" and len(name) > 1):
        index = int(name) if len(name) < 9 else -1
        if 0 <= index <= (match.re.groups or 0):
            return match.group(index) or ""
        return ""
    if name in match.re.groupindex:
        return match.group(name) or ""
    return ""


def replace_all(pattern: re.Pattern[str], template: str, text: str) -> str:
    """Go's ``ReplaceAll``: every match replaced, but not an empty match right after a match."""
    out: list[str] = []
    last_end = 0
    search = 0
    end = len(text)
    while search <= end:
        m = pattern.search(text, search)
        if m is None:
            break
        start, stop = m.span()
        out.append(text[last_end:start])
        if stop > last_end or start == 0:
            out.append(expand_template(template, m))
        last_end = stop
        search = stop if stop > search else search + 1
    out.append(text[last_end:])
    return "".join(out)


def process_escapes(text: str) -> str:
    r"""``\n \t \r \/ \\`` in the replacement (mysql-tester applies them in map order; ``\\`` last)."""
    for escape, value in (("\\n", "\n"), ("\\t", "\t"), ("\\r", "\r"), ("\\/", "/"), ("\\\\", "\\")):
        text = text.replace(escape, value)
    return text


@dataclass(frozen=True, slots=True)
class GoRegexReplace(RegexReplace):
    """One ``/re/repl/`` of mysql-tester's ``--replace_regex``; ``template`` is the Go template
    (as UTF-8 text), ``pattern`` the translated pattern."""

    def apply(self, value: str) -> str:
        return from_text(replace_all(self.pattern, self.template, to_text(value)))


@lru_cache(maxsize=512)
def parse_go_replace_regex(argument: str) -> tuple[GoRegexReplace, ...]:
    """``/re/repl/ /re2/repl2/ …`` as mysql-tester splits it (no other delimiter, no flags)."""
    slashes = [i for i, ch in enumerate(argument) if ch == "/" and not (i and argument[i - 1] == "\\")]
    if len(slashes) % 3:
        raise TransformError(f"Could not parse regex in --replace_regex: sql:{argument}")
    items: list[GoRegexReplace] = []
    for begin, middle, end in zip(slashes[::3], slashes[1::3], slashes[2::3], strict=True):
        pattern = compile_go(argument[begin + 1 : middle])
        template = to_text(process_escapes(argument[middle + 1 : end]))
        items.append(GoRegexReplace(pattern, template))
    return tuple(items)
