"""The environment mysql-test-run.pl gives a test (its ``environment_setup()`` and friends).

Values were checked against the environment a real MTR run (MariaDB 10.11, Debian 12, as root)
exports to ``--exec env``. Client tools get only ``--defaults-file=<vardir>/my.cnf``; their other
settings (``[mysql] default-character-set=latin1``, ``[client]`` port/socket/user, ...) live in
that file, as in MTR.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import hashlib
import os
import shutil
import socket as socketlib
import subprocess
from collections.abc import Sequence
from pathlib import Path

from runner.server import binaries, bootstrap, mycnf
from runner.server.address import ServerAddress
from runner.server.cache_store import mark_used
from runner.server.embedded import find_server_kind

SERVER_NAME = "mysqld.1"

# (environment variable, program names to look for, in order). Debian ships the mysql* names as
# links to the mariadb* ones; MTR itself asks for the mariadb* names.
_CLIENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("MYSQL_CHECK", ("mariadb-check", "mysqlcheck")),
    ("MYSQL_IMPORT", ("mariadb-import", "mysqlimport")),
    ("MYSQL_SHOW", ("mariadb-show", "mysqlshow")),
    ("MYSQL", ("mariadb", "mysql")),
    ("MYSQL_UPGRADE", ("mariadb-upgrade", "mysql_upgrade")),
    ("MYSQLADMIN", ("mariadb-admin", "mysqladmin")),
)
_PLAIN_TOOLS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("MYSQL_MY_PRINT_DEFAULTS", ("my_print_defaults",)),
    ("MYISAMLOG", ("myisamlog",)),
    ("MYISAMCHK", ("myisamchk",)),
    ("MYISAMPACK", ("myisampack",)),
    ("MYISAM_FTDUMP", ("myisam_ftdump",)),
    ("MARIA_CHK", ("aria_chk",)),
    ("MARIA_PACK", ("aria_pack",)),
    ("MYSQLHOTCOPY", ("mysqlhotcopy",)),
    ("MY_PERROR", ("perror",)),
    ("MYSQL_TZINFO_TO_SQL", ("mariadb-tzinfo-to-sql", "mysql_tzinfo_to_sql")),
    ("REPLACE", ("replace",)),
    ("INNOCHECKSUM", ("innochecksum",)),
    ("XTRABACKUP", ("mariabackup",)),
    ("XBSTREAM", ("mbstream",)),
)


def _tool(*names: str) -> str | None:
    found = binaries.find_first(*names)
    return str(found) if found is not None else None


@functools.lru_cache(maxsize=1)
def _have_broken_dns() -> str:
    """MTR's HAVE_BROKEN_DNS: "1" when a bogus host name resolves (wildcard DNS), else ""."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(socketlib.gethostbyname, "invalid_hostname")
        try:
            future.result(timeout=3)
        except Exception:
            return ""
    return "1"


@functools.lru_cache(maxsize=4)
def _client_tls_info(config_tool: str | None) -> tuple[str, str] | None:
    if config_tool is None:
        return None
    try:
        out = subprocess.run(
            [config_tool, "--tlsinfo"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    parts = out.stdout.strip().split(" ", 1)
    if out.returncode != 0 or len(parts) != 2:
        return None
    return parts[0], parts[1]


def server_process_environment(mysql_test_dir: Path | None, server_binary: Path | None) -> dict[str, str]:
    """What mysql-test-run.pl puts in its own environment before it starts servers (they inherit
    it): the C locale, and OpenSSL's configuration from the tree (it allows TLSv1.1, which the
    tls_version tests connect with)."""
    from runner.server.bootstrap import default_cache_dir

    variables = binaries.server_variables(server_binary, default_cache_dir()) if server_binary is not None else {}
    ssl_library = variables.get("version-ssl-library", "")
    env = {"LC_ALL": "C", "LC_CTYPE": "C", "LC_COLLATE": "C", "GNUTLS_SYSTEM_PRIORITY_FILE": "/dev/null"}
    if mysql_test_dir is not None and ssl_library > "OpenSSL 1.1.1":
        env["OPENSSL_CONF"] = str(mysql_test_dir / "lib" / "openssl.cnf")
    else:
        env["OPENSSL_CONF"] = "/dev/null"
    return env


def test_identity(suite_dir: Path, test_file: Path) -> dict[str, str]:
    """The variables that name the test and its suite: they change from one test to the next."""
    return {
        "MTR_SUITE_DIR": str(suite_dir.parent if suite_dir.name == "t" else suite_dir),
        "MTR_TEST_NAME": f"{suite_name(suite_dir)}.{Path(test_file).stem}",
    }


def suite_name(suite_dir: Path) -> str:
    """MTR's suite name: ``main`` for mysql-test/main, ``x`` for .../suite/x (and x/t)."""
    directory = suite_dir.parent if suite_dir.name == "t" else suite_dir
    return directory.name


def tree_variables(server_binary: Path | None, mysql_test_dir: Path | None) -> dict[str, str]:
    """What ``environment_setup()`` exports that names only the installation and the mysql-test
    tree (no vardir, no server address). MTR sets it before it reads any test, so a test's
    ``.opt`` may use it (``--secure_file_priv=$SECURE_LOAD_PATH``)."""
    basedir = binaries.install_basedir(server_binary) if server_binary is not None else Path("/usr")
    share = binaries.share_dir(server_binary) if server_binary is not None else None
    env = {"MYSQL_BINDIR": str(basedir)}
    if share is not None:
        env["MYSQL_SHAREDIR"] = str(share)
        env["MYSQL_CHARSETSDIR"] = str(share / "charsets")
    if mysql_test_dir is not None:
        env["SECURE_LOAD_PATH"] = str(mysql_test_dir / "std_data")
    return env


def plugin_so_variables(plugin_dir: Path | None) -> dict[str, str]:
    """``HA_ARCHIVE_SO=ha_archive.so`` for every plugin file, as MTR's ``set_plugin_var``."""
    if plugin_dir is None or not plugin_dir.is_dir():
        return {}
    result: dict[str, str] = {}
    for path in sorted(plugin_dir.glob("*.so")):
        result[f"{path.stem.upper()}_SO"] = path.name
    return result


def ensure_client_config(address: ServerAddress, vardir: Path, mysql_test_dir: Path | None) -> Path:
    """``<vardir>/my.cnf`` with a ``[client]`` group for ``address``.

    The embedded server writes the full MTR-style file; for any other server (or a stale file)
    a client-only file is written here.
    """
    path = vardir / "my.cnf"
    expected = mycnf.client_group_options(
        host="localhost",
        port=address.port,
        socket=address.socket,
        user=address.user,
        password=address.password,
    )
    if path.is_file():
        existing = mycnf.group_options(mycnf.read_option_file(path), "client")
        if all(opt in existing for opt in expected):
            return path
    groups: list[mycnf.OptionGroup] = []
    if mysql_test_dir is not None and (mysql_test_dir / "include" / "default_client.cnf").is_file():
        env = {"MYSQL_TEST_DIR": str(mysql_test_dir), "MYSQLTEST_VARDIR": str(vardir)}
        for group in mycnf.read_option_file(mysql_test_dir / "include" / "default_client.cnf"):
            options, _ = mycnf.resolve_env_refs(group.options, env)
            groups.append(mycnf.OptionGroup(group.name, options))
    groups.append(mycnf.OptionGroup("client", list(expected)))
    groups.append(mycnf.OptionGroup("client.1", list(expected)))
    vardir.mkdir(parents=True, exist_ok=True)
    path.write_text(mycnf.render(groups), encoding="utf-8")
    return path


def bootstrap_command(server: Path, vardir: Path, *, cache_dir: Path | None = None) -> str:
    """MTR's ``$MYSQLD_BOOTSTRAP_CMD`` (a ``--bootstrap`` server for tests that build a datadir)."""
    share = binaries.share_dir(server)
    plugin_dir = binaries.plugin_dir(server)
    args = [
        str(server),
        "--no-defaults",
        "--disable-getopt-prefix-matching",
        "--bootstrap",
        f"--basedir={binaries.install_basedir(server)}",
        f"--datadir={vardir / 'install.db'}",
    ]
    if plugin_dir is not None:
        args.append(f"--plugin-dir={plugin_dir}")
    args.append("--default-storage-engine=myisam")
    args += [f"--loose-skip-plugin-{name}" for name in binaries.optional_plugins(server, cache_dir)]
    args += [
        "--loose-innodb",
        "--loose-innodb-log-file-size=10M",
        "--disable-sync-frm",
        f"--tmpdir={vardir / 'tmp'}/",
        "--core-file",
        "--console",
        "--character-set-server=latin1",
        "--loose-disable-performance-schema",
    ]
    if share is not None:
        args += [f"--lc-messages-dir={share}/", f"--character-sets-dir={share / 'charsets'}"]
    return " ".join(args)


def ensure_bootstrap_sql(
    server: Path, vardir: Path, mysql_test_dir: Path | None, cache_dir: Path | None = None
) -> Path:
    """``<vardir>/log/bootstrap.sql``: MTR's full bootstrap input (``$MYSQL_BOOTSTRAP_SQL_FILE``).

    The text (several MB, help tables included) is built once into ``cache_dir`` and linked into
    each vardir: building it anew cost every run ~15 ms, and only a test that bootstraps a server
    of its own reads it."""
    path = vardir / "log" / "bootstrap.sql"
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    share = binaries.share_dir(server)
    if cache_dir is None:
        _write_atomically(path, bootstrap.mtr_bootstrap_sql(share, mysql_test_dir))
        return path
    cached = cache_dir / f"bootstrap-{_bootstrap_sql_key(server, share, mysql_test_dir)}.sql"
    if cached.is_file():
        mark_used(cached)  # `tidbrun cache clean` removes the least recently used first
    else:
        cache_dir.mkdir(parents=True, exist_ok=True)
        _write_atomically(cached, bootstrap.mtr_bootstrap_sql(share, mysql_test_dir))
    with contextlib.suppress(FileExistsError):
        os.symlink(cached, path)
    return path


def _bootstrap_sql_key(server: Path, share: Path | None, mysql_test_dir: Path | None) -> str:
    """Names the inputs of the bootstrap text and their versions (a package upgrade changes it)."""
    material = [str(server), str(share), str(mysql_test_dir)]
    for folder in (share, mysql_test_dir):
        if folder is not None:
            with contextlib.suppress(OSError):
                material.append(str(folder.stat().st_mtime_ns))
    with contextlib.suppress(OSError):
        material.append(str(server.stat().st_mtime_ns))
    return hashlib.sha256("\0".join(material).encode()).hexdigest()[:20]


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def test_environment(
    address: ServerAddress,
    vardir: Path,
    mysql_test_dir: Path | None,
    suite_dir: Path,
    test_file: Path,
    *,
    server_binary: Path | None = None,
    server_command: Sequence[str] | None = None,
    extra_mysqld_options: Sequence[str] = (),
    big_test: bool = False,
    cache_dir: Path | None = None,
) -> dict[str, str]:
    """The variables mysql-test-run.pl sets for one test; merge them over ``os.environ``.

    ``server_command`` is the argv the server was started with (``$MYSQLD_LAST_CMD``);
    ``extra_mysqld_options`` are run-wide server options (MTR's ``--mysqld=``, part of
    ``$MYSQLD_CMD``). ``BIG_TEST`` is "0" unless ``big_test``: MTR leaves it unset, and then
    ``include/big_test.inc`` fails instead of skipping.
    """
    if server_binary is None:
        kind = find_server_kind()
        server_binary = kind.server if kind is not None else None
    vardir = Path(vardir)
    tmpdir = vardir / "tmp"
    cnf = ensure_client_config(address, vardir, mysql_test_dir)
    defaults = f"--defaults-file={cnf}"
    env: dict[str, str] = {}

    basedir = binaries.install_basedir(server_binary) if server_binary is not None else Path("/usr")
    share = binaries.share_dir(server_binary) if server_binary is not None else None
    charsets = share / "charsets" if share is not None else None
    variables = binaries.server_variables(server_binary, cache_dir) if server_binary is not None else {}

    env["USE_RUNNING_SERVER"] = ""
    library_path = [str(basedir / "lib"), str(basedir / "lib" / "mysql")]
    if os.environ.get("LD_LIBRARY_PATH"):
        library_path.append(os.environ["LD_LIBRARY_PATH"])
    env["LD_LIBRARY_PATH"] = ":".join(library_path)
    env["UMASK"] = "0660"
    env["UMASK_DIR"] = "0770"
    env["LC_ALL"] = "C"
    env["LC_CTYPE"] = "C"
    env["LC_COLLATE"] = "C"
    env["GNUTLS_SYSTEM_PRIORITY_FILE"] = "/dev/null"
    ssl_library = variables.get("version-ssl-library", "")
    if mysql_test_dir is not None and ssl_library > "OpenSSL 1.1.1":
        env["OPENSSL_CONF"] = str(mysql_test_dir / "lib" / "openssl.cnf")
    else:
        env["OPENSSL_CONF"] = "/dev/null"

    env["MYSQL_TEST_DIR"] = str(mysql_test_dir) if mysql_test_dir is not None else ""
    env["DEFAULT_MASTER_PORT"] = variables.get("port", "3306")
    env["MYSQL_TMP_DIR"] = str(tmpdir)
    env["MYSQLTEST_VARDIR"] = str(vardir)
    env["MYSQLTEST_REAL_VARDIR"] = os.path.realpath(vardir)
    env.update(tree_variables(server_binary, mysql_test_dir))
    env["HAVE_BROKEN_DNS"] = _have_broken_dns()

    # [ENV] of default_my.cnf
    env["MASTER_MYPORT"] = str(address.port)
    env["MASTER_MYSOCK"] = address.socket or ""
    env["OPENSSL_ENABLE_SHA1_SIGNATURES"] = "1"

    for name, programs in _CLIENTS:
        exe = _tool(*programs)
        if exe is not None:
            env[name] = f"{exe} {defaults}"
    dump = _tool("mariadb-dump", "mysqldump")
    if dump is not None:
        env["MYSQL_DUMP"] = f"{dump} {defaults} --defaults-group-suffix=.1"
        env["MYSQL_DUMP_SLAVE"] = f"{dump} {defaults} --defaults-group-suffix=.2"
    slap = _tool("mariadb-slap", "mysqlslap")
    env["MYSQL_SLAP"] = f"{slap} {defaults}" if slap is not None else ""
    binlog = _tool("mariadb-binlog", "mysqlbinlog")
    if binlog is not None:
        env["MYSQL_BINLOG"] = f"{binlog} {defaults} --local-load={tmpdir}"
    mysql = _tool("mariadb", "mysql")
    if mysql is not None:
        env["MYSQL_SLAVE"] = f"{mysql} {defaults} --defaults-group-suffix=.2"
        env["EXE_MYSQL"] = mysql
    client_test = _tool("mysql_client_test")
    env["MYSQL_CLIENT_TEST"] = (
        f"{client_test} {defaults} --testcase --vardir={vardir}" if client_test is not None else ""
    )
    env["MYSQL_PLUGIN"] = _tool("mariadb-plugin", "mysql_plugin") or ""
    env["MYSQL_EMBEDDED"] = ""
    conv = _tool("mariadb-conv")
    if conv is not None and charsets is not None:
        env["MARIADB_CONV"] = f"{conv} --character-sets-dir={charsets}"
    tls = _client_tls_info(_tool("mariadb_config"))
    if tls is not None:
        env["CLIENT_TLS_LIBRARY"], env["CLIENT_TLS_LIBRARY_VERSION"] = tls

    if server_binary is not None:
        env["MYSQLD"] = str(server_binary)
        # MTR's value, trailing space included when there are no extra options.
        env["MYSQLD_CMD"] = f"{server_binary} --defaults-group-suffix=.1 {defaults} " + " ".join(
            extra_mysqld_options
        )
        env["MYSQLD_BOOTSTRAP_CMD"] = bootstrap_command(server_binary, vardir, cache_dir=cache_dir)
        env["MYSQL_BOOTSTRAP_SQL_FILE"] = str(ensure_bootstrap_sql(server_binary, vardir, mysql_test_dir, cache_dir))
    if server_command:
        # MTR joins "$exe  @args": two spaces after the program.
        env["MYSQLD_LAST_CMD"] = f"{server_command[0]}  " + " ".join(server_command[1:])
    env["MYSQL_BUG25714"] = ""
    env["MYSQL_FIX_PRIVILEGE_TABLES"] = ""
    for name, programs in _PLAIN_TOOLS:
        exe = _tool(*programs)
        if exe is not None:
            env[name] = exe
    env["INNOBACKUPEX"] = f"{env.get('XTRABACKUP', '')} --innobackupex"

    mysqltest = _tool("mariadb-test", "mysqltest")
    if mysqltest is not None:
        parts = [mysqltest, defaults, "--silent", f"--tmpdir={tmpdir}"]
        if charsets is not None:
            parts.append(f"--character-sets-dir={charsets}")
        parts += [f"--logdir={vardir / 'log'}", "--database=test", f"--timer-file={vardir / 'log' / 'timer'}"]
        env["MYSQL_TEST"] = " ".join(parts)

    env["BIG_TEST"] = "1" if big_test else "0"
    env["STAGING_RUN"] = "0"
    if os.geteuid() == 0:
        env["MYSQL_TEST_ROOT"] = "1"
    env["ASAN_OPTIONS"] = "abort_on_error=1:" + os.environ.get("ASAN_OPTIONS", "")
    env["MTR_PARALLEL"] = "1"
    env["VALGRIND_TEST"] = "0"
    perl = shutil.which("perl")
    if perl is not None:
        env["MTR_PERL"] = perl

    env.update(test_identity(suite_dir, test_file))
    datadir = vardir / SERVER_NAME / "data"
    env["MARIADB_TOPDIR"] = str(datadir)
    env["MARIADB_DATADIR"] = str(datadir)

    plugin_dir = binaries.plugin_dir(server_binary) if server_binary is not None else None
    env.update(plugin_so_variables(plugin_dir))
    if address.password:
        # The client tools' password: from the environment, never written into my.cnf.
        env["MYSQL_PWD"] = address.password
    return env


# Keep pytest from collecting this function when a test module imports it by name.
test_environment.__test__ = False  # type: ignore[attr-defined]
