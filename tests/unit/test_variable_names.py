"""mysqltest variable names are case-insensitive (MariaDB's mysqltest: $datadir reads $DATADIR)."""

from __future__ import annotations

from runner.engine.variables import Variables


def test_a_variable_set_in_one_case_reads_in_another() -> None:
    variables = Variables({})
    variables.set("DATADIR", "/var/data/")
    assert variables.expand("$datadir/test/t1.frm") == "/var/data//test/t1.frm"
    assert "DataDir" in variables


def test_the_environment_is_found_whatever_the_case_but_keeps_its_spelling() -> None:
    variables = Variables({"MYSQL_TEST_DIR": "/mt"})
    assert variables.get("mysql_test_dir") == "/mt"
    variables.set_env("New_Var", "x")
    assert variables.environment["New_Var"] == "x"
    assert variables.get("NEW_VAR") == "x"


def test_an_unknown_variable_is_empty() -> None:
    assert Variables({}).expand("[$nothing]") == "[]"
