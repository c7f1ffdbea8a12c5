"""What mysql-test-run.pl (MTR) decides about a test before it runs it, computed without running MTR.

Ported from MariaDB 10.11's ``lib/mtr_cases.pm`` and ``mariadb-test-run.pl``:

- ``suites``: which suite a test belongs to and the suite's folders (``$suite->{dir,tdir,rdir}``).
- ``closure``: the files a test ``source``s, found the way ``get_tags_from_file`` finds them, and
  the tags MTR derives from them (``big_test``, ``rpl_test``, ``long_test``).
- ``options``: ``.opt`` files, ``--timezone``, ``$VAR`` expansion, the restart key, plugin switches.
- ``combinations``: ``.combinations`` files and the runs MTR makes of one test.
- ``features``: what MTR reads from ``mariadbd --verbose --help``.
- ``suite_rules``: ``suite.pm`` evaluated by Perl, ``disabled.def``, and the static skip reasons.
- ``results``: which ``.result`` / ``.rdiff`` a run is compared with.
- ``plan``: all of the above for one test file.
"""
