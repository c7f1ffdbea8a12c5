"""Judging a test's output: result lookup, diff, rdiff, atomic record, .reject."""
