"""Result dialects: how a run's output is written."""

from __future__ import annotations

from runner.render.base import Dialect


def dialect_named(name: str) -> Dialect:
    if name == "mysql-tester":
        from runner.dialects.mysql_tester.renderer import MysqlTesterDialect

        return MysqlTesterDialect()
    from runner.dialects.mysqltest.renderer import MysqltestDialect

    return MysqltestDialect()
