"""The command line: typer commands that turn options into a RunConfig and hand it on; nothing else."""
