"""Finding server and client programs, and facts about an installed server."""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

# Where distributions and tarballs put the server when it is not on PATH (sbin often is not,
# for non-root users).
EXTRA_SERVER_DIRS: tuple[str, ...] = ("/usr/sbin", "/usr/local/sbin", "/usr/local/mysql/bin")


def find_program(name: str, extra_dirs: tuple[str, ...] = EXTRA_SERVER_DIRS) -> Path | None:
    """``name`` on PATH, else in one of ``extra_dirs``; None when absent."""
    found = shutil.which(name)
    if found:
        return Path(found)
    for directory in extra_dirs:
        candidate = Path(directory) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def build_cache_root() -> Path:
    """Where ``make tidb`` (tools/tidb/build) builds: ``$TIDBRUN_CACHE``, else ~/.cache/tidbrun."""
    return Path(os.environ.get("TIDBRUN_CACHE") or Path.home() / ".cache" / "tidbrun")


def cached_tidb_server(cache_root: Path | None = None) -> Path | None:
    """The newest tidb-server that ``make tidb`` (tools/tidb/build) finished in the cache."""
    root = cache_root or build_cache_root()
    built = [stamp.parent / "bin" / "tidb-server" for stamp in (root / "tidb").glob("*/.built")]
    usable = [path for path in built if os.access(path, os.X_OK)]
    return max(usable, key=lambda path: path.stat().st_mtime) if usable else None


def find_first(*names: str, extra_dirs: tuple[str, ...] = EXTRA_SERVER_DIRS) -> Path | None:
    for name in names:
        found = find_program(name, extra_dirs)
        if found is not None:
            return found
    return None


def install_basedir(server: Path) -> Path:
    """The installation prefix: ``/usr`` for ``/usr/sbin/mariadbd``."""
    return server.resolve().parent.parent


@functools.lru_cache(maxsize=16)
def version_text(binary: Path) -> str:
    """First line of ``<binary> --version`` (empty when it cannot be run)."""
    try:
        out = subprocess.run(
            [str(binary), "--version"], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    text = (out.stdout or out.stderr).strip()
    return text.splitlines()[0] if text else ""


def _binary_fingerprint(binary: Path) -> str:
    resolved = binary.resolve()
    stat = resolved.stat()
    material = f"{resolved}\0{stat.st_mtime_ns}\0{stat.st_size}"
    return hashlib.sha256(material.encode()).hexdigest()[:20]


@functools.lru_cache(maxsize=16)
def _help_verbose(server: Path, cache_dir: Path | None = None) -> str:
    """``--help --verbose`` run the way mysql-test-run.pl runs it, continuation lines joined.

    Costs ~70 ms, so with a ``cache_dir`` the text is kept on disk per binary (path, mtime, size).
    """
    cached = cache_dir / "facts" / f"help-{_binary_fingerprint(server)}.txt" if cache_dir else None
    if cached is not None and cached.is_file():
        return cached.read_text(encoding="utf-8")
    base = install_basedir(server)
    share = share_dir(server)
    with tempfile.TemporaryDirectory(prefix="tidbrun-help-") as datadir:
        args = [str(server), "--no-defaults", f"--datadir={datadir}", f"--basedir={base}"]
        if share is not None:
            args.append(f"--lc-messages-dir={share}")
        args += ["--skip-grant-tables", "--log-warnings=0", "--verbose", "--help"]
        try:
            out = subprocess.run(args, capture_output=True, text=True, timeout=30, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return ""
    # Long option names push their description to the next line, indented by 22 spaces.
    text = re.sub(r"\n {22}(\S)", r" \1", out.stdout)
    if cached is not None and out.returncode == 0 and text:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(f".{cached.name}.{os.getpid()}")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, cached)
    return text


_OPTIONAL_PLUGIN = re.compile(
    r"^  --([-a-z0-9]+)\[=name\] +Enable or disable \w+ plugin\. One of: ON, OFF, FORCE"
)
# mysql-test-run.pl keeps these enabled because the sys schema refers to them.
_NEVER_OPTIONAL = frozenset(
    {"innodb-metrics", "innodb-buffer-page", "innodb-lock-waits", "innodb-locks", "innodb-trx", "gssapi"}
)


def optional_plugins(server: Path, cache_dir: Path | None = None) -> list[str]:
    """Plugins mysql-test-run.pl turns off with ``--loose-skip-plugin-X`` unless a test wants them.

    Parsed from ``mariadbd --help --verbose`` exactly as mysql-test-run.pl does.
    """
    names: list[str] = []
    for line in _help_verbose(server, cache_dir).splitlines():
        match = _OPTIONAL_PLUGIN.match(line)
        if match and match.group(1) not in _NEVER_OPTIONAL:
            names.append(match.group(1))
    return names


def server_variables(server: Path, cache_dir: Path | None = None) -> dict[str, str]:
    """The variable table at the end of ``--help --verbose`` (compiled-in defaults)."""
    variables: dict[str, str] = {}
    in_table = False
    for line in _help_verbose(server, cache_dir).splitlines():
        if not in_table:
            in_table = bool(re.match(r"^-{30,}", line))
            continue
        if not line.strip():
            break
        parts = line.split(None, 1)
        variables[parts[0]] = parts[1].strip() if len(parts) > 1 else ""
    return variables


def plugin_dir(server: Path) -> Path | None:
    """The server plugin folder of the installation ``server`` belongs to."""
    base = install_basedir(server)
    for sub in (
        "lib/mysql/plugin",
        "lib64/mysql/plugin",
        "lib/mariadb/plugin",
        "lib64/mariadb/plugin",
        "lib/plugin",
    ):
        candidate = base / sub
        if candidate.is_dir():
            return candidate
    return None


def client_plugin_dir(server: Path) -> Path | None:
    """Debian ships client plugins apart from server plugins (libmariadb3)."""
    base = install_basedir(server)
    for candidate in sorted(base.glob("lib/*/libmariadb3/plugin")):
        if any(candidate.glob("*.so")):
            return candidate
    return plugin_dir(server)


def share_dir(server: Path) -> Path | None:
    """Folder holding ``charsets/`` and the message files (``/usr/share/mysql``)."""
    base = install_basedir(server)
    for sub in ("share/mariadb", "share/mysql", "sql/share", "share"):
        candidate = base / sub
        if (candidate / "charsets").is_dir():
            return candidate
    return None
