"""PingCAP mysql-tester's dialect: its reader, its commands, its error names and its renderer."""
