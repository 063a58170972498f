"""TCP port checks for the local servers.

moto's ThreadedMotoServer waits forever if its port is taken (the bind fails
in its thread), so ports are checked before anything starts.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterable


class PortInUseError(RuntimeError):
    """A port the local stack needs belongs to another program."""


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """True when a server could bind ``host:port`` now (same SO_REUSEADDR as http.server/werkzeug)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    """A port that is free right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def wait_ports_free(ports: Iterable[int], host: str = "127.0.0.1", timeout: float = 15.0) -> bool:
    """Wait until every port is free; False on timeout."""
    wanted = [port for port in ports if port]
    deadline = time.monotonic() + timeout
    while True:
        if all(port_is_free(port, host) for port in wanted):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)


def require_free(ports: dict[str, int], host: str = "127.0.0.1") -> None:
    """Fail with a message that says which port, who wants it, and how to choose another."""
    for purpose, port in ports.items():
        if port and not port_is_free(port, host):
            raise PortInUseError(
                f"port {port} ({purpose}) on {host} is used by another program. "
                f"Stop it (see `ss -ltnp 'sport = :{port}'`) or choose other ports with "
                "--moto-port/--cdn-port or NEWSROOM_MOTO_PORT/NEWSROOM_CDN_PORT."
            )
