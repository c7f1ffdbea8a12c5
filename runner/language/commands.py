"""Every command name the anchors' runners know, so that none is mistaken for SQL.

A name listed here but without a registered handler is reported as "not implemented",
never skipped: a silently ignored directive makes a test pass that should not.
"""

from __future__ import annotations

# MariaDB 10.11 client/mysqltest.cc, command_names[] in order.
MARIADB_COMMANDS = [
    "connection",
    "query",
    "connect",
    "sleep",
    "real_sleep",
    "inc",
    "dec",
    "source",
    "disconnect",
    "let",
    "echo",
    "while",
    "end",
    "break",
    "system",
    "result",
    "require",
    "save_master_pos",
    "sync_with_master",
    "sync_slave_with_master",
    "error",
    "send",
    "reap",
    "dirty_close",
    "replace_result",
    "replace_column",
    "ping",
    "eval",
    "evalp",
    "eval_result",
    "enable_query_log",
    "disable_query_log",
    "enable_result_log",
    "disable_result_log",
    "enable_connect_log",
    "disable_connect_log",
    "wait_for_slave_to_stop",
    "enable_warnings",
    "disable_warnings",
    "enable_info",
    "disable_info",
    "enable_session_track_info",
    "disable_session_track_info",
    "enable_metadata",
    "disable_metadata",
    "enable_column_names",
    "disable_column_names",
    "exec",
    "delimiter",
    "disable_abort_on_error",
    "enable_abort_on_error",
    "vertical_results",
    "horizontal_results",
    "query_vertical",
    "query_horizontal",
    "sorted_result",
    "lowercase_result",
    "start_timer",
    "end_timer",
    "character_set",
    "disable_ps_protocol",
    "enable_ps_protocol",
    "disable_ps2_protocol",
    "enable_ps2_protocol",
    "disable_view_protocol",
    "enable_view_protocol",
    "disable_cursor_protocol",
    "enable_cursor_protocol",
    "disable_service_connection",
    "enable_service_connection",
    "enable_non_blocking_api",
    "disable_non_blocking_api",
    "disable_reconnect",
    "enable_reconnect",
    "if",
    "disable_parsing",
    "enable_parsing",
    "replace_regex",
    "remove_file",
    "file_exists",
    "write_file",
    "write_line",
    "copy_file",
    "perl",
    "die",
    "exit",
    "skip",
    "chmod",
    "append_file",
    "cat_file",
    "diff_files",
    "send_quit",
    "change_user",
    "mkdir",
    "rmdir",
    "list_files",
    "list_files_write_file",
    "list_files_append_file",
    "send_shutdown",
    "shutdown_server",
    "result_format",
    "move_file",
    "remove_files_wildcard",
    "send_eval",
    "enable_prepare_warnings",
    "disable_prepare_warnings",
    "reset_connection",
    "optimizer_trace",
    "PS_prepare",
    "PS_bind",
    "PS_execute",
    "PS_close",
]

# Names only MySQL 8's mysqltest knows.
MYSQL_COMMANDS = [
    "assert",
    "copy_files_wildcard",
    "execw",
    "expr",
    "force-cpdir",
    "force-rmdir",
    "output",
    "query_attributes",
    "remove_files_wildcard",
    "skip_if_hypergraph",
    "disable_testcase",
    "enable_testcase",
    "disable_async_client",
    "enable_async_client",
    "disable_session_track_info",
    "enable_session_track_info",
    "replace_numeric_round",
    "disable_warnings",
    "enable_warnings",
]

# Names only PingCAP's mysql-tester knows.
MYSQL_TESTER_COMMANDS = [
    "begin_concurrent",
    "end_concurrent",
    "wait_tiflash_replica_ready",
    "enable_sort_result",
    "disable_sort_result",
    "failpoint",
    "wait_until",
]

# tidbrun's own: blocked-statement detection, isolationtester-style permutation blocks, and chaos
# (faults done to the embedded server and to the test's connections).
TIDBRUN_COMMANDS = ["wait_for_blocked", "permutations", "end_permutations"]
# tidbrun's performance budgets (runner.language.budgets).
TIDBRUN_COMMANDS += ["max_duration", "max_server_memory_growth", "end_max_server_memory_growth"]
CHAOS_COMMANDS = ["kill_server", "restart_server", "pause_server", "resume_server",
                  "cut_connection", "delay_connection", "heal_connection"]

ALL_COMMANDS: frozenset[str] = frozenset(
    name.lower() for name in (*MARIADB_COMMANDS, *MYSQL_COMMANDS, *MYSQL_TESTER_COMMANDS, *TIDBRUN_COMMANDS,
                  *CHAOS_COMMANDS)
)

# Commands whose inline data runs from the next line to a terminator line (default EOF).
HEREDOC_COMMANDS = frozenset({"write_file", "append_file", "perl"})

BLOCK_COMMANDS = frozenset({"if", "while"})


def is_command(word: str) -> bool:
    # mysqltest looks names up case-insensitively (find_type).
    return word.lower() in ALL_COMMANDS
