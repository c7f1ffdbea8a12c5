"""Hypothesis strategies for the fuzz tests: text that looks like what people write — valid
pieces, broken pieces and noise mixed — for .test files, result files and config files."""

from __future__ import annotations

from hypothesis import strategies as st

from runner.language.commands import MARIADB_COMMANDS

# Characters a .test file can hold: tidbrun reads bytes as latin-1, one character per byte.
_LATIN1 = st.characters(min_codepoint=0, max_codepoint=255)
_WORD = st.text(st.sampled_from("abcxyz_$0123456789"), min_size=1, max_size=8)
_NOISE = st.text(_LATIN1, max_size=12)
_SPECIAL = st.sampled_from(
    ["'", '"', "`", "\\", "{", "}", "(", ")", ";", "$", "#", "--", "\n", "\r\n", "\r", "\t", " ", "//", "\x00",
     "EOF", "END_OF_FILE", "\x81'", "\xa1\\", "\xff"]
)
_DELIMITER = st.sampled_from([";", "//", "|", "$$", "END", ";;", "\\", "'", "x" * 17, "", " "])
_CONDITION = st.one_of(
    st.sampled_from(["(1)", "($a)", "(!$a)", "($a == 1)", "(`select 1`)", "($(1+2))", "(", "", "()", "($a <"]),
    _NOISE.map(lambda s: f"({s})"),
)


@st.composite
def _command(draw: st.DrawFn) -> str:
    name = draw(st.one_of(st.sampled_from(MARIADB_COMMANDS), _WORD))
    argument = draw(st.one_of(st.just(""), _WORD, _NOISE))
    style = draw(st.sampled_from(["dash", "delimited", "bare"]))
    if style == "dash":
        return f"--{name} {argument}\n"
    if style == "delimited":
        return f"{name} {argument};\n"
    return f"{name} {argument}"


@st.composite
def _block(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["if", "while"]))
    condition = draw(_CONDITION)
    body = draw(st.lists(st.one_of(_statement, _command()), max_size=3))
    opener = draw(st.sampled_from(["\n{\n", " {\n", "{", "\n", ""]))
    closer = draw(st.sampled_from(["}\n", "}", "", "}}\n", "end;\n"]))
    return f"{kind} {condition}{opener}{''.join(body)}{closer}"


@st.composite
def _heredoc(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(["write_file", "append_file", "perl"]))
    target = draw(st.sampled_from([" $MYSQL_TMP_DIR/f.txt", "", " f.txt EOF", " f.txt STOP"]))
    body = draw(_NOISE)
    end = draw(st.sampled_from(["EOF\n", "STOP\n", "", "EOF", " EOF\n"]))
    return f"--{name}{target}\n{body}\n{end}"


_statement = st.one_of(
    st.sampled_from(["select 1;\n", "select 'a;b';\n", "select \"x\\\"y\";\n", "create table t (a int);\n",
                     "insert into t values (1),\n  (2);\n", "select `a;`;\n", "select 1\n"]),
    _NOISE.map(lambda s: f"select '{s}';\n"),
)
_delimiter_change = _DELIMITER.flatmap(
    lambda d: st.sampled_from([f"delimiter {d};\n", f"--delimiter {d}\n", f"delimiter {d}\n", f"DELIMITER {d}\n"])
)
_comment = _NOISE.map(lambda s: f"# {s}\n")
_special_lines = st.sampled_from(
    ["--disable_parsing\n", "--enable_parsing\n", "--character_set sjis\n", "character_set big5;\n",
     "--error ER_NO_SUCH_TABLE\n", "--source include/x.inc\n", "--echo $a\n", "let $a = `select 1`;\n",
     "--exit\n", "--\n", "-- \n", "---\n", "}\n", "{\n"]
)

test_piece = st.one_of(
    _statement, _command(), _block(), _heredoc(), _delimiter_change, _comment, _special_lines, _SPECIAL, _NOISE
)
test_text = st.lists(test_piece, max_size=25).map("".join)


# -- result files: any bytes, and text that looks like results -------------------------------------

_result_line = st.one_of(
    st.sampled_from(["select 1;\n", "1\n", "a\tb\n", "NULL\n", "Warnings:\n", "Note\t1051\tUnknown table 't'\n",
                     "ERROR 42S02: Table 'test.t' doesn't exist\n", "", "\n", "\r\n", "no newline"]),
    st.text(_LATIN1, max_size=20),
)
result_text = st.lists(_result_line, max_size=20).map("".join)
result_bytes = st.one_of(st.binary(max_size=300), result_text.map(lambda s: s.encode("latin-1")))


# -- config files ----------------------------------------------------------------------------------

_KEYS = ["host", "port", "user", "password", "socket", "database", "connect_timeout", "dialect", "force",
         "verbose", "statement_timeout", "testcase_timeout", "suite_timeout", "basedir", "reject_dir", "vardir",
         "log_file", "report_file", "nosuch", "a.b", '"quoted"']
_VALUES = st.one_of(
    st.sampled_from(['"127.0.0.1"', "4000", "0", "-1", "70000", "true", "false", "1.5", "inf", "nan", '"x"',
                     "[1, 2]", "{a = 1}", "'''\nmulti\n'''", '"\\ud800"', '"\\u00e9"', "1979-05-27", "", "[[[",
                     '"unterminated']),
    st.text(st.characters(codec="utf-8"), max_size=10).map(lambda s: '"' + s.replace('"', "").replace("\\", "") + '"'),
)


@st.composite
def _config_line(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["section", "pair", "pair", "pair", "comment", "noise"]))
    if kind == "section":
        return draw(st.sampled_from(["[server]", "[test]", "[other]", "[server", "[[server]]", "[server.sub]",
                                     "[ test ]"])) + "\n"
    if kind == "pair":
        return f"{draw(st.sampled_from(_KEYS))} = {draw(_VALUES)}\n"
    if kind == "comment":
        return "# " + draw(st.text(max_size=10)).replace("\n", " ") + "\n"
    return draw(st.text(max_size=15))


_noisy_config = st.lists(_config_line(), max_size=15).map("".join)

# Well-formed documents with values of the right type, and the same with one thing wrong: what a
# person editing the file by hand produces.
_GOOD_VALUES = {
    "host": st.sampled_from(['"127.0.0.1"', '"db.example"', "'localhost'"]),
    "port": st.integers(1, 65535).map(str),
    "user": st.sampled_from(['"root"', '"ci"', '""']),
    "password": st.text(st.characters(codec="utf-8", exclude_characters='"\\'), max_size=12).map(lambda v: f'"{v}"'),
    "socket": st.just('"/tmp/x.sock"'),
    "database": st.just('"test"'),
    "connect_timeout": st.sampled_from(["1", "2.5", "30"]),
    "dialect": st.sampled_from(['"mysqltest"', '"mysql-tester"', '"klingon"']),
    "force": st.sampled_from(["true", "false"]),
    "verbose": st.sampled_from(["true", "false"]),
    "statement_timeout": st.sampled_from(["1", "0.5", "600"]),
    "testcase_timeout": st.sampled_from(["10", "3600"]),
    "suite_timeout": st.sampled_from(["60", "7200.5"]),
    "basedir": st.sampled_from(['"mysql-test"', '"/usr/share/mysql/mysql-test"']),
    "reject_dir": st.just('"rejects"'),
    "vardir": st.just('"var"'),
    "log_file": st.just('"run.log"'),
    "report_file": st.just('"report.json"'),
    "var": st.sampled_from(["{ rows = 10 }", '{ mode = "fast", big = true }', "{ 2x = 1 }", "{}"]),
}
_SECTION_KEYS = {
    "server": ["host", "port", "user", "password", "socket", "database", "connect_timeout"],
    "test": ["dialect", "force", "verbose", "statement_timeout", "testcase_timeout", "suite_timeout", "basedir",
             "reject_dir", "vardir", "log_file", "report_file", "var"],
}


@st.composite
def _config_document(draw: st.DrawFn) -> str:
    lines = ["# tidbrun settings"]
    for section in draw(st.lists(st.sampled_from(["server", "test"]), unique=True, max_size=2)):
        lines.append(f"[{section}]")
        for key in draw(st.lists(st.sampled_from(_SECTION_KEYS[section]), unique=True, max_size=6)):
            lines.append(f"{key} = {draw(_GOOD_VALUES[key])}")
    if draw(st.booleans()):  # one mistake, somewhere
        mistake = draw(st.one_of(_config_line(), st.sampled_from(["port = \"4000\"", "force = 1", "[tests]",
                                                                  "timeout = 5", "host = ", "[server]"])))
        lines.insert(draw(st.integers(0, len(lines))), mistake.rstrip("\n"))
    return "\n".join(lines) + "\n"


config_text = st.one_of(_config_document(), _config_document(), _noisy_config)
_config_encoded = config_text.map(lambda s: s.encode("utf-8", "surrogatepass"))
config_bytes = st.one_of(_config_encoded, _config_encoded, _config_encoded, st.binary(max_size=100))
