"""A run's settings and where they come from (CLI > TIDB_* environment > file > defaults), credentials."""
