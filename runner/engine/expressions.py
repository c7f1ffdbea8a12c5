"""mysqltest's ``$(...)`` expressions (MariaDB MDEV-36107): integers, strings and NULL.

Facts of the reference (mariadb-test 10.11) this module reproduces, found by running it:

- Values are 64-bit integers, byte strings or NULL.  Decimal literals are signed while they fit,
  hex and binary literals are unsigned.  ``+ - * / %`` wrap like C on the 64-bit pattern; one unsigned
  operand makes the result unsigned; bitwise operators and shifts always give unsigned; unary minus
  always gives signed.  Function arguments that are positions, lengths or counts are mostly cut to a
  C ``int`` (32 bits), as the reference does.
- Precedence, loosest first: ``||``, ``&&``, ``== !=``, ``< <= > >=``, ``|``, ``&``, ``<< >>``,
  ``+ -``, ``* / %``, ``^`` (above ``*``!), unary ``- ! ~``.  Left associative, no chained comparisons.
- The parser evaluates as it goes: an evaluation error left of a syntax error is the one reported,
  and ``&&``/``||`` do not short-circuit.
- Unquoted text up to the next operator character is one word, inner blanks kept: a number when it
  is all digits / ``0x`` hex / ``0b`` binary, ``true``/``false``/``null`` in any case, else a string.
  A word of name characters directly followed by ``(`` is a function call.
- Strings compare with ``==``/``!=`` only (byte equality); a string never equals an integer;
  any comparison with NULL is NULL.  Arithmetic on a string or NULL is a type error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from runner.errors import TidbrunError

MASK = (1 << 64) - 1
INT64_MAX = (1 << 63) - 1
MAX_ARGUMENTS = 100
# The reference builds results as big as memory allows (2 GiB worked); this keeps a runaway
# repeat()/lpad() from exhausting ours, giving '' as the reference does when its allocation fails.
MAX_RESULT_BYTES = 1 << 30

_SPACE = " \t\n\v\f\r"  # C isspace in the C locale
_WORD_END = frozenset("+-*/%&|^~!<>=(),")
_FUNCTION_NAME = re.compile(r"[A-Za-z0-9_]+")
_HEX = frozenset("0123456789abcdefABCDEF")


class ExpressionError(TidbrunError):
    """The test dies with this message, as mysqltest does."""


@dataclass(frozen=True, slots=True)
class Int:
    """An integer value: ``value`` is the number itself, in the signed or unsigned 64-bit range."""

    value: int
    unsigned: bool = False

    @property
    def bits(self) -> int:
        return self.value & MASK

    @property
    def signed(self) -> int:
        bits = self.value & MASK
        return bits - (1 << 64) if bits > INT64_MAX else bits

    def __str__(self) -> str:
        return str(self.value)


Value = Int | str | None


def make_int(bits: int, unsigned: bool = False) -> Int:
    """The integer with this 64-bit pattern, read as unsigned or signed."""
    bits &= MASK
    if unsigned:
        return Int(bits, True)
    return Int(bits - (1 << 64) if bits > INT64_MAX else bits)


TRUE = Int(1)
FALSE = Int(0)


def _bool(flag: bool) -> Int:
    return TRUE if flag else FALSE


def render(value: Value) -> str:
    """How a result is written into the text: NULL becomes empty."""
    return "" if value is None else str(value)


def is_true(text: str) -> bool:
    """if/while truth of a ``$(...)`` result: non-blank and not starting with '0' (so '-0' is true)."""
    stripped = text.lstrip(_SPACE)
    return bool(stripped) and not stripped.startswith("0")


# -- the text around an expression -----------------------------------------------------------------


def closing_paren(text: str, start: int) -> int | None:
    """Index of the ``)`` closing the ``(`` at ``start``: quotes ('"') hide parentheses and a backslash
    inside quotes hides the next character; None when the text ends first."""
    depth = 0
    i, n = start, len(text)
    while i < n:
        c = text[i]
        if c in "'\"":
            i += 1
            while i < n and text[i] != c:
                i += 2 if text[i] == "\\" else 1
            if i >= n:
                return None
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def unmatched_message(rest: str) -> str:
    return f"Unmatched parenthesis in expression starting at '{rest[:10]}'"


# -- tokens ------------------------------------------------------------------------------------------

_OPERATORS_2 = ("&&", "||", "==", "!=", "<=", ">=", "<<", ">>")
_OPERATORS_1 = "+-*/%&|^~!<>"


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "op", "(", ")", ",", "value", "func", "bad", "end"
    text: str = ""
    value: Value = None


_END = _Token("end")


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self._peeked: _Token | None = None

    def peek(self) -> _Token:
        if self._peeked is None:
            self._peeked = self._read()
        return self._peeked

    def next(self) -> _Token:
        token = self.peek()
        self._peeked = None
        return token

    def _read(self) -> _Token:
        text, n = self.text, len(self.text)
        i = self.pos
        while i < n and text[i] in _SPACE:
            i += 1
        if i >= n:
            self.pos = i
            return _END
        c = text[i]
        two = text[i : i + 2]
        if two in _OPERATORS_2:
            self.pos = i + 2
            return _Token("op", two)
        if c in _OPERATORS_1:
            self.pos = i + 1
            return _Token("op", c)
        if c in "(),":
            self.pos = i + 1
            return _Token(c, c)
        if c == "=":
            self.pos = i + 1
            return _Token("bad", c)
        if c in "'\"":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                raise ExpressionError("Syntax error: Unmatched quote in expression")
            self.pos = j + 1
            return _Token("value", text[i : j + 1], text[i + 1 : j])
        j = i
        while j < n and text[j] not in _WORD_END:
            j += 1
        raw = text[i:j]
        if j < n and text[j] == "(" and _FUNCTION_NAME.fullmatch(raw):
            self.pos = j + 1
            return _Token("func", raw)
        self.pos = j
        return _Token("value", raw, _word_value(raw.strip(_SPACE)))


def _range_error(text: str) -> ExpressionError:
    return ExpressionError(f"Range error: {text} value out of range for Integer type")


def _literal(number: int, text: str, unsigned: bool = False) -> Int:
    """A decimal literal is signed while it fits; hex and binary literals are always unsigned."""
    if number > MASK:
        raise _range_error(text)
    return Int(number, unsigned or number > INT64_MAX)


def _word_value(word: str) -> Value:
    lowered = word.lower()
    if lowered == "true":
        return TRUE
    if lowered == "false":
        return FALSE
    if lowered == "null":
        return None
    if word.startswith("0x") and len(word) > 2 and all(ch in _HEX for ch in word[2:]):
        return _literal(int(word[2:], 16), word, unsigned=True)
    if word.startswith("0b") and len(word) > 2:
        # The reference reads the digits after 0b leniently (leading blanks allowed) and, when they
        # are not binary, keeps the text after the prefix as the string: odd, but what it does.
        digits = word[2:].lstrip(_SPACE)
        if digits and all(ch in "01" for ch in digits):
            return _literal(int(digits, 2), digits, unsigned=True)
        return word[2:]
    if word.isascii() and word.isdigit():
        return _literal(int(word), word)
    return word


# -- operators ---------------------------------------------------------------------------------------

_LEVELS: tuple[frozenset[str], ...] = (
    frozenset({"||"}),
    frozenset({"&&"}),
    frozenset({"==", "!="}),
    frozenset({"<", "<=", ">", ">="}),
    frozenset({"|"}),
    frozenset({"&"}),
    frozenset({"<<", ">>"}),
    frozenset({"+", "-"}),
    frozenset({"*", "/", "%"}),
    frozenset({"^"}),
)


def _type_error(op: str) -> ExpressionError:
    return ExpressionError(f"Type error: operator '{op}' requires integer operands")


def _compare(op: str, left: Value, right: Value) -> Value:
    if left is None or right is None:
        return None
    if isinstance(left, Int) and isinstance(right, Int):
        a, b = left.value, right.value
        return _bool({"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op])
    if op == "==":
        return _bool(isinstance(left, str) and isinstance(right, str) and left == right)
    if op == "!=":
        return _bool(not (isinstance(left, str) and isinstance(right, str) and left == right))
    raise _type_error(op)


def _arithmetic(op: str, left: Int, right: Int) -> Int:
    unsigned = left.unsigned or right.unsigned
    a, b = left.bits, right.bits
    if op == "+":
        return make_int(a + b, unsigned)
    if op == "-":
        return make_int(a - b, unsigned)
    if op == "*":
        return make_int(a * b, unsigned)
    if b == 0:
        raise ExpressionError("Evaluation error: Division by zero" if op == "/" else "Evaluation error: Modulo by zero")
    if unsigned:
        return Int(a // b if op == "/" else a % b, True)
    sa, sb = left.signed, right.signed
    quotient = abs(sa) // abs(sb) * (1 if (sa < 0) == (sb < 0) else -1)  # C truncates toward zero
    if op == "/":
        return make_int(quotient)
    return make_int(sa - sb * quotient)


def _binary(op: str, left: Value, right: Value) -> Value:
    if op in ("==", "!=", "<", "<=", ">", ">="):
        return _compare(op, left, right)
    if not (isinstance(left, Int) and isinstance(right, Int)):
        raise _type_error(op)
    if op == "&&":
        return _bool(left.bits != 0 and right.bits != 0)
    if op == "||":
        return _bool(left.bits != 0 or right.bits != 0)
    if op == "&":
        return Int(left.bits & right.bits, True)
    if op == "|":
        return Int(left.bits | right.bits, True)
    if op == "^":
        return Int(left.bits ^ right.bits, True)
    if op in ("<<", ">>"):
        shift = right.signed
        if shift < 0 or shift >= 64:
            raise ExpressionError("Evaluation error: Invalid shift amount")
        return make_int(left.bits << shift if op == "<<" else left.bits >> shift, True)
    return _arithmetic(op, left, right)


def _unary(op: str, operand: Value) -> Value:
    if not isinstance(operand, Int):
        what = {"-": "unary minus", "~": "bitwise NOT", "!": "logical NOT"}[op]
        raise ExpressionError(f"Type error: {what} requires an integer operand")
    if op == "-":
        return make_int(-operand.bits)
    if op == "~":
        return Int(~operand.bits & MASK, True)
    return _bool(operand.bits == 0)


# -- the parser, which evaluates as it parses --------------------------------------------------------


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lexer = _Lexer(text)

    def parse(self) -> Value:
        value = self._level(0)
        if self.lexer.peek().kind != "end":
            raise ExpressionError(f"Syntax error in sub-expression '{self.text}'")
        return value

    def _level(self, level: int) -> Value:
        if level == len(_LEVELS):
            return self._unary()
        operators = _LEVELS[level]
        left = self._level(level + 1)
        while True:
            token = self.lexer.peek()
            if token.kind != "op" or token.text not in operators:
                return left
            self.lexer.next()
            right = self._level(level + 1)
            left = _binary(token.text, left, right)

    def _unary(self) -> Value:
        token = self.lexer.peek()
        if token.kind == "op" and token.text in ("-", "!", "~"):
            self.lexer.next()
            return _unary(token.text, self._unary())
        return self._primary()

    def _primary(self) -> Value:
        token = self.lexer.next()
        if token.kind == "value":
            return token.value
        if token.kind == "(":
            value = self._level(0)
            if self.lexer.next().kind != ")":
                raise ExpressionError("Syntax error: Expected ')' in expression")
            return value
        if token.kind == "func":
            return self._call(token.text)
        raise ExpressionError("Syntax error: invalid expression")

    def _call(self, name: str) -> Value:
        function = FUNCTIONS.get(name.lower())
        if function is None:
            raise ExpressionError(f"Syntax error: Unknown function '{name}'")
        args: list[Value] = []
        if self.lexer.peek().kind == ")":
            self.lexer.next()
            return _apply(name.lower(), function, args)
        while True:
            if len(args) >= MAX_ARGUMENTS:
                raise ExpressionError(f"Too many function arguments (max {MAX_ARGUMENTS})")
            args.append(self._level(0))
            token = self.lexer.next()
            if token.kind == ",":
                if self.lexer.peek().kind == ")":  # a trailing comma is accepted
                    self.lexer.next()
                    break
                continue
            if token.kind == ")":
                break
            raise ExpressionError("Syntax error: Expected ',' or ')' in function call")
        return _apply(name.lower(), function, args)


def _apply(name: str, function: Function, args: list[Value]) -> Value:
    # A NULL argument makes the result NULL before the reference checks anything else, even the
    # number of arguments; only the functions made for NULLs look at them.
    if name not in _NULL_AWARE and any(arg is None for arg in args):
        return None
    return function(args)


def evaluate(text: str) -> Value:
    """The value of the text inside ``$(...)`` (variables already expanded)."""
    return _Parser(text).parse()


def evaluate_to_text(text: str) -> str:
    return render(evaluate(text))


# -- character tables (latin1, mysqltest's default character set) -----------------------------------


def _table(pairs: dict[int, int]) -> tuple[int, ...]:
    return tuple(pairs.get(b, b) for b in range(256))


_UPPER = _table({b: b - 32 for b in [*range(0x61, 0x7B), *range(0xE0, 0xFF)] if b != 0xF7})
_LOWER = _table({b: b + 32 for b in [*range(0x41, 0x5B), *range(0xC0, 0xDF)] if b != 0xD7})
_SWEDISH_ACCENTED = (
    65, 65, 65, 65, 92, 91, 92, 67, 69, 69, 69, 69, 73, 73, 73, 73,
    68, 78, 79, 79, 79, 79, 93, 215, 216, 85, 85, 85, 89, 89, 222, 223,
    65, 65, 65, 65, 92, 91, 92, 67, 69, 69, 69, 69, 73, 73, 73, 73,
    68, 78, 79, 79, 79, 79, 93, 247, 216, 85, 85, 85, 89, 89, 222, 255,
)  # fmt: skip
# latin1_swedish_ci weights: what greatest()/least() and instr()/locate() compare by.
_WEIGHT = tuple(_SWEDISH_ACCENTED[b - 0xC0] if b >= 0xC0 else (b - 32 if 0x61 <= b <= 0x7A else b) for b in range(256))
_UPPER_MAP = {b: chr(v) for b, v in enumerate(_UPPER) if b != v}
_LOWER_MAP = {b: chr(v) for b, v in enumerate(_LOWER) if b != v}
_WEIGHT_MAP = {b: chr(v) for b, v in enumerate(_WEIGHT) if b != v}


def latin1_upper(text: str) -> str:
    return text.translate(_UPPER_MAP)


def latin1_lower(text: str) -> str:
    return text.translate(_LOWER_MAP)


def _weights(text: str) -> str:
    return text.translate(_WEIGHT_MAP)


def collate(left: str, right: str) -> int:
    """latin1_swedish_ci comparison with PAD SPACE (trailing blanks do not count): -1, 0 or 1."""
    a, b = _weights(left), _weights(right)
    width = max(len(a), len(b))
    a, b = a.ljust(width), b.ljust(width)
    return (a > b) - (a < b)


def _find_ci(haystack: str, needle: str, start: int) -> int:
    """Index of needle in haystack from start, comparing by collation weight; -1 when absent."""
    return _weights(haystack).find(_weights(needle), start)


# -- functions ---------------------------------------------------------------------------------------

Function = Callable[[list[Value]], Value]
FUNCTIONS: dict[str, Function] = {}
_NULL_AWARE = frozenset({"concat_ws", "coalesce", "ifnull", "nullif"})


def _function(*names: str) -> Callable[[Function], Function]:
    def register(function: Function) -> Function:
        for name in names:
            FUNCTIONS[name] = function
        return function

    return register


def _count(name: str, args: Sequence[Value], *allowed: int, usage: str = "") -> None:
    if len(args) in allowed:
        return
    detail = f" ({usage})" if usage else ""
    if len(allowed) == 1:
        plural = "argument" if allowed[0] == 1 else "arguments"
        raise ExpressionError(f"{name}() expects {allowed[0]} {plural}{detail}, got {len(args)}")
    raise ExpressionError(f"{name}() expects {allowed[0]} or {allowed[-1]} arguments{detail}, got {len(args)}")


def _at_least(name: str, args: Sequence[Value], minimum: int) -> None:
    if len(args) < minimum:
        plural = "argument" if minimum == 1 else "arguments"
        raise ExpressionError(f"{name}() expects at least {minimum} {plural}")


def _number(value: Value, message: str) -> int:
    """A numeric argument as the signed 64-bit value C code sees."""
    if not isinstance(value, Int):
        raise ExpressionError(message)
    return value.signed


def _int32(number: int) -> int:
    """Most positions, lengths, counts and bases reach the reference's C code as a 32-bit int."""
    return ((number & 0xFFFFFFFF) ^ 0x80000000) - 0x80000000


@_function("abs")
def _abs(args: list[Value]) -> Value:
    _count("abs", args, 1)
    (value,) = args
    if value is None:
        return None
    if not isinstance(value, Int):
        raise ExpressionError("abs() requires numeric argument")
    return make_int(abs(value.signed))


_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _parse_in_base(text: str, base: int) -> int:
    """conv()'s reading of N: blanks, a sign, then only digits of |base|; the 64-bit pattern."""
    radix = abs(base)
    i, n = 0, len(text)
    while i < n and text[i] in _SPACE:
        i += 1
    negative = False
    if i < n and text[i] in "+-":
        negative = text[i] == "-"
        i += 1
    digits = text[i:]
    number = 0
    for ch in digits:
        digit = _DIGITS.find(ch.upper())
        if digit < 0 or digit >= radix:
            digits = ""
            break
        number = number * radix + digit
    if not digits:
        raise ExpressionError(f"invalid number '{text}' for base {base}")
    if base > 0:
        if number > MASK:
            raise ExpressionError("Range error: value out of range for Integer type")
        return (-number if negative else number) & MASK
    if number > (INT64_MAX + 1 if negative else INT64_MAX):
        raise ExpressionError("Range error: value out of range for Integer type")
    return (-number if negative else number) & MASK


def _format_in_base(bits: int, base: int, original: str) -> str:
    if abs(base) > 36:
        raise ExpressionError(f"could not convert number '{original}' for base {base}")
    number = make_int(bits, base > 0).value
    sign = "-" if number < 0 else ""
    number = abs(number)
    out = []
    while True:
        number, digit = divmod(number, abs(base))
        out.append(_DIGITS[digit])
        if number == 0:
            break
    return sign + "".join(reversed(out))


def _conv(value: Int | str, from_base: int, to_base: int) -> str:
    text = str(value)
    return _format_in_base(_parse_in_base(text, from_base), to_base, text)


@_function("conv")
def _conv_function(args: list[Value]) -> Value:
    _count("conv", args, 3, usage="N, from_base, to_base")
    value, from_base, to_base = args
    if value is None or from_base is None or to_base is None:
        return None
    if not (isinstance(from_base, Int) and isinstance(to_base, Int)):
        raise ExpressionError("conv() bases must be numeric")
    bases = _int32(from_base.signed), _int32(to_base.signed)
    for what, base in zip(("from_base", "to_base"), bases, strict=True):
        if not 2 <= abs(base) <= 62:
            raise ExpressionError(f"conv() {what} must be between 2 and 62, got {base}")
    return _conv(value, *bases)


def _shortcut(name: str, base: int) -> Function:
    def shortcut(args: list[Value]) -> Value:
        _count(name, args, 1)
        (value,) = args
        if value is None:
            return None
        if name == "hex" and isinstance(value, str):
            return value.encode("latin-1", "replace").hex().upper()
        return _conv(value, 10, base)

    return shortcut


FUNCTIONS["bin"] = _shortcut("bin", 2)
FUNCTIONS["oct"] = _shortcut("oct", 8)
FUNCTIONS["hex"] = _shortcut("hex", 16)


def _strings(args: Sequence[Value]) -> list[str] | None:
    """Every argument as text, or None when one is NULL."""
    if any(arg is None for arg in args):
        return None
    return [str(arg) for arg in args]


@_function("concat")
def _concat(args: list[Value]) -> Value:
    _at_least("concat", args, 1)
    texts = _strings(args)
    return None if texts is None else "".join(texts)


@_function("concat_ws")
def _concat_ws(args: list[Value]) -> Value:
    _at_least("concat_ws", args, 2)
    separator = args[0]
    if separator is None:
        return None
    # The reference puts the separator before every non-NULL value but the first argument, so a
    # leading NULL still leaves a separator in front: concat_ws(',', NULL, 'a') is ',a'.
    values = args[1:]
    return "".join(
        ("" if index == 0 else str(separator)) + str(value) for index, value in enumerate(values) if value is not None
    )


def _to_integer(value: Int | str) -> Int:
    """greatest()/least() read a string as strtoll does: blanks, a sign, digits, ignore the rest."""
    if isinstance(value, Int):
        return value
    match = re.match(r"[ \t\n\v\f\r]*([-+]?[0-9]*)", value)
    digits = match.group(1) if match else ""
    number = int(digits) if digits.lstrip("+-") else 0
    if not -INT64_MAX - 1 <= number <= INT64_MAX:
        raise _range_error(value)
    return Int(number)


def _extreme(name: str, args: list[Value], sign: int) -> Value:
    _at_least(name, args, 2)
    if any(arg is None for arg in args):
        return None
    values: list[Int | str] = [arg for arg in args if arg is not None]
    if all(isinstance(arg, str) for arg in values):
        texts = [str(arg) for arg in values]
        best_text = texts[0]
        for text in texts[1:]:
            if collate(text, best_text) * sign > 0:
                best_text = text
        return best_text
    numbers = [_to_integer(arg) for arg in values]
    best = numbers[0]
    for number in numbers[1:]:
        if (number.value > best.value) - (number.value < best.value) == sign:
            best = number
    return best


@_function("greatest")
def _greatest(args: list[Value]) -> Value:
    return _extreme("greatest", args, 1)


@_function("least")
def _least(args: list[Value]) -> Value:
    return _extreme("least", args, -1)


@_function("insert")
def _insert(args: list[Value]) -> Value:
    _count("insert", args, 4, usage="str, pos, len, newstr")
    if any(arg is None for arg in args):
        return None
    text, new = str(args[0]), str(args[3])
    position = _int32(_number(args[1], "insert() position must be numeric"))
    length = _int32(_number(args[2], "insert() length must be numeric"))
    if position < 1 or position > len(text):
        return text
    start = position - 1
    if length < 0 or length > len(text) - start:
        length = len(text) - start
    return text[:start] + new + text[start + length :]


@_function("instr")
def _instr(args: list[Value]) -> Value:
    if len(args) < 2:  # the reference ignores arguments past the second
        _count("instr", args, 2, usage="str, substr")
    texts = _strings(args[:2])
    if texts is None:
        return None
    return Int(_find_ci(texts[0], texts[1], 0) + 1)


@_function("locate")
def _locate(args: list[Value]) -> Value:
    _count("locate", args, 2, 3, usage="substr, str [, start]")
    if any(arg is None for arg in args):
        return None
    needle, haystack = str(args[0]), str(args[1])
    start = _number(args[2], "locate() start position must be numeric") if len(args) == 3 else 1
    if start < 1 or start - 1 > len(haystack):
        return Int(0)
    return Int(_find_ci(haystack, needle, start - 1) + 1)


def _one_text(name: str, args: list[Value], change: Callable[[str], str]) -> Value:
    _count(name, args, 1)
    (value,) = args
    return None if value is None else change(str(value))


@_function("lower", "lcase")
def _lower(args: list[Value]) -> Value:
    return _one_text("lower", args, latin1_lower)


@_function("upper", "ucase")
def _upper(args: list[Value]) -> Value:
    return _one_text("upper", args, latin1_upper)


@_function("length")
def _length(args: list[Value]) -> Value:
    _count("length", args, 1)
    (value,) = args
    return None if value is None else Int(len(str(value)))


@_function("reverse")
def _reverse(args: list[Value]) -> Value:
    return _one_text("reverse", args, lambda text: text[::-1])


@_function("trim")
def _trim(args: list[Value]) -> Value:
    return _one_text("trim", args, lambda text: text.strip(_SPACE))


@_function("ltrim")
def _ltrim(args: list[Value]) -> Value:
    return _one_text("ltrim", args, lambda text: text.lstrip(_SPACE))


@_function("rtrim")
def _rtrim(args: list[Value]) -> Value:
    return _one_text("rtrim", args, lambda text: text.rstrip(_SPACE))


def _pad(name: str, args: list[Value], left: bool) -> Value:
    _count(name, args, 2, 3, usage="str, length [, padstr]")
    if any(arg is None for arg in args):
        return None
    text = str(args[0])
    length = _int32(_number(args[1], f"{name}() length must be numeric"))
    if length < 0:
        raise ExpressionError(f"{name}() length cannot be negative")
    pad = str(args[2]) if len(args) == 3 else " "
    if not pad or length > MAX_RESULT_BYTES:
        return ""
    if length <= len(text):
        return text[:length]
    missing = length - len(text)
    fill = (pad * (missing // len(pad) + 1))[:missing]
    return fill + text if left else text + fill


@_function("lpad")
def _lpad(args: list[Value]) -> Value:
    return _pad("lpad", args, left=True)


@_function("rpad")
def _rpad(args: list[Value]) -> Value:
    return _pad("rpad", args, left=False)


@_function("repeat")
def _repeat(args: list[Value]) -> Value:
    _count("repeat", args, 2, usage="str, count")
    if any(arg is None for arg in args):
        return None
    text = str(args[0])
    count = _int32(_number(args[1], "repeat() count must be numeric"))
    if count <= 0 or len(text) * count > MAX_RESULT_BYTES:
        return ""
    return text * count


@_function("replace")
def _replace(args: list[Value]) -> Value:
    _count("replace", args, 3, usage="str, from, to")
    if any(arg is None for arg in args):
        return None
    text, old, new = args
    if not (isinstance(text, str) and isinstance(old, str) and isinstance(new, str)):
        raise ExpressionError("replace() arguments must be strings")
    return text.replace(old, new) if old else text


@_function("substr", "substring")
def _substr(args: list[Value]) -> Value:
    _count("substr", args, 2, 3, usage="str, start [, length]")
    if any(arg is None for arg in args):
        return None
    text = args[0]
    if not isinstance(text, str):
        raise ExpressionError("substr() first argument must be a string")
    start = _int32(_number(args[1], "substr() start position must be numeric"))
    length = _int32(_number(args[2], "substr() length must be numeric")) if len(args) == 3 else len(text)
    if length <= 0 or start == 0:
        return ""
    begin = len(text) + start if start < 0 else start - 1
    if begin < 0 or begin >= len(text) or begin + length > 0x7FFFFFFF:  # the end overflows a C int
        return ""
    return text[begin : begin + length]


@_function("substring_index")
def _substring_index(args: list[Value]) -> Value:
    _count("substring_index", args, 3, usage="str, delimiter, count")
    if any(arg is None for arg in args):
        return None
    text, delimiter = str(args[0]), str(args[1])
    count = _int32(_number(args[2], "substring_index() count must be numeric"))
    if not delimiter or count == 0:
        return ""
    if count == -(1 << 31):  # the reference cannot negate it: the last part, if there is a delimiter
        return text.rsplit(delimiter, 1)[1] if delimiter in text else ""
    parts = text.split(delimiter)
    return delimiter.join(parts[:count] if count > 0 else parts[count:])


@_function("coalesce")
def _coalesce(args: list[Value]) -> Value:
    _at_least("coalesce", args, 1)
    return next((arg for arg in args if arg is not None), None)


@_function("ifnull")
def _ifnull(args: list[Value]) -> Value:
    _count("ifnull", args, 2)
    return args[1] if args[0] is None else args[0]


@_function("nullif")
def _nullif(args: list[Value]) -> Value:
    _count("nullif", args, 2)
    first, second = args
    if first is None or second is None:
        return first
    if isinstance(first, Int) and isinstance(second, Int):
        equal = first.bits == second.bits  # the reference compares the raw 64-bit values
    else:
        equal = str(first) == str(second)
    return None if equal else first


# -- regular expressions (PCRE through its POSIX API in the reference: bytes, case-insensitive) -------

_POSIX_CLASSES = {
    "alpha": "a-zA-Z", "digit": "0-9", "alnum": "a-zA-Z0-9", "upper": "A-Z", "lower": "a-z",
    "space": r" \t\n\r\f\v", "blank": r" \t", "xdigit": "0-9A-Fa-f", "word": r"\w",
    "punct": r"!-/:-@\[-`{-~", "cntrl": r"\x00-\x1f\x7f", "print": r"\x20-\x7e", "graph": r"\x21-\x7e",
}  # fmt: skip
_INLINE_FLAGS = re.compile(r"\(\?([a-zA-Z]*(?:-[a-zA-Z]*)?)\)")


def _python_pattern(pattern: str) -> str:
    """PCRE syntax Python's re lacks: POSIX classes, and (?i)/(?-i) switches inside a pattern
    (scoped to the rest of the enclosing group, as PCRE scopes them)."""
    out: list[str] = []
    pending = [0]  # scoped groups to close at the end of each open group
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if c == "[":
            j = i + 1
            if j < n and pattern[j] == "^":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                if pattern[j] == "\\":
                    j += 2
                    continue
                posix = re.match(r"\[:(\w+):\]", pattern[j:])
                if posix is not None and posix.group(1) not in _POSIX_CLASSES:
                    raise ExpressionError(f"Regex error: bad class at offset {j + 2}")
                j += len(posix.group()) if posix else 1
            body = pattern[i : j + 1]
            out.append(re.sub(r"\[:(\w+):\]", lambda m: _POSIX_CLASSES.get(m.group(1), m.group()), body))
            i = j + 1
            continue
        flags = _INLINE_FLAGS.match(pattern, i)
        if flags is not None:
            out.append(f"(?{flags.group(1)}:")
            pending[-1] += 1
            i = flags.end()
            continue
        if c == "(":
            pending.append(0)
        elif c == ")" and len(pending) > 1:
            out.append(")" * pending.pop())
        out.append(c)
        i += 1
    out.append(")" * pending[0])
    return "".join(out)


def _regex_error(exc: re.error, pattern: str) -> ExpressionError:
    """Python's complaint in the words (and offsets) of PCRE's POSIX API, for the common mistakes."""
    pos = exc.pos or 0
    message, offset = "pattern error", len(pattern)
    if exc.msg.startswith("missing ), unterminated subpattern"):
        message = "unbalanced ()"
    elif exc.msg.startswith("unbalanced parenthesis"):
        message, offset = "unbalanced ()", pos
    elif exc.msg.startswith("unterminated character set"):
        message = "unbalanced []"
    elif exc.msg.startswith(("nothing to repeat", "multiple repeat")):
        message, offset = "? * + invalid", pos
    elif exc.msg.startswith("min repeat greater than max repeat"):
        brace = pattern.find("}", pos)
        message, offset = "invalid repeat counts in {}", brace if brace >= 0 else pos
    elif exc.msg.startswith("bad character range"):
        message, offset = "bad range inside []", pos + 2
    elif exc.msg.startswith("invalid group reference"):
        message, offset = "bad back reference", pos
    elif exc.msg.startswith("bad escape"):
        offset = pos + 2
    return ExpressionError(f"Regex error: {message} at offset {offset}")


def _regex(pattern: str) -> re.Pattern[bytes]:
    try:
        return re.compile(_python_pattern(pattern).encode("latin-1", "replace"), re.IGNORECASE)
    except re.error as exc:
        raise _regex_error(exc, pattern) from None


def _regex_args(name: str, args: list[Value], count: int, usage: str) -> list[str] | None:
    _count(name, args, count, usage=usage)
    return _strings(args)


@_function("regexp_instr")
def _regexp_instr(args: list[Value]) -> Value:
    texts = _regex_args("regexp_instr", args, 2, "subject, pattern")
    if texts is None:
        return None
    match = _regex(texts[1]).search(texts[0].encode("latin-1", "replace"))
    return Int(match.start() + 1 if match else 0)


@_function("regexp_substr")
def _regexp_substr(args: list[Value]) -> Value:
    texts = _regex_args("regexp_substr", args, 2, "subject, pattern")
    if texts is None:
        return None
    match = _regex(texts[1]).search(texts[0].encode("latin-1", "replace"))
    return match.group().decode("latin-1") if match else ""


def _expand_replacement(replacement: str, match: re.Match[bytes]) -> str:
    """\\0..\\9 name the match and its groups; any other backslash, or a group that did not take
    part in the match, stays as written."""
    out: list[str] = []
    i, n = 0, len(replacement)
    while i < n:
        c = replacement[i]
        if c == "\\" and i + 1 < n and replacement[i + 1].isdigit():
            group = int(replacement[i + 1])
            if group <= (match.re.groups or 0) and match.group(group) is not None:
                out.append(match.group(group).decode("latin-1"))
                i += 2
                continue
        out.append(c)
        i += 1
    return "".join(out)


@_function("regexp_replace")
def _regexp_replace(args: list[Value]) -> Value:
    texts = _regex_args("regexp_replace", args, 3, "subject, pattern, replace")
    if texts is None:
        return None
    subject, pattern, replacement = texts
    if not pattern:
        return subject
    regex = _regex(pattern)
    data = subject.encode("latin-1", "replace")
    out: list[str] = []
    pos = 0
    # The reference searches the rest of the subject as a new string each time (so ^ matches again),
    # and after an empty match skips one character without copying it.
    while pos < len(data):
        match = regex.search(data[pos:])
        if match is None:
            break
        out.append(data[pos : pos + match.start()].decode("latin-1"))
        out.append(_expand_replacement(replacement, match))
        pos += match.end() + (1 if match.end() == match.start() else 0)
    out.append(data[pos:].decode("latin-1"))
    return "".join(out)
