"""mysqltest's $(...) expressions: every expected value here is what mariadb-test 10.11 printed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runner.engine.expressions import (
    ExpressionError,
    Int,
    closing_paren,
    collate,
    evaluate,
    evaluate_to_text,
    is_true,
    latin1_lower,
    latin1_upper,
)
from runner.engine.variables import Variables


def check(text: str, expected: str) -> None:
    assert evaluate_to_text(text) == expected


def fails(text: str, message: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        evaluate(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10 + 5", "15"),
        ("20 / 4", "5"),
        ("-7 / 2", "-3"),  # C division truncates toward zero
        ("-7 % 3", "-1"),
        ("5 % -2", "1"),
        ("2 + 3 * 4 - 1", "13"),
        ("((2 + 3) * (4 + 1))", "25"),
        ("-(2 + 3)", "-5"),
        ("- 5", "-5"),
        ("--5", "5"),
        ("  10   +   5  ", "15"),
    ],
)
def test_arithmetic(text: str, expected: str) -> None:
    check(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9223372036854775807+1", "-9223372036854775808"),  # signed wraps
        ("18446744073709551615+1", "0"),  # unsigned wraps
        ("-9223372036854775808 / -1", "-9223372036854775808"),
        ("-9223372036854775808 % -1", "0"),
        ("18446744073709551615 / 2 / -1", "0"),  # one unsigned operand: unsigned division
        ("1 - 9223372036854775808", "9223372036854775809"),
        ("-7 % 9223372036854775808", "9223372036854775801"),
        ("-18446744073709551615", "1"),  # unary minus gives a signed result
        ("-9223372036854775809", "9223372036854775807"),
        ("7 - 0x10", "18446744073709551607"),  # hex literals are unsigned
        ("-0x1", "-1"),
        ("18446744073709551615 == -1", "0"),  # comparisons are by value, not bits
        ("18446744073709551615 > -1", "1"),
    ],
)
def test_64_bit_integers(text: str, expected: str) -> None:
    check(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("~0", "18446744073709551615"),
        ("~(-1)", "0"),
        ("-16 | 7", "18446744073709551607"),
        ("-10 >> 3", "2305843009213693950"),
        ("1 << 63", "9223372036854775808"),
        ("12 ^ 8 & 4", "4"),  # ^ binds tighter than &, and even than *
        ("2 * 3 ^ 1", "4"),
        ("5 * 3 + 7 << 1 ^ 12 >> 2", "45056"),
        ("- 2 ^ 2", "18446744073709551612"),  # but unary minus binds tighter than ^
        ("3 == 3 & 1", "0"),  # & binds tighter than ==
        ("4 + 3 * 2 >> 1 ^ 6 & 3 < 5 | ~1 - 1 % 2", "1"),  # | binds tighter than <
        ("3 == 1 < 2", "0"),  # < binds tighter than ==
        ("3 > 2 > 1", "0"),  # no chained comparisons
        ("1 || 0 && 0", "1"),
        ("!1 + 1", "1"),
        ("(!((6 + 3 * 2) > (14 / 2 - 1)) | ((8 << 1) & ~(5 ^ 3)) + (4 >= 2) * (3 <= 3) - (9 % 4 >> 1))", "17"),
    ],
)
def test_bitwise_and_precedence(text: str, expected: str) -> None:
    check(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0x10", "16"),
        ("0xFF", "255"),
        ("0b1010", "10"),
        ("0b 10", "2"),  # blanks after 0b are allowed
        ("0b12", "12"),  # not binary: the text after the prefix, as a string
        ("0b 12", " 12"),
        ("0b", "0b"),
        ("0X1f", "0X1f"),  # only a lower-case prefix counts
        ("0x1G", "0x1G"),
        ("00012", "12"),
        ("true", "1"),
        ("FALSE", "0"),
        ("nUlL", ""),
        ("7.5", "7.5"),  # no decimals: a word
        ("12 34", "12 34"),
        ("  hello   world  ", "hello   world"),
        ("'a\\'b'", "a\\'b"),  # a backslash hides a quote and stays
        ('"a\\b"', "a\\b"),
        ('a "b"', 'a "b"'),
    ],
)
def test_literals_and_words(text: str, expected: str) -> None:
    check(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"hello" == "Hello"', "0"),
        ("hello   world == hello world", "0"),
        ('"123" == 123', "0"),  # a string never equals an integer
        ('0 != "string"', "1"),
        ("NULL == NULL", ""),
        ("NULL < abc", ""),
        ('"a" == "a" && 1 == 1', "1"),
    ],
)
def test_comparisons(text: str, expected: str) -> None:
    check(text, expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Syntax error: invalid expression"),
        ("   ", "Syntax error: invalid expression"),
        ("+5", "Syntax error: invalid expression"),
        ("1 <> 1", "Syntax error: invalid expression"),
        ("(1) 2", "Syntax error in sub-expression '(1) 2'"),
        ("a=b", "Syntax error in sub-expression 'a=b'"),
        ("abs (1)", "Syntax error in sub-expression 'abs (1)'"),
        ("1 + ((1) 2)", "Syntax error: Expected ')' in expression"),
        ("concat('a' 'b')", "Syntax error: Expected ',' or ')' in function call"),
        ("'abc", "Syntax error: Unmatched quote in expression"),
        ("if(null, 'a', 'b')", "Syntax error: Unknown function 'if'"),
        ("l('AB')", "Syntax error: Unknown function 'l'"),
        ("5 / 0", "Evaluation error: Division by zero"),
        ("5 % 0", "Evaluation error: Modulo by zero"),
        ("5 << -1", "Evaluation error: Invalid shift amount"),
        ("100 >> 64", "Evaluation error: Invalid shift amount"),
        ("18446744073709551616", "Range error: 18446744073709551616 value out of range for Integer type"),
        ("-18446744073709551616", "Range error: 18446744073709551616 value out of range for Integer type"),
        ("a + 1", "Type error: operator '+' requires integer operands"),
        ("NULL + 1", "Type error: operator '+' requires integer operands"),
        ("'a' < 1", "Type error: operator '<' requires integer operands"),
        ("-abc", "Type error: unary minus requires an integer operand"),
        ("~NULL", "Type error: bitwise NOT requires an integer operand"),
        ("!''", "Type error: logical NOT requires an integer operand"),
        ("1 || (1/0)", "Evaluation error: Division by zero"),  # no short-circuit
        ("1/0 +", "Evaluation error: Division by zero"),  # evaluated before the syntax error is seen
    ],
)
def test_errors(text: str, message: str) -> None:
    fails(text, message)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("abs(-2147483648)", "2147483648"),
        ("abs(-9223372036854775808)", "-9223372036854775808"),
        ("abs(NULL)", ""),
        ("conv(FF, 16, 10)", "255"),
        ("conv(-1, 10, 16)", "FFFFFFFFFFFFFFFF"),
        ("conv(-10, 10, -2)", "-1010"),
        ("conv(-1234, -10, 2)", "1111111111111111111111111111111111111111111111111111101100101110"),
        ("conv('1111111111111111111111111111111111111111111111111111111111111111', 2, 10)", "18446744073709551615"),
        ("conv(-~0, 10, 2)", "1"),
        ("conv(0x10, 16, 10)", "22"),  # N is read as its decimal text
        ("conv(10, 4294967306, 2)", "1010"),  # bases are C ints
        ("bin(255)", "11111111"),
        ("oct(64)", "100"),
        ("hex(4095)", "FFF"),
        ('hex("255")', "323535"),  # strings are shown byte by byte
        ("concat(1, 2, 'a')", "12a"),
        ("concat('a', NULL)", ""),
        ("concat_ws('-', 'a', NULL, 'c')", "a-c"),
        ("concat_ws(',', NULL, 'a')", ",a"),
        ("concat_ws(NULL, 'a')", ""),
        ("insert('Quadratic', 3, 4, 'What')", "QuWhattic"),
        ("insert('Quadratic', 4, -2, 'wow')", "Quawow"),
        ("insert('Quadratic', -1, 4, 'What')", "Quadratic"),
        ("instr('Hello World', 'WORLD')", "7"),  # case-insensitive
        ("instr('hello', '')", "1"),
        ("instr('hello', 'world', 'extra')", "0"),  # arguments past the second are ignored
        ("locate('o', 'hello world', 6)", "8"),
        ("locate('', 'abc', 5)", "0"),
        ("lower('ABC')", "abc"),
        ("ucase('abc')", "ABC"),
        ("length('Bj\xc3\xb6rn')", "6"),  # bytes, not characters
        ("lpad('hello', 10, 'ab')", "ababahello"),
        ("lpad('hello', 3, '*')", "hel"),
        ("rpad('hi', 5)", "hi   "),
        ("lpad('hi', 5, '')", ""),
        ("trim('  a  ')", "a"),
        ("ltrim('  a  ')", "a  "),
        ("rtrim('  a  ')", "  a"),
        ("repeat('ab', 3)", "ababab"),
        ("repeat('a', 18446744073709551615)", ""),
        ("replace('aaa', 'aa', 'b')", "ba"),
        ("replace('hello', '', 'x')", "hello"),
        ("reverse('abc')", "cba"),
        ("substr('hello', -5, 3)", "hel"),
        ("substr('hello', 0, 5)", ""),
        ("substr('hello', -7, 7)", ""),
        ("substring('hello world', 7)", "world"),
        ("substr('hello', 2, 2147483647)", ""),  # the end overflows a C int
        ("substring_index('www.mariadb.org', '.', 2)", "www.mariadb"),
        ("substring_index('www.mariadb.org', '.', -2)", "mariadb.org"),
        ("substring_index('aaa', 'aa', -1)", "a"),
        ("substring_index('a.b.c', '.', 4294967297)", "a"),
        ("coalesce(NULL, NULL, 'a')", "a"),
        ("ifnull(NULL, 2) + 1", "3"),
        ("nullif('a', 'a')", ""),
        ("nullif(1, '1')", ""),
        ("nullif('01', 1)", "01"),
        ("nullif(18446744073709551615, -1)", ""),  # the same 64 bits
        ("rtrim(NULL, 1, 2)", ""),  # NULL wins over a wrong number of arguments
    ],
)
def test_functions(text: str, expected: str) -> None:
    check(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("least(1, 2, 3)", "1"),
        ("least('a', 1, 'b')", "0"),  # any integer: strings are read as numbers
        ("greatest('    -4a', -1, 'b')", "0"),
        ("least('    -4a', -1, 'b')", "-4"),
        ("greatest('12', 1) + 1", "13"),
        ("greatest(18446744073709551615, -1, 18446744073709551613)", "18446744073709551615"),
        ("least(18446744073709551615, -1, 18446744073709551613)", "-1"),
        ("greatest('100', '20', '3')", "3"),  # all strings: compared as strings
        ("greatest('a', 'B')", "B"),  # case-insensitively
        ("least('a', 'A')", "a"),  # ties keep the first
        ("least('[', 'a')", "a"),
        ("least('z', '-2', 'a')", "-2"),
        ("greatest(3.14, 2.71, 3.15)", "3.15"),
        ("greatest(NULL, 1, 2)", ""),
    ],
)
def test_greatest_and_least(text: str, expected: str) -> None:
    check(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("regexp_instr('abc', 'b')", "2"),
        ("regexp_instr('abc', '')", "1"),
        ("regexp_instr('ABC', '(?-i)b')", "0"),
        ("regexp_instr('aXb', 'a(?-i)x')", "0"),
        ("regexp_instr('abc', '[[:alpha:]]')", "1"),
        ("regexp_substr('ABC', 'b')", "B"),  # case-insensitive by default
        ("regexp_substr('ab12cd', '[0-9]+')", "12"),
        ("regexp_replace('James Bond', '^(.*) (.*)$', '\\2, \\1')", "Bond, James"),
        ("regexp_replace('abc', 'b', '[\\0]')", "a[b]c"),
        ("regexp_replace('abc', '(b)|(z)', '[\\2]')", "a[\\2]c"),  # a group that took no part stays
        ("regexp_replace('ABC', 'b', '$A')", "A$AC"),
        ("regexp_replace('ABC', '', 'A')", "ABC"),
        ("regexp_replace('abc', '^', 'X')", "XXX"),  # the rest of the subject is searched anew
        ("regexp_replace('abab', '(?=b)', '-')", "a-a-"),  # an empty match swallows a character
        ("regexp_replace('<html><head><title>title</title></head>', '<.+?>', ' ')", "   title  "),
    ],
)
def test_regular_expressions(text: str, expected: str) -> None:
    check(text, expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abs()", "abs() expects 1 argument, got 0"),
        ("abs('5')", "abs() requires numeric argument"),
        ("conv(123, 10)", "conv() expects 3 arguments (N, from_base, to_base), got 2"),
        ("conv(123, 1, 10)", "conv() from_base must be between 2 and 62, got 1"),
        ("conv(10, 10, -63)", "conv() to_base must be between 2 and 62, got -63"),
        ("conv(10, '16', 2)", "conv() bases must be numeric"),
        ("conv(189, 8, 10)", "invalid number '189' for base 8"),
        ("conv('10 ', 10, 2)", "invalid number '10 ' for base 10"),
        ("conv(FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF, 16, 10)", "Range error: value out of range for Integer type"),
        ("conv(61, 10, 62)", "could not convert number '61' for base 62"),
        ("bin('a')", "invalid number 'a' for base 10"),
        ("hex()", "hex() expects 1 argument, got 0"),
        ("lcase()", "lower() expects 1 argument, got 0"),
        ("concat()", "concat() expects at least 1 argument"),
        ("concat_ws('a')", "concat_ws() expects at least 2 arguments"),
        ("greatest(1)", "greatest() expects at least 2 arguments"),
        ("instr('hello')", "instr() expects 2 arguments (str, substr), got 1"),
        ("locate('a', 'b', 'c')", "locate() start position must be numeric"),
        ("lpad('a', -1, 'x')", "lpad() length cannot be negative"),
        ("rpad('a', 'x')", "rpad() length must be numeric"),
        ("repeat('a', '3')", "repeat() count must be numeric"),
        ("replace(123, 'world', 'test')", "replace() arguments must be strings"),
        ("substr('hello', 1, 2, 3)", "substr() expects 2 or 3 arguments (str, start [, length]), got 4"),
        ("substr(123, 1, 2)", "substr() first argument must be a string"),
        ("substr('hello', 'world', 2)", "substr() start position must be numeric"),
        ("substring_index('a', 'b', 'c')", "substring_index() count must be numeric"),
        ("insert('a', 'b', 1, 'c')", "insert() position must be numeric"),
        ("ifnull(1)", "ifnull() expects 2 arguments, got 1"),
        (
            "greatest('9999999999999999999999', 1)",
            "Range error: 9999999999999999999999 value out of range for Integer type",
        ),
        ("regexp_instr('a', '(')", "Regex error: unbalanced () at offset 1"),
        ("regexp_instr('a', '[a')", "Regex error: unbalanced [] at offset 2"),
        ("regexp_instr('a', '*a')", "Regex error: ? * + invalid at offset 0"),
        ("concat(" + ",".join(["1"] * 101) + ")", "Too many function arguments (max 100)"),
    ],
)
def test_function_errors(text: str, message: str) -> None:
    fails(text, message)


def test_values_are_typed() -> None:
    assert evaluate("1 + 1") == Int(2)
    assert evaluate("18446744073709551615") == Int(18446744073709551615, unsigned=True)
    assert evaluate("'1'") == "1"
    assert evaluate("NULL") is None
    assert evaluate("hex(255)") == "FF"  # conversions give strings


def test_latin1_tables() -> None:
    # The reference folds case byte by byte with latin1's tables: UTF-8 sequences come out mangled.
    assert latin1_lower("BJ\xc3\x96RN") == "bj\xe3\x96rn"
    assert latin1_upper("bj\xc3\xb6rn") == "BJ\xc3\xb6RN"
    assert latin1_upper("\xff\xdf\xb5\xf7") == "\xff\xdf\xb5\xf7"
    assert collate("\xe9", "\xc9") == 0  # latin1_swedish_ci: é and É weigh the same
    assert collate("a ", "a") == 0  # PAD SPACE
    assert collate("\xc4", "z") > 0  # Swedish: Ä after Z


@pytest.mark.parametrize(
    ("text", "truth"),
    [("1", True), ("0", False), ("-0", True), ("", False), ("  ", False), (" 0", False),
     ("0abc", False), ("abc", True), ("0.5", False), ("\t0", False)],
)  # fmt: skip
def test_condition_truth(text: str, truth: bool) -> None:
    assert is_true(text) is truth


@pytest.mark.parametrize(
    ("text", "start", "close"),
    [
        ("$(1 + 2)", 1, 7),
        ("$((1 + 2) * 3) x", 1, 13),
        ("$(')' == \")\")", 1, 12),
        ("$('\\')' )", 1, 8),  # a backslash inside quotes hides the quote
        ("$(a\\)b)", 1, 4),  # but not outside them
        ("$((1 + 2)", 1, None),
        ("$('abc)", 1, None),
    ],
)
def test_closing_paren(text: str, start: int, close: int | None) -> None:
    assert closing_paren(text, start) == close


def test_expansion_integrates_expressions() -> None:
    variables = Variables({})
    variables.set("a", "10")
    variables.set("s", '"test string"')
    assert variables.expand("$a + $a = $($a + $a)") == "10 + 10 = 20"
    assert variables.expand("$($s == 'test string')") == "1"
    assert variables.expand("\\$(1)") == "$(1)"  # an escaped dollar starts no expression
    assert variables.expand("$(1 + $(2 + $(3)))") == "6"
    assert variables.expand("$(lower('A\\$'))") == "a$"  # escapes inside are handled before evaluating
    assert variables.expand("$(1)$(2) $(NULL).") == "12 ."


def test_expansion_errors() -> None:
    variables = Variables({})
    variables.set("v", "abc")
    with pytest.raises(ExpressionError, match=r"^Unmatched parenthesis in expression starting at '\$\(\(1 \+ 2\)'$"):
        variables.expand("$((1 + 2)")
    with pytest.raises(
        ExpressionError, match=r"^Unmatched parenthesis in expression starting at '\$\(\(\(\(\(\(\(\(\('$"
    ):
        variables.expand("$(((((((((1+3")
    # The message quotes the expression after its variables are expanded.
    with pytest.raises(ExpressionError, match=r"^Syntax error in sub-expression 'abc, 1'$"):
        variables.expand("$($v, 1)")


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1), st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_signed_arithmetic_wraps_like_c(a: int, b: int) -> None:
    def wrap(n: int) -> int:
        return (n + 2**63) % 2**64 - 2**63

    left, right = f"({a})", f"({b})"
    assert evaluate(f"{left} + {right}") == Int(wrap(a + b))
    assert evaluate(f"{left} * {right}") == Int(wrap(a * b))
