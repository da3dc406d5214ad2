"""A real uvicorn server around an app, in a thread of the test process (for tests that need real
concurrency and timing: many clients at once, deadlines, rate limits)."""

from __future__ import annotations

import json
import math
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(app: Any) -> Iterator[str]:
    """Serve ``app`` on a free loopback port; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on",
                                           access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


LOAD_CLIENT = Path(__file__).resolve().parents[2] / "bench" / "load_client.py"


@dataclass
class Load:
    """What a closed-loop load saw: per request its latency (s) and HTTP status, plus the error count."""

    latencies: list[float]
    statuses: list[int]
    errors: int

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def closed_loop(url: str, query: str, clients: int, seconds: float, *, local_address: str = "",
                interval: float = 0.0) -> Load:
    """``clients`` connections each sending ``query`` again as soon as it is answered (or ``interval`` s
    later), for ``seconds``; run by bench/load_client.py in its own process, so the client's work does not
    slow the server in this one."""
    with tempfile.TemporaryDirectory() as tmp:
        body, out = Path(tmp) / "body.json", Path(tmp) / "out.json"
        body.write_text(json.dumps({"query": query}))
        command = [sys.executable, str(LOAD_CLIENT), "--url", url, "--body-template", str(body), "--classes", "1",
                   "--clients", str(clients), "--duration", str(seconds), "--out", str(out),
                   "--interval", str(interval)]
        if local_address:
            command += ["--local-address", local_address]
        subprocess.run(command, check=True, timeout=seconds + 120)
        record = json.loads(out.read_text())
    latencies = [end - start for start, end in zip(record["starts"], record["ends"], strict=True)]
    return Load(latencies, record["statuses"], record["errors"])
