"""Where a server process listens, and the URL that reaches it alone."""

from __future__ import annotations

import socket

from server.serving.exceptions import ServingFailed

# Hosts that mean "every interface": no client can be sent there.
WILDCARDS = frozenset({"", "0.0.0.0", "::"})


def process_url_for(template: str | None, host: str, port: int) -> str:
    """The URL of the process listening on `host:port`: `template` (STEPWISE_PROCESS_URL) with
    `{port}` filled in, or `http://host:port` (this machine's name when `host` is a wildcard)."""
    if template is not None:
        return template.replace("{port}", str(port))
    name = socket.getfqdn() if host in WILDCARDS else host
    return f"http://[{name}]:{port}" if ":" in name else f"http://{name}:{port}"


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket listening on `host:port` (port 0: one the system picks), to be shared by
    the processes that inherit it; ServingFailed naming the address when it cannot be had."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        listener = socket.socket(family, kind, proto)
    except OSError as exc:
        raise ServingFailed(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
        listener.listen(1024)
    except OSError as exc:
        listener.close()
        raise ServingFailed(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    listener.setblocking(False)
    return listener


def port_of(listener: socket.socket) -> int:
    """The port a listening socket is bound to."""
    return int(listener.getsockname()[1])
