"""What tidbrun does when things go wrong: error classes, retries, the circuit breaker, failure
context, timeouts, server crashes and interrupts. Each module has one job; ``guard`` ties them to a
test run."""
