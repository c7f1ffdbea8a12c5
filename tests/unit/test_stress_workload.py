"""Reading a workload file: sections, weights, let functions, and errors at their line."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from runner.errors import TestFileError as FileError
from runner.stress.workload import DEFAULT_GROUP, Let, Statement, evaluate, read_workload


def workload_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "w.test"
    path.write_text(text)
    return path


def test_sections_weights_and_steps(tmp_path: Path) -> None:
    path = workload_file(tmp_path, """# a comment
--setup
CREATE TABLE t (id INT PRIMARY KEY);
--group write weight=3
--let $k = random(1, 10)
INSERT INTO t VALUES ($k);
--group read
SELECT * FROM t
WHERE id = $k;
--cleanup
DROP TABLE t;
""")
    workload = read_workload(path)
    assert [type(step) for step in workload.setup] == [Statement]
    assert [(g.name, g.weight, g.statements) for g in workload.groups] == [("write", 3, 1), ("read", 1, 1)]
    let, insert = workload.group("write").steps
    assert isinstance(let, Let) and let.name == "k" and let.value == "random(1, 10)"
    assert isinstance(insert, Statement) and insert.sql == "INSERT INTO t VALUES ($k)"
    assert insert.location.line == 6
    assert workload.group("read").steps[0].sql == "SELECT * FROM t\nWHERE id = $k"  # type: ignore[union-attr]
    assert [s.sql for s in workload.cleanup] == ["DROP TABLE t"]  # type: ignore[union-attr]


def test_plain_statements_are_one_group(tmp_path: Path) -> None:
    workload = read_workload(workload_file(tmp_path, "SELECT 1;\n--eval SELECT $connection\n"))
    assert [g.name for g in workload.groups] == [DEFAULT_GROUP]
    assert [s.sql for s in workload.groups[0].steps] == ["SELECT 1", "SELECT $connection"]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("--group w weight=0\nSELECT 1;\n", 1, "weight=N"),
        ("--group\nSELECT 1;\n", 1, "needs a name"),
        ("--group a\nSELECT 1;\n--group a\nSELECT 2;\n", 3, "defined twice"),
        ("--group a\n--group b\nSELECT 1;\n", 1, "group 'a' has no statement"),
        ("--setup\nSELECT 1;\n", 1, "no statement to run in a loop"),
        ("--group a\n--let $k = nosuch(1)\nSELECT 1;\n", 2, "unknown function 'nosuch()'"),
        ("--group a\n--let $k = random(1)\nSELECT 1;\n", 2, "random() takes 2 argument(s), not 1"),
        ("--group a\n--let $k = random(1, x)\nSELECT 1;\n", 2, "'x' is not a whole number"),
        ("--group a\n--sleep 1\nSELECT 1;\n", 2, "'sleep' cannot be used in a workload"),
        ("--group a\n--nonsense\n", 2, "not a mysqltest command"),
        ("--setup now\nSELECT 1;\n", 1, "--setup takes no argument"),
    ],
)
def test_errors_name_their_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    with pytest.raises(FileError) as caught:
        read_workload(workload_file(tmp_path, text))
    assert caught.value.location is not None and caught.value.location.line == line
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"{tmp_path / 'w.test'}:{line}: ")


def test_let_functions() -> None:
    rng = random.Random(7)

    def expand(text: str) -> str:
        return text.replace("$top", "5")

    values = {int(evaluate("random(1, $top)", expand, rng)) for _ in range(200)}
    assert values == {1, 2, 3, 4, 5}
    text = evaluate("random_string(12)", expand, rng)
    assert len(text) == 12 and text.isalnum()
    assert {evaluate("choice(a, b)", expand, rng) for _ in range(50)} == {"a", "b"}
    first, second = int(evaluate("sequence()", expand, rng)), int(evaluate("sequence()", expand, rng))
    assert second == first + 1
    assert evaluate("id-$top", expand, rng) == "id-5"  # not a call: text with variables


def test_the_same_seed_gives_the_same_values() -> None:
    def draw(seed: int) -> list[str]:
        rng = random.Random(seed)
        return [evaluate("random(1, 1000000)", str, rng) for _ in range(5)]

    assert draw(3) == draw(3) and draw(3) != draw(4)
