"""Running a test: records -> statements on sessions (interpreter, outcomes, variables, directives,
permutations, waits for blocked sessions)."""
