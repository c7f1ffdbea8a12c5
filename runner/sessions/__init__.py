"""Talking to a server: one connection's state machine, the drivers, wire extras, authentication
plugins, client options and the lock probes that tell a blocked statement from a slow one."""
