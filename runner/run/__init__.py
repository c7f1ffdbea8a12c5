"""One run: collect cases, order and shard them, workers (-j), the per-test guard, outcomes."""
