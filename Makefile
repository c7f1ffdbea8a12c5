# Everything a fresh Debian machine needs is installed by `make setup`, which the others depend on.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
APT := DEBIAN_FRONTEND=noninteractive apt-get
SERVER_FOUND := $(shell PATH="$$PATH:/usr/sbin:/usr/local/sbin" command -v tidb-server mariadbd mysqld 2>/dev/null | head -n1)
REFERENCE_FOUND := $(shell command -v mariadb-test 2>/dev/null)
BROWSER_FOUND := $(shell command -v chromium 2>/dev/null)

.PHONY: setup regress test lint server-packages browser-packages tidb

setup: server-packages browser-packages $(STAMP)

# A server to run against (and MariaDB's reference mysqltest with its suite, used by the
# conformance tests), from Debian's packages, only when missing.
server-packages:
ifeq ($(SERVER_FOUND)$(REFERENCE_FOUND),)
	$(APT) update -qq
	$(APT) install -y -qq mariadb-server mariadb-client mariadb-test mariadb-test-data >/dev/null
else ifeq ($(REFERENCE_FOUND),)
	$(APT) update -qq
	$(APT) install -y -qq mariadb-test mariadb-test-data >/dev/null
endif

# Headless Chromium, in which the tests load the --html report.
browser-packages:
ifeq ($(BROWSER_FOUND),)
	$(APT) update -qq
	$(APT) install -y -qq chromium >/dev/null
endif

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	$(BIN)/python -m compileall -q runner  # bytecode once: every start would compile it
	touch $@

regress: setup
	$(BIN)/tidbrun --force --plugin examples/tidbrun_example_plugin.py suite/t
	@if $(BIN)/python -c 'import sys; from runner.server.binaries import cached_tidb_server as c; sys.exit(c() is None)'; \
	then \
	  $(BIN)/tidbrun --server tidb --force suite/tidb_tester && \
	  $(BIN)/tidbrun --server tidb --dialect mysqltest --force suite/tidb suite/t/isolation.test suite/t/isolation_locking.test suite/t/chaos.test \
	    suite/t/isolation_machines.py suite/t/ddl_job_monitor.py suite/t/join_commutes.py suite/t/templated_isolation.test.j2; \
	else echo "suite/tidb, suite/tidb_tester and the TiDB results of suite/t: skipped, no tidb-server (make tidb builds one)"; fi

test: setup
	$(BIN)/pytest -q -rs

# tidb-server (failpoint-enabled) from the pinned Go module, into ~/.cache/tidbrun/tidb/<version>/;
# a second run is a cache hit. The TiDB tests of `make test` use it; without it they skip.
tidb:
	tools/tidb/build

lint: setup
	$(BIN)/ruff check runner tools tests
	$(BIN)/mypy
