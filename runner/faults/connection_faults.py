"""The fault proxies of one test's connections, by connection name.

A test that cuts, delays or heals connections (``--cut_connection NAME`` ...) has every connection
it opens relayed through a fault proxy of its own (``runner.faults.proxy``): the connection's
parameters are pointed at the proxy, which relays to where they pointed. A reconnect of the
connection goes through the same proxy, so a cut connection stays cut until healed.
"""

from __future__ import annotations

from dataclasses import replace

from runner.faults.proxy import Endpoint, FaultProxy, ProxyError
from runner.sessions.driver import ConnectParams

__all__ = ["ConnectionFaults", "ProxyError"]


class ConnectionFaults:
    def __init__(self) -> None:
        self._proxies: dict[str, FaultProxy] = {}

    def route(self, name: str, params: ConnectParams) -> ConnectParams:
        """``params`` pointed at a new proxy for the connection ``name`` (one opened again under
        a name used before gets a new proxy; the old one closes)."""
        if params.uses_socket():
            assert params.socket is not None
            target = Endpoint(socket=params.socket)
        else:
            target = Endpoint(host=params.host, port=params.port)
        proxy = FaultProxy(target)
        endpoint = proxy.start()
        old = self._proxies.pop(name, None)
        if old is not None:
            old.close()
        self._proxies[name] = proxy
        if endpoint.socket is not None:
            return replace(params, socket=endpoint.socket)
        return replace(params, host=endpoint.host, port=endpoint.port)

    def proxy(self, name: str) -> FaultProxy | None:
        return self._proxies.get(name)

    def close(self) -> None:
        for proxy in self._proxies.values():
            proxy.close()
        self._proxies.clear()
