# Everything a fresh Debian machine needs is installed by `make setup`, which the others depend on.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
APT := DEBIAN_FRONTEND=noninteractive apt-get
SERVER_FOUND := $(shell PATH="$$PATH:/usr/sbin:/usr/local/sbin" command -v tidb-server mariadbd mysqld 2>/dev/null | head -n1)
REFERENCE_FOUND := $(shell command -v mariadb-test 2>/dev/null)

.PHONY: setup regress test lint server-packages

setup: server-packages $(STAMP)

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

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	$(BIN)/python -m compileall -q runner  # bytecode once: every start would compile it
	touch $@

regress: setup
	$(BIN)/tidbrun --force --plugin examples/tidbrun_example_plugin.py suite/t

test: setup
	$(BIN)/pytest -q

lint: setup
	$(BIN)/ruff check runner tools tests
	$(BIN)/mypy
