"""Bootstrapping a data directory once and caching it as a template.

A bootstrap costs most of a second; copying the finished data directory costs a few tens of
milliseconds, so every start after the first copies a cached template. The cache key covers
everything that changes what bootstrap writes (server binary and version, the SQL, the options,
the host name baked into ``mysql.global_priv``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from runner.errors import ServerUnavailable
from runner.server.address import free_port
from runner.server.binaries import version_text
from runner.server.cache_store import mark_used

# Bump when the layout or the way a template is built changes.
TEMPLATE_FORMAT = 2  # 2: MariaDB bootstraps as mysql-test-run.pl does (mariadbd --bootstrap)
TEST_DATABASE_SQL = "CREATE DATABASE IF NOT EXISTS test CHARACTER SET latin1 COLLATE latin1_swedish_ci;"


class BootstrapError(ServerUnavailable):
    """The server could not initialise a data directory."""


def sql_to_bootstrap(sql: str) -> str:
    """mysql-test-run.pl's ``sql_to_bootstrap``: mysqltest-style SQL to ``--bootstrap`` input.

    ``--bootstrap`` ends a statement at a line ending in ``;``, so statements written with a custom
    ``delimiter`` are folded onto one line that ends with ``;``; ``--`` comment lines are dropped.
    """
    result = ["\n"]
    delimiter = ";"
    lines = re.split(r"\r\n|\n|\r", sql)
    while lines and lines[-1] == "":
        lines.pop()  # Perl's split drops trailing empty fields
    for line in lines:
        match = re.match(r"^delimiter (.*)", line)
        if match:
            new = match.group(1)
            if new.endswith(delimiter):
                new = new[: -len(delimiter)]
            delimiter = new
            continue
        if line.endswith(delimiter):
            result.append(line[: -len(delimiter)] + ";\n")
            continue
        if re.match(r"^\s*--", line):
            continue
        result.append(line.replace("'@HOSTNAME@'", "localhost", 1) + " ")
    return "".join(result)


def find_timezone_sql(mysql_test_dir: Path | None, share: Path | None) -> Path | None:
    """``mysql_test_data_timezone.sql``: Debian puts it in the share folder, not the test tree."""
    candidates: list[Path] = []
    if mysql_test_dir is not None:
        candidates += [
            mysql_test_dir / "std_data" / "mysql_test_data_timezone.sql",
            mysql_test_dir / "mysql_test_data_timezone.sql",
        ]
    if share is not None:
        candidates.append(share / "mysql_test_data_timezone.sql")
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    if mysql_test_dir is not None:
        found = sorted(mysql_test_dir.rglob("mysql_test_data_timezone.sql"))
        if found:
            return found[0]
    return None


def extra_bootstrap_sql(mysql_test_dir: Path | None, share: Path | None) -> str:
    """What mysql-test-run.pl adds to the stock system tables.

    Same order as its ``mysql_install_db``: time zone test data, a latin1 ``test`` database,
    ``gtid_slave_pos`` moved to Aria (tests run without InnoDB), anonymous users removed, and the
    ``mtr`` database with the warning-suppression tables and ``check_testcase()``.
    Without a mysql-test tree only the ``test`` database is created.
    """
    parts = ["use mysql;\n"]
    if mysql_test_dir is None:
        parts.append(TEST_DATABASE_SQL + "\n")
        return "".join(parts)
    timezone = find_timezone_sql(mysql_test_dir, share)
    if timezone is not None:
        parts.append(timezone.read_text(encoding="utf-8") + "\n")
    parts.append(TEST_DATABASE_SQL + "\n")
    parts.append("ALTER TABLE mysql.gtid_slave_pos ENGINE=Aria transactional=0;\n")
    parts.append("DELETE FROM mysql.global_priv where user= '';\n")
    parts.append(_mtr_database_sql(mysql_test_dir))
    return "".join(parts)


_SYSTEM_SQL = (
    "mysql_system_tables.sql",
    "maria_add_gis_sp_bootstrap.sql",
    "mysql_performance_tables.sql",
    "mysql_system_tables_data.sql",
)


def mtr_bootstrap_sql(share: Path | None, mysql_test_dir: Path | None) -> str:
    """The whole ``bootstrap.sql`` mysql-test-run.pl feeds to ``mariadbd --bootstrap``.

    Tests read it through ``$MYSQL_BOOTSTRAP_SQL_FILE`` to build data directories of their own.
    """
    parts = ["use mysql;\n"]
    if share is not None:
        for name in _SYSTEM_SQL:
            if (share / name).is_file():
                parts.append((share / name).read_text(encoding="utf-8"))
    timezone = find_timezone_sql(mysql_test_dir, share)
    if timezone is not None:
        parts.append(timezone.read_text(encoding="utf-8"))
    if share is not None:
        for name in ("fill_help_tables.sql", "mysql_sys_schema.sql"):
            if (share / name).is_file():
                parts.append((share / name).read_text(encoding="utf-8"))
    parts.append(TEST_DATABASE_SQL + "\n")
    parts.append("ALTER TABLE gtid_slave_pos ENGINE=Aria transactional=0;\n")
    parts.append("DELETE FROM mysql.global_priv where user= '';\n")
    parts.append(_mtr_database_sql(mysql_test_dir))
    return "".join(parts)


def _mtr_database_sql(mysql_test_dir: Path | None) -> str:
    if mysql_test_dir is None:
        return ""
    include = mysql_test_dir / "include"
    if not ((include / "mtr_warnings.sql").is_file() and (include / "mtr_check.sql").is_file()):
        return ""
    parts = ["CREATE DATABASE mtr CHARSET=latin1;\n"]
    for name in ("mtr_warnings.sql", "mtr_check.sql"):
        parts.append(sql_to_bootstrap((include / name).read_text(encoding="utf-8")))
    return "".join(parts)


@dataclass(frozen=True)
class BootstrapPlan:
    """Everything that determines a template's content."""

    kind: str
    server: Path
    install_db: Path | None
    cnf_options: tuple[str, ...]  # the [mysqld] group of the bootstrap config, without paths
    extra_sql: str
    full_sql: bool = False  # extra_sql is the whole bootstrap input (system tables included)

    def key(self) -> str:
        stat = self.server.resolve().stat()
        material = {
            "format": TEMPLATE_FORMAT,
            "kind": self.kind,
            "server": str(self.server.resolve()),
            "server_version": version_text(self.server),
            "server_mtime": stat.st_mtime_ns,
            "server_size": stat.st_size,
            "install_db": str(self.install_db.resolve()) if self.install_db else None,
            "install_db_mtime": self.install_db.resolve().stat().st_mtime_ns if self.install_db else None,
            "options": list(self.cnf_options),
            "sql": hashlib.sha256(self.extra_sql.encode()).hexdigest(),
            "full_sql": self.full_sql,
            # mariadb-install-db creates root@<hostname>.
            "host": socket.gethostname(),
            "uid": os.geteuid(),
        }
        return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()[:20]


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tidbrun"


def template_path(cache_dir: Path, plan: BootstrapPlan) -> Path:
    return cache_dir / f"{plan.kind}-{plan.key()}"


def ensure_template(
    cache_dir: Path, plan: BootstrapPlan, *, user_root: bool, environment: dict[str, str] | None = None
) -> tuple[Path, bool]:
    """The cached template's data directory, building it first when missing.

    Returns (path of the template's ``data`` folder, whether it was built now). The template is
    built in a private folder next to its final place and renamed into place, so a concurrent run
    sees either no template or a complete one; when two runs race, the loser discards its copy.
    Each call marks the template used: the cache is pruned least recently used first.
    """
    final = template_path(cache_dir, plan)
    data = final / "data"
    if (final / "meta.json").is_file() and data.is_dir():
        mark_used(final)
        return data, False
    cache_dir.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_builds(cache_dir)
    build = Path(tempfile.mkdtemp(prefix=f".build-{final.name}-", dir=cache_dir))
    try:
        _bootstrap_into(build, plan, user_root=user_root, environment=environment or dict(os.environ))
        (build / "meta.json").write_text(
            json.dumps(
                {"kind": plan.kind, "server": str(plan.server), "options": list(plan.cnf_options)}, indent=1
            ),
            encoding="utf-8",
        )
        try:
            os.rename(build, final)
        except OSError:
            # Another run renamed its template into place first; theirs is as good as ours.
            if not (final / "meta.json").is_file():
                raise
            shutil.rmtree(build, ignore_errors=True)
            mark_used(final)
            return data, False
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    mark_used(final)
    return data, True


def _remove_abandoned_builds(cache_dir: Path, older_than_seconds: float = 3600.0) -> None:
    """Builds of runs that were killed mid-bootstrap; a live build never takes an hour."""
    now = time.time()
    for entry in cache_dir.glob(".build-*"):
        with contextlib.suppress(OSError):
            if now - entry.stat().st_mtime > older_than_seconds:
                shutil.rmtree(entry, ignore_errors=True)


def tidb_plan(server: Path, config: Path | None, environment: dict[str, str]) -> BootstrapPlan:
    """A tidb-server's store as bootstrapped with ``config`` (new collations and the system time
    zone are fixed at bootstrap, so both are part of the template's key)."""
    text = config.read_text(encoding="utf-8") if config is not None else ""
    return BootstrapPlan("tidb", server, None, (f"TZ={environment.get('TZ', '')}",), text, True)


def _bootstrap_tidb(build: Path, plan: BootstrapPlan, environment: dict[str, str]) -> None:
    """Start tidb-server once on an empty unistore store (it bootstraps itself), then stop it.

    The store's value log is preallocated (256 MiB of mostly zeros); it is made sparse, so that
    ``copy_template`` copies 4 MB in a few milliseconds instead of reading 256 MB.
    """
    data = build / "data"
    data.mkdir()
    config = build / "config.toml"
    config.write_text(plan.extra_sql, encoding="utf-8")
    log = build / "bootstrap.log"
    port, status = free_port(), free_port()
    args = [
        str(plan.server), "-store", "unistore", "-path", str(data), "-host", "127.0.0.1", "-P", str(port),
        "-status", str(status), "-socket", "", "-log-file", str(log), "-config", str(config),
    ]
    with (build / "stdout.log").open("wb") as out:
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=environment)
        try:
            deadline = time.monotonic() + 120
            while not _answers(port):
                if proc.poll() is not None:
                    tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:]) if log.exists() else ""
                    raise BootstrapError(f"tidb-server exited with {proc.returncode} while bootstrapping\n{tail}")
                if time.monotonic() > deadline:
                    raise BootstrapError(f"tidb-server did not answer within 120 s: {' '.join(args)}")
                time.sleep(0.05)
            proc.terminate()
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    for vlog in data.rglob("*.vlog"):
        sparse = vlog.with_suffix(".sparse")
        subprocess.run(["cp", "--sparse=always", str(vlog), str(sparse)], check=True)
        os.replace(sparse, vlog)


def _answers(port: int) -> bool:
    """Whether a MySQL server greets on ``port`` (TiDB listens only once bootstrapped)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            return len(sock.recv(4)) == 4
    except OSError:
        return False


def _bootstrap_into(build: Path, plan: BootstrapPlan, *, user_root: bool, environment: dict[str, str]) -> None:
    if plan.kind == "tidb":
        _bootstrap_tidb(build, plan, environment)
        return
    data = build / "data"
    tmp = build / "tmp"
    data.mkdir()
    tmp.mkdir()
    cnf = build / "bootstrap.cnf"
    lines = ["[mysqld]", f"datadir={data}", f"tmpdir={tmp}", *plan.cnf_options, ""]
    cnf.write_text("\n".join(lines), encoding="utf-8")
    extra = build / "extra.sql"
    extra.write_text(plan.extra_sql, encoding="utf-8")
    log = build / "bootstrap.log"
    stdin: Path | None = None
    if plan.kind == "mariadb" and plan.full_sql:
        # mysql-test-run.pl's own way: the server reads the whole bootstrap.sql on stdin. Unlike
        # mariadb-install-db it adds no PUBLIC grants on `test` and no mysql_upgrade_info, which
        # grant and upgrade tests notice.
        args = [str(plan.server), f"--defaults-file={cnf}", "--bootstrap", "--console"]
        if user_root:
            args.append("--user=root")
        stdin = extra
        (data / "mysql").mkdir()  # `use mysql;` comes first; --bootstrap creates no database itself
    elif plan.kind == "mariadb":
        if plan.install_db is None:
            raise BootstrapError("mariadb-install-db not found; cannot bootstrap a MariaDB data directory")
        args = [str(plan.install_db), f"--defaults-file={cnf}"]
        if user_root:
            args.append("--user=root")
        args += [
            "--auth-root-authentication-method=normal",
            f"--extra-file={extra}",
        ]
    elif plan.kind == "mysql":
        args = [str(plan.server), f"--defaults-file={cnf}", "--initialize-insecure", f"--init-file={extra}"]
        if user_root:
            args.append("--user=root")
    else:
        raise BootstrapError(f"no bootstrap for server kind {plan.kind!r}")
    # mariadb-install-db runs $MYSQLD_BOOTSTRAP when set: make it bootstrap with the server we start.
    env = {**os.environ, "MYSQLD_BOOTSTRAP": str(plan.server)}
    with log.open("wb") as out, (stdin.open("rb") if stdin is not None else contextlib.nullcontext()) as feed:
        try:
            proc = subprocess.run(
                args, stdin=feed if feed is not None else subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, env=env, timeout=300, check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise BootstrapError(f"bootstrap timed out after 300 s: {' '.join(args)}") from exc
    if proc.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
        raise BootstrapError(f"bootstrap failed (exit {proc.returncode}): {' '.join(args)}\n{tail}")
    # Throwaway files the server leaves behind that a copy need not carry.
    for leftover in tmp.iterdir():
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)


def copy_template(template_data: Path, datadir: Path) -> None:
    """Copy a template's data folder to ``datadir`` (which must not exist)."""
    datadir.parent.mkdir(parents=True, exist_ok=True)
    cp = shutil.which("cp")
    if cp is not None:
        # cp -a keeps sparse files sparse and is several times faster than copytree here.
        subprocess.run([cp, "-a", str(template_data), str(datadir)], check=True)
    else:
        shutil.copytree(template_data, datadir, symlinks=True)


def bootstrap_cnf_options(
    *,
    kind: str,
    basedir: Path,
    plugin_dir: Path | None,
    share: Path | None,
    optional_plugins: Sequence[str],
    extra_options: Sequence[str],
) -> tuple[str, ...]:
    """The bootstrap server's options, as mysql-test-run.pl's ``mysql_install_db`` passes them.

    Of ``extra_options`` (the server's options for the test) only those MTR re-bootstraps for go to
    bootstrap too (``bootstrap_relevant``: they fix the InnoDB files' layout). Any other option
    stays off bootstrap as in MTR: ``--innodb-encrypt-log`` without the key-management plugin
    the test loads beside it would leave InnoDB off and the system tables without it.
    MySQL's ``--initialize`` gets only paths: the MariaDB-specific options would stop it.
    """
    options = [f"basedir={basedir}"]
    if plugin_dir is not None:
        options.append(f"plugin-dir={plugin_dir}")
    if kind == "mariadb":
        options += ["disable-getopt-prefix-matching", "default-storage-engine=myisam"]
        options += [f"loose-skip-plugin-{name}" for name in optional_plugins]
        options += [
            "loose-innodb",
            "loose-innodb-log-file-size=10M",
            "disable-sync-frm",
            "character-set-server=latin1",
            "loose-disable-performance-schema",
        ]
    if share is not None:
        options += [f"lc-messages-dir={share}/", f"character-sets-dir={share}/charsets"]
    options += [opt.lstrip("-") for opt in extra_options if bootstrap_relevant(opt)]
    return tuple(options)


# mysql-test-run.pl's $rebootstrap_re: a server started with one of these gets a data directory
# bootstrapped with them (the others copy the run's one bootstrapped directory).
_REBOOTSTRAP = re.compile(
    r"--innodb[-_](?:page[-_]size|checksum[-_]algorithm|undo[-_]tablespaces|log[-_]group[-_]home[-_]dir"
    r"|data[-_]home[-_]dir)|data[-_]file[-_]path|force_rebootstrap"
)


def bootstrap_relevant(option: str) -> bool:
    """Whether a server option changes what bootstrap must write (MTR's ``$rebootstrap_re``)."""
    return _REBOOTSTRAP.search(option) is not None
