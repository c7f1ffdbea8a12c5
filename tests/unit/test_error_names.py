import ast
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from runner.language import error_names
from runner.language.error_names import ERROR_NAMES


def _load_generator() -> ModuleType:
    # tools/ is a folder of scripts, not a package; importing it as `tools.x` would make mypy see the
    # file under two module names.
    path = Path(__file__).resolve().parents[2] / "tools" / "gen_error_names.py"
    spec = importlib.util.spec_from_file_location("gen_error_names", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


gen = _load_generator()
MODULE_PATH = Path(error_names.__file__)
HEADERS = Path("/usr/include/mariadb")


@pytest.mark.parametrize(
    ("name", "number"),
    [
        ("ER_NO_SUCH_TABLE", 1146),
        ("ER_DUP_ENTRY", 1062),
        ("ER_PARSE_ERROR", 1064),
        ("ER_BAD_DB_ERROR", 1049),
        ("ER_LAST_MYSQL_ERROR_MESSAGE", 1880),
        ("ER_JSON_TABLE_ERROR_ON_FIELD", 4176),
        ("WARN_SFORMAT_ERROR", 4183),
        ("WARN_DATA_TRUNCATED", 1265),
        ("HA_ERR_KEY_NOT_FOUND", 120),
        ("HA_ERR_AUTOINC_ERANGE", 167),
        ("HA_WRONG_CREATE_OPTION", 140),
        ("CR_SERVER_GONE_ERROR", 2006),
        ("CR_SERVER_LOST", 2013),
    ],
)
def test_known_numbers(name: str, number: int) -> None:
    assert ERROR_NAMES[name] == number


@pytest.mark.parametrize(
    "marker", ["ER_ERROR_FIRST", "ER_ERROR_LAST", "ER_ERROR_FIRST_SECTION_2", "ER_ERROR_LAST_SECTION_1"]
)
def test_range_markers_are_not_names(marker: str) -> None:
    # mysqltest answers "Unknown SQL error name" for these.
    assert marker not in ERROR_NAMES


def test_client_range_bounds_are_not_names() -> None:
    assert "CR_MIN_ERROR" not in ERROR_NAMES
    assert "CR_MAX_ERROR" not in ERROR_NAMES


def test_each_name_appears_once_in_the_source() -> None:
    # A dict literal silently keeps the last of two equal keys, so look at the literal itself.
    tree = ast.parse(MODULE_PATH.read_text(encoding="utf-8"))
    keys = [
        key.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Dict)
        for key in node.keys
        if isinstance(key, ast.Constant)
    ]
    assert len(keys) == len(ERROR_NAMES)
    assert len(set(keys)) == len(keys)


def test_sorted_by_number() -> None:
    numbers = list(ERROR_NAMES.values())
    assert numbers == sorted(numbers)


def test_header_names_the_generator() -> None:
    head = MODULE_PATH.read_text(encoding="utf-8").splitlines()[:3]
    assert head[0].startswith("# Generated")
    assert "tools/gen_error_names.py" in head[1]


def test_parse_defines_keeps_numeric_macros_with_prefix() -> None:
    text = (
        "#define ER_A 1000\n"
        "#  define ER_B\t1001 /* comment */\n"
        "#define CR_ALIAS CR_A\n"
        "#define OTHER 5\n"
        "#define ER_C (1002)\n"
    )
    assert gen.parse_defines(text, ("ER_", "CR_")) == [("ER_A", 1000), ("ER_B", 1001)]


def test_server_errors_drop_markers_keep_warn() -> None:
    text = (
        "#define ER_ERROR_FIRST 1000\n#define ER_HASHCHK 1000\n#define ER_ERROR_LAST_SECTION_1 1001\n"
        "#define ER_ERROR_FIRST_SECTION_2 1900\n#define WARN_X 1901\n#define ER_ERROR_LAST 1901\n"
    )
    assert [(e.name, e.number) for e in gen.server_errors(text)] == [("ER_HASHCHK", 1000), ("WARN_X", 1901)]


def test_client_errors_drop_bounds() -> None:
    text = "#define CR_MIN_ERROR 2000\n#define CR_MAX_ERROR 2999\n#define CR_UNKNOWN_ERROR 2000\n"
    assert [e.name for e in gen.client_errors(text)] == ["CR_UNKNOWN_ERROR"]


def test_handler_names_are_read_in_order() -> None:
    text = '/* x */\n{ "HA_ERR_B", HA_ERR_B, "" },\n'
    text += '{ "HA_WRONG_CREATE_OPTION", HA_WRONG_CREATE_OPTION, "" },\n'
    assert gen.handler_error_names(text) == ["HA_ERR_B", "HA_WRONG_CREATE_OPTION"]


@pytest.mark.skipif(not (HEADERS / "mysqld_error.h").is_file(), reason="libmariadb-dev not installed")
def test_table_matches_installed_headers() -> None:
    from_headers = gen.server_errors((HEADERS / "mysqld_error.h").read_text(encoding="utf-8"))
    from_headers += gen.client_errors((HEADERS / "errmsg.h").read_text(encoding="utf-8"))
    from_table = {k: v for k, v in ERROR_NAMES.items() if not k.startswith("HA_")}
    assert {e.name: e.number for e in from_headers} == from_table
