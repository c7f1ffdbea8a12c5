"""tidbrun and the reference mysqltest on the same server: same .test text, same result bytes.

Each case runs a small test through tidbrun (``SuiteRunner``, in process) and through
``mariadb-test --record`` on the session's private server, from the same clean state and with
the same ``$MYSQLTEST_VARDIR``/``$MYSQL_TMP_DIR``, and compares what both wrote. The expected bytes
are never written by hand: the reference is the specification.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from runner.config.run_config import RunConfig, ServerSettings
from runner.dialects.mysqltest.renderer import MysqltestDialect
from runner.run.suite import SuiteRunner
from runner.run.suite import TestCase as Case
from runner.server.embedded import EmbeddedServer
from runner.server.hygiene import reset_between_tests
from runner.server.mtr_env import test_environment as mtr_environment
from tests.conftest import reference_binary
from tests.integration.conftest import mysql_test_dir_or_none

pytestmark = pytest.mark.integration

REFERENCE = reference_binary()
needs_reference = pytest.mark.skipif(
    REFERENCE is None, reason="the reference mysqltest (mariadb-test) is not installed"
)
TEST_NAME = "snippet"


@dataclass(frozen=True)
class OursRun:
    status: str
    message: str
    output: bytes  # the whole output (pass) or the output up to the failure
    result: bytes | None  # the recorded .result


@dataclass(frozen=True)
class ReferenceRun:
    returncode: int
    stderr: str
    result: bytes | None  # the recorded .result
    log: bytes | None  # <logdir>/<test>.log: the output so far when the test died

    def failure(self) -> tuple[int, str]:
        """mysqltest's ``mysqltest: At line N: message`` as (N, message)."""
        m = re.search(r"^mysqltest: At line (\d+): (.*)$", self.stderr, re.MULTILINE)
        assert m is not None, self.stderr
        return int(m.group(1)), m.group(2)


class Bench:
    """One test folder; runs its ``snippet.test`` with tidbrun or with the reference."""

    def __init__(self, server: EmbeddedServer, environment: Mapping[str, str], root: Path) -> None:
        self.server = server
        self.root = root
        self.test = root / f"{TEST_NAME}.test"
        self.vardir = root / "var"
        self.environment = dict(environment)
        self.environment.update(
            MYSQLTEST_VARDIR=str(self.vardir),
            MYSQLTEST_REAL_VARDIR=str(self.vardir),
            MYSQL_TMP_DIR=str(self.vardir / "tmp"),
        )

    def write(self, text: str, files: Mapping[str, str] | None = None) -> None:
        self.test.write_bytes(text.encode("latin-1"))
        for name, content in (files or {}).items():
            (self.root / name).write_bytes(content.encode("latin-1"))

    def _clean(self) -> None:
        for sub in ("tmp", "log"):
            (self.vardir / sub).mkdir(parents=True, exist_ok=True)
        for old in (self.vardir / "log").iterdir():
            old.unlink()
        # Same server state for both runs: no leftover tables, connections or files.
        reset_between_tests(self.server.address, self.vardir)

    def ours(self) -> OursRun:
        self._clean()
        address = self.server.address
        result = self.root / "ours.result"
        result.unlink(missing_ok=True)
        settings = ServerSettings(
            host=address.host, port=address.port, socket=address.socket, user=address.user, password=address.password
        )
        runner = SuiteRunner(
            config=RunConfig(paths=[self.test], server=settings, record=True),
            address=address,
            dialect=MysqltestDialect(),
            vardir=self.vardir,
            environment=dict(self.environment),
        )
        report = runner.run_one(Case(self.test, TEST_NAME, result))
        return OursRun(
            report.status,
            report.message,
            report.output.encode("latin-1"),
            result.read_bytes() if result.exists() else None,
        )

    def reference(self) -> ReferenceRun:
        assert REFERENCE is not None
        self._clean()
        address = self.server.address
        result = self.root / "reference.result"
        result.unlink(missing_ok=True)
        argv = [
            REFERENCE,
            "--host=localhost",
            f"--socket={address.socket}",
            f"--port={address.port}",
            f"--user={address.user}",
            "--database=test",
            "--silent",
            f"--tmpdir={self.vardir / 'tmp'}",
            f"--logdir={self.vardir / 'log'}",
            f"--basedir={self.root}/",
            f"--test-file={self.test}",
            f"--result-file={result}",
            "--record",
        ]
        if address.password:
            argv.append(f"--password={address.password}")
        proc = subprocess.run(argv, cwd=self.root, env=self.environment, capture_output=True, timeout=120, check=False)
        # mysqltest names its log after the result file.
        log = self.vardir / "log" / f"{result.stem}.log"
        return ReferenceRun(
            proc.returncode,
            proc.stderr.decode("latin-1"),
            result.read_bytes() if result.exists() else None,
            log.read_bytes() if log.exists() else None,
        )


@pytest.fixture(scope="module")
def environment(embedded_server: EmbeddedServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("mtr-env")
    env = dict(os.environ)
    env.update(mtr_environment(embedded_server.address, folder, mysql_test_dir_or_none(), folder, folder / "x.test"))
    return env


@pytest.fixture
def bench(embedded_server: EmbeddedServer, environment: dict[str, str], tmp_path: Path) -> Bench:
    return Bench(embedded_server, environment, tmp_path)


def visible_blanks(text: str) -> str:
    """Trailing blanks matter in some cases; they are written as · (space) and ⇥ (tab) so that the
    source itself has none."""
    return text.replace("·", " ").replace("⇥", "\t")


def assert_same_result(bench: Bench, text: str, files: Mapping[str, str] | None = None) -> None:
    bench.write(visible_blanks(text), files)
    reference = bench.reference()
    assert reference.returncode == 0, f"the reference failed on this case:\n{reference.stderr}"
    assert reference.result is not None
    ours = bench.ours()
    assert ours.status == "pass", ours.message
    assert ours.result is not None
    # Compared as text for a readable diff; latin-1 keeps every byte.
    assert ours.result.decode("latin-1") == reference.result.decode("latin-1")


# -- the cases ------------------------------------------------------------------------------------------

ECHO_AND_PARSING = r"""select 1 ;
   select   2   as x   ;
select 3,
    4,
# a hash comment inside
	5;
select 6; # comment after
select 7; select 8;

--echo
--echo    leading spaces kept?
--echo trailing semicolon;
echo in semicolon form
  spanning lines;
--delimiter //
select 9//
select 10 //
delimiter ;//
select 11;
query select 12;
--query select 13
select 16 -- sql comment
;
select /* c */ 17;
select "a;b", 'c;d', `x;y` from (select 1 as `x;y`) t;
select 18 ;··
--disable_query_log
select 19;
--enable_query_log
select 20

  , 21;
select 1,···
   2   ,⇥
	3 as `a	b`   ;
select "a
   b" as q,
   2;
select `x`
   from (select 1 as x) t;
select 1
   ,"s"
   , 3;
-- echo comment with space after dashes
--   echo dashes then spaces
select 3; -- echo x
  --echo indented dash command
  # indented comment
SELECT 6;
echo;
--echo done
"""

DELIMITERS_AND_MULTI_RESULTS = r"""delimiter //;
select 1 as x; select 2 as y//
create procedure p1()
begin
  select 'one' as one;
  select 'two' as two;
  select 1 as empty from dual where 0;
end//
delimiter ;//
call p1();
drop procedure p1;
--delimiter |
select 'pipe' as p|
--delimiter ;
select 'back' as b;
"""

RESULT_SETS = (
    "create table t1 (a int, b varchar(10), c text, d double, e decimal(5,2), f datetime, g blob, h char(3));\n"
    "insert into t1 values (1,'x',NULL,1.5,2.25,'2020-01-02 03:04:05',0xC0FF,'ab'),"
    "(2,'',concat('a',char(9),'b',char(10),'c'),NULL,NULL,NULL,NULL,NULL);\n"
    r"""select * from t1;
select * from t1 where a > 100;
select 0xC0FF, 0x00 as nul, 'é' as e;
select 1 as `a b`, '' as ``, 2 as "dq", 42 + 1, NULL;
--disable_result_log
select * from t1;
--enable_result_log
--disable_column_names
select * from t1;
--enable_column_names
--lowercase_result
select 'ABC' as UPPER, 'Def';
select 'ABC' as UPPER;
drop table t1;
"""
)

VERTICAL = r"""create table t1 (a int, b varchar(10));
insert into t1 values (1,'one'),(2,NULL);
--vertical_results
select a, b as longer_name from t1;
select * from t1 where a > 100;
--horizontal_results
select * from t1;
--query_vertical select 1 as x, NULL as yy
query_vertical select 2 as b;
--replace_column 1 R
--query_vertical select 5 as a, 6 as b
select 'horizontal again' as h;
drop table t1;
"""

METADATA_AND_INFO = r"""create table t1 (a int not null, b varchar(10), c text, d double, e decimal(5,2));
--enable_info
insert into t1 values (1,'x','t',1.5,2.25),(2,'y',NULL,NULL,NULL),(3,'z','u',0,0);
insert into t1 values (4,'w',NULL,NULL,NULL);
update t1 set b = 'v' where a > 2;
update t1 set b = b where a > 2;
select a from t1 order by a;
delete from t1 where a = 4;
set @a = 1;
--disable_info
--enable_metadata
select a, b as bee, c, d, e from t1 as tt where a = 1;
select 1 as lit, NULL as n;
--disable_metadata
drop table t1;
"""

ERRORS = r"""--error ER_NO_SUCH_TABLE
select * from nosuch;
--echo errno=$mysql_errno errname=$mysql_errname
--error 1146
select * from nosuch;
--error S42S02
select * from nosuch;
--error 0,1146
select * from nosuch;
--error 0,1146
select 1;
--echo errno=$mysql_errno errname=[$mysql_errname]
--error 1050,1146
select * from nosuch;
--error ER_TABLE_EXISTS_ERROR,ER_NO_SUCH_TABLE
select * from nosuch;
--error S42S01,S42S02
select * from nosuch;
--error 1146, 1050
select * from nosuch;
--disable_result_log
--error 1146
select * from nosuch;
--enable_result_log
--echo after disabled
--disable_abort_on_error
select * from nosuch;
--echo errno=$mysql_errno errname=$mysql_errname
select 1 from nosuch2 where x;
--enable_abort_on_error
--error 1064
selec 1;
error 1146;
select * from nosuch;
--error ER_NO_SUCH_TABLE
eval select * from nosuch where 1=$mysql_errno;
--disable_query_log
--error 1146
select * from nosuch;
--enable_query_log
--error ER_PARSE_ERROR,ER_NO_SUCH_TABLE
selec 2;
select 1;
--echo errno=$mysql_errno errname=$mysql_errname
"""

WARNINGS = r"""drop table if exists nosuch;
set sql_mode='';
create table t1 (a int, b tinyint);
insert into t1 values (1, 1000);
select * from t1 where a = 'x1';
--disable_warnings
drop table if exists nosuch;
--enable_warnings
--sorted_result
select cast('zz' as int) as a, cast('aa' as int) as b;
select cast('zz' as int) as a, cast('aa' as int) as b;
delimiter //;
create procedure p2() begin select 1 as one; drop table if exists nosuch2; select 2 as two; end//
select 1 as x; select 2 as y; drop table if exists nosuch3//
delimiter ;//
call p2();
--enable_info
call p2();
--disable_info
SHOW WARNINGS;
drop procedure p2;
drop table t1;
"""

REPLACE = r"""create table t1 (a int, b varchar(20));
insert into t1 values (3,'apple pie'),(1,'Banana'),(2,'cherry'),(10,'apple');
--replace_result apple APPLE 3 three
select * from t1 order by a;
--replace_result "apple pie" "PIE DISH" Banana 'Ba na'
select * from t1 order by a;
--replace_result t1 T_ONE nosuch NOSUCH
select b as t1_col from t1 where a = 1;
--replace_result nosuch NOSUCH
--error 1146
select * from nosuch;
--replace_regex /p+/P/ /an/AN/i
select * from t1 order by a;
--replace_regex /a.*e/<&>/
select * from t1 order by a;
--replace_regex #apple#fruit# |cherry|berry|
select * from t1 order by a;
--replace_regex /([0-9]+)/[\1]/
select * from t1 order by a;
--replace_regex /(a)(b)?/[\2]/
select 'ab', 'a';
--replace_regex /x/a b/ /y/"q"/
select 'xy' as x;
--replace_regex /[0-9]+/N/ /SELECT/select/i
SELECT 123, 456;
--replace_regex ,a,b,
select 'a' as x;
--replace_regex (a)(b) {c}{d}
select 'ac' as x;
--replace_regex /[[:digit:]]+/D/
select 'a1b22' as x;
--replace_column 1 X 3 Y
select * from t1 order by a;
--replace_column 2 "two words"
select * from t1 order by a;
--replace_column 1 X
select NULL as a;
--replace_column 1 X
--error 1146
select * from nosuch;
--replace_regex /Table/TABLE/ /nosuch/NS/
--error 1146
select * from nosuch;
--replace_result nosuch NOSUCH
drop table if exists nosuch;
--replace_result 10 TEN 1 ONE
select 10, 1, 110, 101;
--replace_regex /1/ONE/ /ONE0/TEN/
select 10, 1, 110, 101;
--replace_regex /1/ONE/
--replace_result 10 TEN
select 10, 1, 110, 101;
--replace_result 1 ONE ONE uno
--replace_regex /1/ONE/
select 1;
--replace_regex /ab/X/ /X/ab/
select 'ab' as ab;
--replace_result ab X bcd Y
select 'abcd', 'bcd', 'abc';
--replace_result a A aa B aaa C
select 'aaaa', 'aaaaa';
let $x = apple;
--replace_result $x FRUIT
select 'apple' as x;
drop table t1;
"""

# `$` ends a regex here; it is not a variable.
REPLACE_REGEX_ANCHORS = r"""create table t1 (a int, b varchar(20));
insert into t1 values (3,'apple pie'),(1,'Banana'),(2,'cherry'),(10,'apple');
--replace_regex /^a.*e$/X/
select * from t1 order by a;
--replace_regex /^/X/
select a, b from t1 where a < 3 order by a;
drop table t1;
"""

REPLACE_LIFETIME = r"""--replace_result apple APPLE
--echo apple in echo is not replaced
select 'apple';
--replace_result apple APPLE
let $x = apple;
select 'apple';
--replace_result apple APPLE
--sleep 0
select 'apple';
--replace_result apple APPLE
--exec echo apple from exec
select 'apple';
--replace_regex /a/b/
--disable_query_log
select 'a';
--enable_query_log
--replace_result 1 ONE
--eval select $mysql_errno + 1 as v
--replace_result a A
--let $v = `select 'a' as x`
--echo [$v]
"""

SORTED = r"""create table t1 (a varchar(10), b int);
insert into t1 values ('zeta',1),('yak',2),('x1',3),('B',4),('',5),(NULL,6),('_',7),('10',8),('2',9);
--sorted_result
select a from t1;
--sorted_result
select * from t1 where a = 'nothing';
--sorted_result
--disable_column_names
select a from t1;
--enable_column_names
--sorted_result
--vertical_results
select a, b from t1 where b < 3;
--horizontal_results
--sorted_result
--error 1146
select * from nosuch;
--sorted_result
select concat('b', char(10), 'a') as v union select 'c';
delimiter //;
--sorted_result
--enable_info
select 'z' as z union select 'y'; select 'c' as c union select 'b'; drop table if exists nosuch//
--disable_info
delimiter ;//
--sorted_result
--enable_metadata
select a from t1 where b < 3;
--disable_metadata
--sorted_result
--echo zzz echo
select a from t1 where b < 3;
--sorted_result
--exec printf 'b\na\n'
--sorted_result
--replace_column 1 same
select a, b from t1 where b < 3;
--sorted_result
--replace_regex /^/X/
select a, b from t1 where b < 3;
drop table t1;
"""

VARIABLES = r"""create table t1 (a int, b varchar(10));
insert into t1 values (1,'one'),(2,'two'),(3,NULL);
let $x = 42;
--let $y = abc;
eval select $x as v, "$y" as w;
--eval select $x + 1
--eval select "$y;" as e;
--echo [$y]
--echo $y;
let $z = def ;
--echo [$z]
let $w=  spaced  ;
--echo [$w]
--let $v = q··
--echo [$v]
--echo a\tb \$y $y \\ end
let $v = query_get_value(select * from t1 order by a, b, 2);
--echo [$v]
let $v = query_get_value(select * from t1 order by a, b, 3);
--echo [$v]
let $v = query_get_value(select * from t1 order by a, b, 9);
--echo [$v]
let $v = query_get_value("SELECT a, b FROM t1 WHERE a = 2", b, 1);
--echo [$v]
let $b = `select b from t1 where a = 1`;
--echo [$b]
let $b = `select a, b from t1 order by a`;
--echo [$b]
let $b = `select b from t1 where a = 99`;
--echo [$b]
let $b = `select NULL`;
--echo [$b]
let $b = `select 1, NULL, 'x'`;
--echo [$b]
let $b = `select NULL, 1`;
--echo [$b]
let $q = 'quoted';
--echo [$q]
--let $s = it's
--echo [$s]
eval select '$b' as x, "$q" as y, '\$b' as z;
let $y = $x + 1;
--echo y=$y
inc $x;
--echo x=$x
dec $x;
dec $x;
--echo x=$x
--echo [$undefined_var]
let $ENV_TEST_VAR = from test;
--exec echo env=$ENV_TEST_VAR
--exec echo env2=\$ENV_TEST_VAR
--echo errno=$mysql_errno affected=$mysql_affected_rows
drop table t1;
"""

CONTROL_FLOW = r"""create table t1 (a int);
insert into t1 values (1),(2),(3);
let $n = 5;
if ($n == 5) {
  --echo eq5
}
if ($n != 5)
{
  --echo ne5
}
if ($n > 4) {
  --echo gt4
}
if ($n <= 4) {
  --echo le4
}
if (!$n) {
  --echo not n
}
if (!$undefined_var) {
  --echo undefined is false
}
let $str = abc;
if ($str == abc) {
  --echo str eq
}
if ($str == 'abc') {
  --echo str eq quoted
}
if ($str != "abd") {
  --echo str ne dq
}
if (`select 1`) {
  --echo backtick true
}
if (`select 0`) {
  --echo backtick false
}
if (`select count(*) = 3 from t1`) {
  --echo three rows
}
let $zero = 0;
if ($zero) {
  --echo zero true?
}
let $zs = 0abc;
if ($zs) {
  --echo 0abc true?
}
let $neg = -1;
if ($neg) {
  --echo neg true
}
let $i = 3;
while ($i) {
  --echo i=$i
  dec $i;
}
let $i = 0;
while ($i < 3)
{
  inc $i;
  if ($i == 2) {
    --echo two
  }
  let $j = 0;
  while ($j < $i)
  {
    inc $j;
    eval select $i * 10 + $j as ij;
  }
}
--echo i=$i
let $k = 7;
--if ($k == 7) {
  --echo dash if
}
--while ($k > 5) {
  dec $k;
}
--echo k=$k
if ($k)
{
  select '}' as brace;
}
drop table t1;
"""

SOURCE = r"""--echo before
--source inc1.inc
--echo [$from_inc]
source inc1.inc;
let $depth = 2;
--source nested.inc
--echo after
"""
SOURCE_FILES = {
    "inc1.inc": "--echo in include\nselect 'from include' as src;\nlet $from_inc = set in include;\n",
    "nested.inc": "--echo nested depth=$depth\n--source inc1.inc\nselect 'nested done' as n;\n",
}


FILES = r"""--write_file $MYSQL_TMP_DIR/a.txt
line one
  indented	tab
$MYSQL_TMP_DIR not expanded?
EOF
--cat_file $MYSQL_TMP_DIR/a.txt
--append_file $MYSQL_TMP_DIR/a.txt
appended
EOF
cat_file $MYSQL_TMP_DIR/a.txt;
write_file $MYSQL_TMP_DIR/b.txt END_MARK;
custom end
EOF is not the end here
END_MARK
--cat_file $MYSQL_TMP_DIR/b.txt
--list_files $MYSQL_TMP_DIR b.*
--file_exists $MYSQL_TMP_DIR/a.txt
--error 1
--file_exists $MYSQL_TMP_DIR/nosuch.txt
--copy_file $MYSQL_TMP_DIR/a.txt $MYSQL_TMP_DIR/c.txt
--diff_files $MYSQL_TMP_DIR/a.txt $MYSQL_TMP_DIR/c.txt
--error 2
--diff_files $MYSQL_TMP_DIR/a.txt $MYSQL_TMP_DIR/b.txt
--write_file $MYSQL_TMP_DIR/d1.txt
same size 1
EOF
--write_file $MYSQL_TMP_DIR/d2.txt
same size 2
EOF
--error 1
--diff_files $MYSQL_TMP_DIR/d1.txt $MYSQL_TMP_DIR/d2.txt
--remove_files_wildcard $MYSQL_TMP_DIR d*.txt
--remove_file $MYSQL_TMP_DIR/c.txt
--error 1
--remove_file $MYSQL_TMP_DIR/c.txt
--perl
print "from perl\n";
print "tmp set\n" if $ENV{MYSQL_TMP_DIR};
EOF
perl;
print "second perl\n";
print "the test file is exported\n" if -f $ENV{MYSQLTEST_FILE};
EOF
--perl END_PERL
print "custom perl terminator\n";
END_PERL
--remove_file $MYSQL_TMP_DIR/a.txt
--remove_file $MYSQL_TMP_DIR/b.txt
--echo end
"""

WRITE_LINE = r"""--let $restart_parameters= --replicate_rewrite_db='X->Y'
--write_line "restart: $restart_parameters" $MYSQL_TMP_DIR/w.txt
--cat_file $MYSQL_TMP_DIR/w.txt
--write_line 'single "inner"' $MYSQL_TMP_DIR/w.txt
--cat_file $MYSQL_TMP_DIR/w.txt
--write_line `back tick` $MYSQL_TMP_DIR/w.txt
--cat_file $MYSQL_TMP_DIR/w.txt
--write_line plain $MYSQL_TMP_DIR/w.txt # a comment
--cat_file $MYSQL_TMP_DIR/w.txt
--let $two= 'two words'
--write_line $two $MYSQL_TMP_DIR/w.txt
--cat_file $MYSQL_TMP_DIR/w.txt
write_line "semicolon form" $MYSQL_TMP_DIR/w.txt;
--cat_file $MYSQL_TMP_DIR/w.txt
--remove_file $MYSQL_TMP_DIR/w.txt
select 1;
"""

EXEC = r"""--exec echo hi
exec echo two words  ;
--exec printf 'no newline'
--echo after
--exec printf 'a\tb\n\nc\n'
--exec echo $MYSQL_TMP_DIR | sed 's/.*var.tmp/TMPDIR/'
--replace_regex /^l/L/
--exec printf 'line\nline\n'
--error 1
--exec false
--error 0,1
--exec false
--error 1,2
--exec sh -c 'exit 2'
--error 1
--exec echo out; exit 1
--system echo from system
--exec echo to stderr >&2
--exec echo \$HOME stays literal
let $word = expanded;
--exec echo $word
--echo end
"""

CONNECTIONS = r"""connect (con1,localhost,root,,);
select 1;
connection default;
connect con2,localhost,root,,test;
disconnect con2;
connection con1;
--disable_connect_log
connect (con3,localhost,root,,);
connection default;
connection con3;
disconnect con3;
--enable_connect_log
--connection default
connect (con4,localhost,root,,*NO-ONE*);
select database();
connection default;
disconnect con4;
change_user root,,test;
--error ER_ACCESS_DENIED_ERROR
connect (bad,localhost,root,wrongpw,test);
--disable_connect_log
--error 1045
connect (bad,localhost,root,wrongpw,test);
--enable_connect_log
--error ER_BAD_DB_ERROR
connect (bad2,localhost,root,,nosuchdb);
--error 0,1045
connect (bad,localhost,root,wrongpw,test);
--error 1045,1049
connect (bad,localhost,root,wrongpw,test);
--connect(con5,localhost,root,,)
--connect (con6, localhost, root,, test)
connection  con5 ;
--connection con6
--disconnect con6
connection default;
delimiter //;
connect (con7,localhost,root,,)//
connection default//
disconnect con7//
--error 1045
connect (bad,127.0.0.1,root,wrongpw,test,$MASTER_MYPORT,)//
delimiter ;//
connection con5;
select 1;
disconnect con5;
--error 2006
select 2;
connection con1;
disconnect con1;
connection default;
select 3;
select attr_value from performance_schema.session_connect_attrs
  where attr_name = 'program_name' and processlist_id = connection_id();
"""

SEND_REAP = r"""connect (con1,localhost,root,,);
connect (con2,localhost,root,,);
connection con1;
select get_lock('tidbrun_lock', 10) as got1;
connection con2;
send select get_lock('tidbrun_lock', 10) as got2;
connection con1;
--echo con2 waits for the lock while con1 goes on
select 'con1 still free' as c;
select release_lock('tidbrun_lock') as released;
connection con2;
reap;
select release_lock('tidbrun_lock') as released2;
send select * from nosuch;
--error ER_NO_SUCH_TABLE
reap;
--send select 15
--reap
send;
select 'bare send' as b;
reap;
--send_eval select $mysql_errno as e
--reap
connection default;
send select 14;
--echo between send and reap
reap;
disconnect con1;
disconnect con2;
select 'back' as d;
"""

EXIT_EARLY = r"""select 1;
--exit
select 2;
"""

EXIT_SEMICOLON = r"""select 1;
exit;
"""

CASES = {
    "echo_and_parsing": (ECHO_AND_PARSING, None),
    "delimiters_and_multi_results": (DELIMITERS_AND_MULTI_RESULTS, None),
    "result_sets": (RESULT_SETS, None),
    "vertical": (VERTICAL, None),
    "metadata_and_info": (METADATA_AND_INFO, None),
    "errors": (ERRORS, None),
    "warnings": (WARNINGS, None),
    "replace": (REPLACE, None),
    "replace_regex_anchors": (REPLACE_REGEX_ANCHORS, None),
    "replace_lifetime": (REPLACE_LIFETIME, None),
    "sorted": (SORTED, None),
    "variables": (VARIABLES, None),
    "control_flow": (CONTROL_FLOW, None),
    "source": (SOURCE, SOURCE_FILES),
    "files": (FILES, None),
    "write_line": (WRITE_LINE, None),
    "exec": (EXEC, None),
    "connections": (CONNECTIONS, None),
    "send_reap": (SEND_REAP, None),
    "exit_early": (EXIT_EARLY, None),
    "exit_semicolon": (EXIT_SEMICOLON, None),
}


@needs_reference
@pytest.mark.parametrize("name", list(CASES))
def test_same_result_as_the_reference(bench: Bench, name: str) -> None:
    text, files = CASES[name]
    assert_same_result(bench, text, files)


# -- tests that die: the same message at the same line, the same output up to there -----------------------

FAILURES = {
    "unexpected_error": "select 1 as x;\n--echo mid\nselect * from nosuch;\nselect 2;\n",
    "wrong_errno": "select 1;\n--error 1050\nselect * from nosuch;\n",
    "wrong_errno_from_a_list": "select 1;\n--error ER_TABLE_EXISTS_ERROR,1064\nselect * from nosuch;\n",
    "wrong_sqlstate": "select 1;\n--error S42S01\nselect * from nosuch;\n",
    "succeeded_but_error_expected": "select 1;\n--error ER_NO_SUCH_TABLE\nselect 2;\n",
    "succeeded_but_sqlstate_expected": "select 1;\n--error S42S02\nselect 2;\n",
    "die": "select 1;\n--die Died here\nselect 2;\n",
    "die_in_a_block": "let $i = 1;\nif ($i)\n{\n  --echo inside\n  --die Died in a block\n}\n",
    "query_on_a_disconnected_connection": ("connect (con1,localhost,root,,);\ndisconnect con1;\nselect 2;\n"),
    "eval_error_shows_the_unexpanded_text": "let $t = nosuch;\neval select * from $t;\n",
    "exec_wrong_error": "--echo x\n--error 1\n--exec sh -c 'exit 3'\n",
    "exec_succeeded_but_error_expected": "--echo x\n--error 1\n--exec echo out\n",
    "exec_wrong_error_for_an_sql_error_name": "--echo x\n--error ER_NO_SUCH_TABLE\n--exec false\n",
    "file_exists_of_a_missing_file": "--echo x\n--file_exists $MYSQL_TMP_DIR/nosuch.txt\n",
    "cat_file_of_a_missing_file": "--echo x\n--cat_file $MYSQL_TMP_DIR/nosuch.txt\n",
    "diff_files_wrong_error": (
        "--write_file $MYSQL_TMP_DIR/a.txt\na\nEOF\n--write_file $MYSQL_TMP_DIR/b.txt\nb\nEOF\n"
        "--echo x\n--error 2\n--diff_files $MYSQL_TMP_DIR/a.txt $MYSQL_TMP_DIR/b.txt\n"
    ),
    "write_file_that_exists": (
        "--write_file $MYSQL_TMP_DIR/a.txt\na\nEOF\n--echo x\n--write_file $MYSQL_TMP_DIR/a.txt\nb\nEOF\n"
    ),
    "system_failure": "--echo x\n--system false\n",
    "unexpected_connect_failure": "--echo x\nconnect (bad,localhost,root,wrongpw,test);\n",
    "error_before_send_belongs_to_the_send": "--error 1146\nsend select * from nosuch;\nreap;\n",
    "disable_abort_on_error_still_dies_on_success": ("--disable_abort_on_error\nselect 1;\n--error 1146\nselect 2;\n"),
}


def run_failure(bench: Bench, name: str) -> tuple[ReferenceRun, OursRun]:
    bench.write(FAILURES[name])
    reference = bench.reference()
    assert reference.returncode == 1, reference.stderr
    ours = bench.ours()
    assert ours.status == "fail", ours.message
    assert ours.result is None  # nothing recorded for a test that died
    return reference, ours


@needs_reference
@pytest.mark.parametrize("name", list(FAILURES))
def test_same_failure_message_as_the_reference(bench: Bench, name: str) -> None:
    reference, ours = run_failure(bench, name)
    line, message = reference.failure()
    assert ours.message == f"{bench.test}:{line}: {message}"


@needs_reference
@pytest.mark.parametrize(
    ("error_list", "refused"),
    [("ER_NO_SUCH_TABLE,", False), ("ER_NO_SUCH_TABLE, ", True), ("ER_NO_SUCH_TABLE,,1050", True)],
)
def test_error_list_endings_as_the_reference(bench: Bench, error_list: str, refused: bool) -> None:
    # mysqltest steps past a comma and stops at the very end of the text: one comma closes the list,
    # a blank after it is an empty entry ("Invalid argument to error"; tidbrun names it differently).
    bench.write(f"select 1;\n--error {error_list}\nselect * from nosuch;\nselect 2;\n")
    reference = bench.reference()
    ours = bench.ours()
    if not refused:
        assert reference.returncode == 0, reference.stderr
        assert ours.status == "pass", ours.message
        assert ours.result == reference.result
        return
    assert reference.returncode == 1
    line, message = reference.failure()
    assert message.startswith("Invalid argument to error") and line == 2
    assert ours.status == "error", ours.message  # a malformed test, not a wrong result
    assert ours.message.startswith(f"{bench.test}:2: empty entry in the error list"), ours.message


# mysqltest writes a failing diff_files' diff into its log; tidbrun keeps the diff out of the output.
OUTPUT_DIFFERS_BY_DESIGN = {"diff_files_wrong_error"}


@needs_reference
@pytest.mark.parametrize("name", [name for name in FAILURES if name not in OUTPUT_DIFFERS_BY_DESIGN])
def test_same_output_before_the_failure_as_the_reference(bench: Bench, name: str) -> None:
    # mysqltest's <logdir>/<result>.log: the output up to and including the failing command's echo.
    reference, ours = run_failure(bench, name)
    assert reference.log is not None
    assert ours.output.decode("latin-1") == reference.log.decode("latin-1")


@needs_reference
def test_skip_like_the_reference(bench: Bench) -> None:
    bench.write("select 1;\nlet $why = something special;\n--skip Need $why\nselect 2;\n")
    reference = bench.reference()
    assert reference.returncode == 62, reference.stderr
    assert "reason: Need something special" in reference.stderr
    ours = bench.ours()
    assert (ours.status, ours.message, ours.result) == ("skip", "Need something special", None)


@needs_reference
def test_no_output_fails_like_the_reference(bench: Bench) -> None:
    bench.write("--disable_query_log\nlet $a = 1;\n--disable_result_log\nselect 1;\n")
    reference = bench.reference()
    assert reference.returncode == 1
    assert "The test didn't produce any output" in reference.stderr
    ours = bench.ours()
    assert ours.status == "fail"
    assert ours.result is None


# -- tidbrun's own behaviour on a real server (no reference needed) ------------------------------------------


def test_send_really_runs_in_the_background(bench: Bench) -> None:
    # If `send` waited for its statement, con2 would block on the lock con1 holds and the test would
    # never get to release it: get_lock would time out (0) instead of returning 1.
    bench.write(
        "connect (con1,localhost,root,,);\nconnect (con2,localhost,root,,);\n"
        "connection con1;\nselect get_lock('bg', 5) as a;\n"
        "connection con2;\nsend select get_lock('bg', 5) as b;\n"
        "connection con1;\nselect release_lock('bg') as r;\n"
        "connection con2;\nreap;\n"
    )
    ours = bench.ours()
    assert ours.status == "pass", ours.message
    assert b"select get_lock('bg', 5) as b;\n" in ours.output
    assert ours.output.endswith(b"connection con2;\nb\n1\n")


def test_statement_while_a_send_is_pending_is_a_test_error(bench: Bench) -> None:
    bench.write("send select 1;\nselect 2;\n")
    ours = bench.ours()
    assert ours.status == "fail"
    assert ours.message.startswith(f"{bench.test}:2: ")


def test_failure_in_a_sourced_file_names_the_include_chain(bench: Bench) -> None:
    bench.write("--echo start\n--source bad.inc\n", {"bad.inc": "--echo in bad\nselect * from nosuch;\n"})
    ours = bench.ours()
    assert ours.status == "fail"
    inc = bench.root / "bad.inc"
    assert ours.message.startswith(f"{inc}:2 (sourced from {bench.test}:2): query 'select * from nosuch' failed")
    assert ours.output == b"start\nin bad\nselect * from nosuch;\n"
