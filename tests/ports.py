"""Free loopback ports for the servers the tests start, safe under pytest-xdist.

A port is free from the moment it is picked until the server binds it, a second or so later.
Under pytest-xdist another worker may pick the same port in that time; so the ports are shared
out: each belongs to one worker (half the port number, modulo the number of workers: Linux
hands out ports of one parity to ``bind(("", 0))``, so the port number itself would not do).
"""

from __future__ import annotations

import os
import socket


def free_port() -> int:
    """A free TCP port on 127.0.0.1 that no other pytest-xdist worker of this run can pick."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    held: list[socket.socket] = []  # kept bound while looking, so each try gets another port
    try:
        for _ in range(1000):
            s = socket.socket()
            held.append(s)
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
            if port // 2 % workers == worker:
                return port
    finally:
        for s in held:
            s.close()
    raise RuntimeError("no free loopback port for this test worker")
