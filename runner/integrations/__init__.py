"""tidbrun inside other tools: the pytest plugin."""
