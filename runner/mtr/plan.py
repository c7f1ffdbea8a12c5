"""Everything mysql-test-run.pl decides about one test file before running it.

``collect_one_test_case`` in ``mtr_cases.pm``, in its order: ``disabled.def``, the suite's own skip,
the include closure and its tags (``--big-test``), the ``.opt`` options, the combinations (each
a run), the result file of each run; then what ``run_testcase`` adds: the server options with
``$VAR``s expanded, ``TZ`` and the ``MTR_COMBINATION*`` variables.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from runner.mtr import combinations as comb
from runner.mtr.closure import Closure, include_closure
from runner.mtr.features import MysqldFeatures
from runner.mtr.options import BaseOptions, TestOptions, base_options, opts_from_file, server_options
from runner.mtr.results import ResultChoice, choose_result, patch_available
from runner.mtr.suite_rules import MtrSettings, RuleBook, Skip, skip_before_combinations, tname_of
from runner.mtr.suites import Suite, path_of_test, suite_of_test

_NO_RESULT = ResultChoice(result=None)


@dataclass(frozen=True, slots=True)
class PlannedRun:
    """One run of a test, as MTR would list it (``suite.test 'a,b'``)."""

    suite: Suite
    tname: str
    path: Path
    combinations: tuple[str, ...] = ()  # in the order applied; MTR prints them sorted
    skip: Skip | None = None
    options: TestOptions | None = None  # None when MTR skips before reading options
    raw_options: tuple[str, ...] = ()  # master options before $VAR expansion (MTR's sort criteria)
    raw_slave_options: tuple[str, ...] = ()
    result: ResultChoice = _NO_RESULT
    long_test: bool = False
    environment: Mapping[str, str] | None = None  # variables run_testcase sets for this run

    @property
    def name(self) -> str:
        return f"{self.suite.name}.{self.tname}"

    @property
    def combination(self) -> str:
        """The combination as MTR prints it, names sorted and joined with ',' ('' for none)."""
        return ",".join(sorted(self.combinations))

    @property
    def display(self) -> str:
        return f"{self.name} '{self.combination}'" if self.combinations else self.name

    def order_key(self) -> tuple[int, str, int, str]:
        """``collect_test_cases``'s reordering: skipped first, then by config and options."""
        template = ""
        if self.options is not None:
            template = str(self.options.config_template)
            for default in ("suite/rpl/my.cnf", "include/default_my.cnf"):
                if template == f"{self.suite.basedir}/{default}":
                    template = default
        master = "!".join(sorted(self.raw_options)) + "~"
        slave = "!".join(sorted(self.raw_slave_options)) + "~"
        criteria = " ".join((template, master, slave))
        return (0 if self.skip else 1, criteria, 0 if self.long_test else 1, self.name)


class Planner:
    """Plans tests of one mysql-test tree against one server; ``suite.pm`` runs are shared."""

    def __init__(
        self,
        basedir: Path,
        features: MysqldFeatures,
        *,
        env: Mapping[str, str] | None = None,
        settings: MtrSettings | None = None,
        extra_mysqld_opts: Iterable[str] = (),
    ) -> None:
        self.basedir = Path(os.path.realpath(basedir))
        self.features = features
        self.env = dict(os.environ if env is None else env)
        self.rules = RuleBook(self.basedir, features, env=self.env, settings=settings)
        self.extra_mysqld_opts = tuple(extra_mysqld_opts)
        self._patch = patch_available()

    def plan(self, test: Path, only: Collection[str] = ()) -> list[PlannedRun]:
        suite = suite_of_test(test, self.basedir)
        tname = test.name.removesuffix(".test")
        path = path_of_test(suite, tname)
        closure = include_closure(path, suite)
        early = skip_before_combinations(closure, self.rules)
        if early is not None:
            suite_opts = tuple(opts_from_file(suite.dir / "suite.opt"))
            return [
                PlannedRun(
                    suite=suite,
                    tname=tname,
                    path=path,
                    skip=early,
                    raw_options=suite_opts,
                    raw_slave_options=suite_opts,
                    long_test="long_test" in closure.tags or "big_test" in closure.tags,
                )
            ]
        base = base_options(closure, self.extra_mysqld_opts)
        runs = comb.runs(base, comb.dimensions(closure, self.rules), only)
        return [self._planned(closure, base, run) for run in runs]

    def _planned(self, closure: Closure, base: BaseOptions, run: comb.Run) -> PlannedRun:
        suite = closure.suite
        tname = tname_of(closure)
        result = choose_result(suite.rdir, tname, run.combinations)
        skip = Skip(run.skip) if run.skip is not None else None
        if result.is_rdiff and not self._patch:
            skip = Skip("requires patch executable")
        environment = run.environment()
        # MTR names the test and its suite in %ENV before it starts the servers, so a `.opt` may
        # use them (`--file-key-management-filename=$MTR_SUITE_DIR/t/filekeys-data.enc`).
        identity = {"MTR_SUITE_DIR": str(suite.dir), "MTR_TEST_NAME": f"{suite.name}.{tname}"}
        options = server_options(
            closure,
            {**self.env, **identity, **environment},
            combination_options=run.options,
            optional_plugins=self.features.optional_plugins,
            base=base,
        )
        return PlannedRun(
            suite=suite,
            tname=tname,
            path=closure.test,
            combinations=run.combinations,
            skip=skip,
            options=options,
            raw_options=(*run.options, *base.master),
            raw_slave_options=(*run.options, *base.slave),
            result=result,
            long_test="long_test" in closure.tags or "big_test" in closure.tags,
            environment=environment,
        )
