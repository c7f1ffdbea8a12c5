"""mysqltest's dialect: the reader is ``runner.language``; the renderer writes mysqltest's .result format."""
