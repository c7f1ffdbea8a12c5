"""``tidbrun stress``: a workload (a .test-style file) run in a loop on N connections, measured.

``workload`` reads the file, ``loop`` runs it (the API other commands build on), ``metrics`` and
``sampler`` measure it, ``ramp`` searches for the knee, ``criteria`` judges, ``session`` puts a
whole run together (server, setup, load, cool-down, cleanup).
"""
