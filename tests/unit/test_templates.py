"""Templated tests: the matrix (front matter and --matrix), the runs' names and results, rendering
with errors and records that point into the .j2 file."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner import errors
from runner.language.records import Block, Query
from runner.plugins import current
from runner.run.suite import discover
from runner.run.templates import FrontMatter, expand_templates, parse_matrix, render

FRONT = '{# tidbrun\n[matrix]\nlevel = ["rc", "rr"]\nrows = [1, 10, 100]\n#}\n'


def template(tmp_path: Path, text: str, name: str = "x.test.j2") -> Path:
    path = tmp_path / "suite" / "t" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_a_matrix_gives_one_named_run_per_combination_each_with_its_result(tmp_path: Path) -> None:
    template(tmp_path, FRONT + "select {{ rows }};\n")
    cases = expand_templates(discover([tmp_path / "suite"]), {})
    assert [c.name for c in cases] == [
        "x 'level=rc,rows=1'", "x 'level=rc,rows=10'", "x 'level=rc,rows=100'",
        "x 'level=rr,rows=1'", "x 'level=rr,rows=10'", "x 'level=rr,rows=100'",
    ]
    assert cases[1].result == tmp_path / "suite" / "r" / "x,level=rc,rows=10.result"
    assert cases[1].parameters == (("level", "rc"), ("rows", "10"))


def test_the_command_line_replaces_or_adds_parameters_and_a_result_can_be_shared(tmp_path: Path) -> None:
    template(tmp_path, FRONT.replace("tidbrun\n", "tidbrun\nshared_result = true\n") + "select 1;\n")
    cases = expand_templates(discover([tmp_path / "suite"]), parse_matrix(["rows=5", "engine=a,b"]))
    assert [c.name for c in cases] == [
        "x 'level=rc,rows=5,engine=a'", "x 'level=rc,rows=5,engine=b'",
        "x 'level=rr,rows=5,engine=a'", "x 'level=rr,rows=5,engine=b'",
    ]
    assert {c.result.name for c in cases} == {"x.result"}


@pytest.mark.parametrize("item", ["rows", "rows=", "1x=2", "rows=,"])
def test_a_bad_matrix_option_is_refused(item: str) -> None:
    with pytest.raises(ValueError, match="--matrix needs NAME=VALUE"):
        parse_matrix([item])


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ("{# tidbrun\n[matrix]\nrows = [1,\n#}\n", "x.test.j2:2: front matter: "),
        ("{# tidbrun\ncolour = 1\n#}\n", "x.test.j2:2: front matter: unknown key(s) ['colour']"),
        ("{# tidbrun\n[matrix]\nrows = []\n#}\n", "x.test.j2:3: front matter: [matrix] maps each name"),
    ],
)
def test_a_bad_front_matter_is_a_file_line_error(tmp_path: Path, front: str, message: str) -> None:
    path = template(tmp_path, front + "select 1;\n")
    with pytest.raises(errors.TestFileError) as caught:
        FrontMatter(path, path.read_text())
    assert str(caught.value).startswith(f"{path.parent}/{message}"), str(caught.value)


def test_rendered_lines_are_traced_back_to_the_template(tmp_path: Path) -> None:
    path = template(tmp_path, FRONT + "select 1;\n{% for i in range(2) %}\nselect {{ i }};\n{% endfor %}\nselect 9;\n")
    rendered = render(path, {"level": "rc", "rows": "1"}, {})
    assert rendered.text == b"select 1;\nselect 0;\nselect 1;\nselect 9;\n"
    assert rendered.lines[:4] == [6, 8, 8, 10]


def test_records_of_a_rendered_test_point_into_the_template(tmp_path: Path) -> None:
    path = template(tmp_path, "{% for i in range(2) %}\nselect {{ i }};\n{% endfor %}\nif (1)\n{\n  select 2;\n}\n")
    rendered = render(path, {}, {})
    records = current().dialect("mysqltest").read(path, display=str(path), data=rendered.text).records
    rendered.relocate(records, str(path))
    queries = [r for r in records if isinstance(r, Query)]
    assert [q.location.line for q in queries] == [2, 2]
    block = next(r for r in records if isinstance(r, Block))
    assert block.location.line == 4 and block.body[0].location.line == 6


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("select 1;\n\nselect {{ nope }};\n", ":3: undefined: 'nope' is undefined"),
        ("select 1;\n{% for x in %}\n", ":2: template syntax error: "),
        ("select 1;\n{{ 1 // 0 }}\n", ":2: template error: integer division or modulo by zero"),
    ],
)
def test_a_template_error_names_the_template_line(tmp_path: Path, text: str, message: str) -> None:
    path = template(tmp_path, text)
    with pytest.raises(errors.TestFileError) as caught:
        render(path, {}, {})
    assert str(caught.value).startswith(f"{path}{message}"), str(caught.value)


def test_the_template_sees_the_run_variables_as_var(tmp_path: Path) -> None:
    path = template(tmp_path, "select {{ var.rows | default(3) }}, {{ level }};\n")
    assert render(path, {"level": "rc"}, {"rows": "7"}).text == b"select 7, rc;\n"
    assert render(path, {"level": "rc"}, {}).text == b"select 3, rc;\n"
