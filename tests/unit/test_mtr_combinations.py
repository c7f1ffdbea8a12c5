"""Combinations: .combinations files, the order MTR applies them in, and the runs it makes."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from runner.mtr.closure import include_closure
from runner.mtr.combinations import (
    Combination,
    CombinationsError,
    Dimension,
    NoRules,
    Run,
    dimension_of,
    dimensions,
    is_subset,
    read_combinations,
    runs,
)
from runner.mtr.options import BaseOptions, base_options
from runner.mtr.suites import suite_of_test

MYSQL_TEST = Path("/usr/share/mysql/mysql-test")
HAVE_MTR_PERL = (MYSQL_TEST / "lib/My/Config.pm").is_file() and shutil.which("perl") is not None


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _perl(script: str, *args: str) -> object:
    out = subprocess.run(
        ["perl", "-I", str(MYSQL_TEST / "lib"), "-e", "use JSON::PP; " + script, *args],
        cwd=MYSQL_TEST,
        capture_output=True,
        check=True,
    )
    return json.loads(out.stdout.decode("latin-1"))


TRICKY = """[one]
--thread-handling=one-thread-per-connection
optimizer_switch=a=on
optimizer_switch=b=on
key = value with spaces<2SP>
key = replaced
#commented-out-looks-like-an-option
# a real comment
; another comment
plugin-load-add=x.so
plugin_load_add=y.so

[two]
bare-flag
rpl.filter = db.t

[one]
late=1

[ENV]
NOT_A_COMBINATION=1
""".replace("<2SP>", "  ")


@pytest.mark.skipif(not HAVE_MTR_PERL, reason="needs perl and mysql-test's lib/My/Config.pm")
def test_reading_matches_my_config(tmp_path: Path) -> None:
    files = sorted(MYSQL_TEST.rglob("*.combinations"))
    files += [_write(tmp_path / "tricky.combinations", TRICKY)]
    _write(tmp_path / "inc.cnf", "[three]\nfrom-include\n")
    files += [_write(tmp_path / "with_include.combinations", "[one]\na=1\n!include inc.cnf\n")]
    expected = _perl(
        "use My::Config; my $j = JSON::PP->new->latin1;"
        "print $j->encode([map { my $c = My::Config->new($_);"
        " [map { my $g = $_; [$g->name, [map { $_->option } $g->options]] } $c->option_groups] } @ARGV]);",
        *map(str, files),
    )
    assert isinstance(expected, list)
    for path, want in zip(files, expected, strict=True):
        got = [[c.name, list(c.options)] for c in read_combinations(path)]
        assert got == want, path


def test_bad_line_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CombinationsError):
        read_combinations(_write(tmp_path / "bad.combinations", "[x]\n   \n"))


SUBSET_CASES = [
    (["--a=1", "--b"], ["--a=1"]),
    (["--a=1", "--b"], ["--b="]),
    (["--a=1"], ["--a=2"]),
    (["--a=x=y"], ["--a=x=y"]),
    (["--binlog-format=row"], ["--binlog_format=row"]),
    (["$VAR"], ["--VAR"]),
    ([], []),
]


@pytest.mark.skipif(not HAVE_MTR_PERL, reason="needs perl and mysql-test's lib/My/Options.pm")
def test_is_subset_matches_my_options() -> None:
    expected = _perl(
        "use My::Options; my $cases = decode_json($ARGV[0]);"
        "print encode_json([map { My::Options::is_subset($_->[0], $_->[1]) ? JSON::PP::true : JSON::PP::false }"
        " @$cases]);",
        json.dumps(SUBSET_CASES),
    )
    assert [is_subset(have, sub) for have, sub in SUBSET_CASES] == expected


def _dim(name: str, *choices: tuple[str, tuple[str, ...]]) -> Dimension:
    return Dimension(Path(f"/x/{name}.combinations"), tuple(Combination(n, o) for n, o in choices))


def test_cross_product_and_option_order() -> None:
    base = BaseOptions(master=("--own",), slave=("--own",), timezone=None)
    engine = _dim("engine", ("innodb", ("--e=innodb",)), ("aria", ("--e=aria",)))
    fmt = _dim("fmt", ("row", ("--f=row",)), ("stmt", ("--f=stmt",)))
    made = runs(base, [engine, fmt])
    assert [r.combinations for r in made] == [("innodb", "row"), ("innodb", "stmt"), ("aria", "row"), ("aria", "stmt")]
    # Each dimension's options go in front of what is there: the last applied comes first.
    assert made[0].options == ("--f=row", "--e=innodb")
    assert made[1].name == "innodb,stmt" and Run(("stmt", "aria")).name == "aria,stmt"
    assert made[0].environment() == {
        "MTR_COMBINATION_INNODB": "1",
        "MTR_COMBINATION_ROW": "1",
        "MTR_COMBINATIONS": "innodb,row",
    }


def test_subset_skip_and_forced_choices() -> None:
    base = BaseOptions(master=("--f=row",), slave=("--f=row",), timezone=None)
    fmt = _dim("fmt", ("stmt", ("--f=stmt",)), ("row", ("--f=row",)))
    # The test already has --f=row: it is not split, it just takes the name (once per occurrence).
    assert runs(base, [fmt]) == [Run(("row",), ())]
    assert runs(base, [fmt, fmt]) == [Run(("row", "row"), ())]
    skipping = Dimension(Path("/x/have_debug.combinations"), skip="Requires debug build")
    other = _dim("other", ("a", ("--a",)), ("b", ("--b",)))
    # Split before the skip: every copy is skipped; skip first: one skipped run, not split.
    assert [r.skip for r in runs(base, [other, skipping])] == ["Requires debug build"] * 2
    assert runs(base, [skipping, other]) == [Run((), (), "Requires debug build")]
    assert [r.combinations for r in runs(base, [other], only=["b"])] == [("b",)]
    with pytest.raises(CombinationsError):
        runs(base, [other], only=["zzz"])


class _Rules(NoRules):
    def __init__(self, files: dict[Path, str], choices: dict[Path, frozenset[str]]) -> None:
        self.files = files
        self.choices = choices

    def file_skip(self, combinations_file: Path) -> str | None:
        return self.files.get(combinations_file)

    def skipped_choices(self, combinations_file: Path) -> frozenset[str]:
        return self.choices.get(combinations_file, frozenset())


def test_skip_rules_on_a_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "platform.combinations", "[win]\n\n[aix]\n\n[unix]\n")
    assert dimension_of(path, NoRules()) == Dimension(path, tuple(Combination(n, ()) for n in ("win", "aix", "unix")))
    only_unix = dimension_of(path, _Rules({}, {path: frozenset({"win", "aix"})}))
    assert only_unix is not None and [c.name for c in only_unix.choices] == ["unix"]
    none_left = dimension_of(path, _Rules({}, {path: frozenset({"win", "aix", "unix"})}))
    assert none_left == Dimension(path, skip="Requires: platform")
    # A whole-file skip applies even when there is no .combinations file at all.
    missing = tmp_path / "have_x.combinations"
    assert dimension_of(missing, _Rules({missing: "Need x"}, {})) == Dimension(missing, skip="Need x")
    assert dimension_of(missing, NoRules()) is None


def test_dimension_order_follows_mtr(tmp_path: Path) -> None:
    base = tmp_path / "mysql-test"
    _write(base / "mariadb-test-run.pl", "")
    (base / "lib").mkdir()
    for name in ("a", "b", "n"):
        _write(base / f"include/{name}.combinations", f"[{name}1]\n--{name}=1\n[{name}2]\n--{name}=2\n")
    _write(base / "include/a.inc", "--source include/n.inc\n")
    _write(base / "include/n.inc", "")
    _write(base / "include/b.inc", "")
    _write(base / "main/t.test", "--source include/a.inc\n--source include/b.inc\n--source include/b.inc\n")
    _write(base / "main/t.combinations", "[t1]\n--t=1\n")
    _write(base / "main/combinations", "[s1]\n--s=1\n")  # the suite's own dimension comes first
    suite = suite_of_test(base / "main/t.test", base)
    closure = include_closure(suite.tdir / "t.test", suite)
    order = [d.source.name for d in dimensions(closure, NoRules())]
    # Per file: the includes' lists in line order, then its own, the whole list reversed
    # (perl's `sort ::uniq(...)`); b.inc is sourced twice and counts twice.
    assert order == [
        "combinations",
        "t.combinations",
        "b.combinations",
        "b.combinations",
        "n.combinations",
        "a.combinations",
    ]
    made = runs(base_options(closure), dimensions(closure, NoRules()))
    assert made[0].combinations == ("s1", "t1", "b1", "b1", "n1", "a1")
    assert made[0].options == ("--a=1", "--n=1", "--b=1", "--t=1", "--s=1")
    # MTR's %test_combs is shared by all copies: once b1 matched by subset it counts as asked for,
    # so the b2 copy is not split again but forced to b1 as well.
    assert {r.combinations[2:4] for r in made} == {("b1", "b1"), ("b2", "b1")}
    assert len(made) == 8


def _mtr_make_combinations(case: dict[str, object]) -> object:
    """mtr_cases::make_combinations applied dimension by dimension, as collect_one_test_case does."""
    return _perl(
        "use mtr_cases; use My::Options; my $in = decode_json($ARGV[0]);"
        "my %combs = map { $_ => 1 } @{$in->{only}};"
        "my @cases = (My::Test->new(name => 'x', master_opt => [@{$in->{master}}], slave_opt => [@{$in->{slave}}]));"
        "for my $dim (@{$in->{dims}}) { @cases = map mtr_cases::make_combinations($_, \\%combs, @$dim), @cases; }"
        "print encode_json([map { [$_->{combinations} || [], $_->{master_opt}, $_->{comment}] } @cases]);",
        json.dumps(case),
    )


def _as_dimension(number: int, dim: list[dict[str, object]]) -> Dimension:
    if dim and "skip" in dim[0]:
        return Dimension(Path(f"/d{number}"), skip=str(dim[0]["skip"]))
    return Dimension(
        Path(f"/d{number}"),
        tuple(Combination(str(c["name"]), tuple(c["comb_opt"])) for c in dim),  # type: ignore[arg-type]
    )


def _choices(*names: str, prefix: str = "--o") -> list[dict[str, object]]:
    return [{"name": n, "comb_opt": [f"{prefix}={n}"] if n != "empty" else []} for n in names]


RUN_CASES = [
    {
        "only": [],
        "master": ["--own"],
        "slave": ["--own"],
        "dims": [_choices("x", "y"), _choices("p", "q", prefix="--p")],
    },
    {"only": [], "master": [], "slave": [], "dims": [_choices("b1", "b2"), _choices("b1", "b2")]},
    {"only": [], "master": ["--o=y"], "slave": ["--o=y"], "dims": [_choices("x", "y"), _choices("x", "y")]},
    {"only": [], "master": ["--o=y"], "slave": [], "dims": [_choices("x", "y")]},
    {"only": ["q"], "master": [], "slave": [], "dims": [_choices("x", "y"), _choices("p", "q", prefix="--p")]},
    {"only": [], "master": [], "slave": [], "dims": [_choices("x", "empty"), [{"skip": "Need it"}], _choices("p")]},
    {"only": [], "master": [], "slave": [], "dims": [[{"skip": "First"}], _choices("x", "y"), [{"skip": "Second"}]]},
]


@pytest.mark.skipif(not HAVE_MTR_PERL, reason="needs perl and mysql-test's lib/mtr_cases.pm")
@pytest.mark.parametrize("case", RUN_CASES)
def test_runs_match_make_combinations(case: dict[str, object]) -> None:
    expected = _mtr_make_combinations(case)
    spec: dict = case
    base = BaseOptions(tuple(spec["master"]), tuple(spec["slave"]), None)
    dims = [_as_dimension(n, d) for n, d in enumerate(spec["dims"])]
    made = runs(base, dims, only=spec["only"])
    got = [[list(r.combinations), [*r.options, *base.master], r.skip] for r in made]
    assert got == expected
