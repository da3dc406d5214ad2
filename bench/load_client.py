"""A closed-loop HTTP/1.1 load generator for bench/bench_server.py (its own process, uvloop when present).

    python bench/load_client.py --url http://127.0.0.1:PORT/graphql --body-template F [--body-template F2] \
        --classes 1000 [--keys KEYS.json] --clients 50 --duration 60 [--max-requests N] [--seed 0] \
        [--local-address 127.0.0.2] [--interval S] [--get] --out RESULT.json

Each of ``--clients`` keep-alive connections POSTs a request, reads the whole
answer, and sends the next one at once (closed loop; ``--interval S``: each
connection waits S seconds between requests instead, like a person clicking).
The request body is the template with ``__KEY__`` replaced by a random class
(its index, or its entry in ``--keys``, a JSON list of one string per class; a
template without ``__KEY__`` is sent as it is). With several ``--body-template``
each connection sends them in turn for the same class, as the web app sends its
graph and then its tile pictures; the record's key of a request is
``template number x classes + class``. ``--get`` sends it as a
GET with ``?query=...`` (the server's response cache answers only POSTs). ``--local-address``:
connect from this loopback address (the server tells clients apart by address,
so one run can play two clients: e.g. 127.0.0.2 and 127.0.0.3). Every request's
start and end (perf_counter, seconds) and its HTTP status are written to
``--out`` so the caller computes percentiles itself; this client only checks
``Content-Length`` framing, the HTTP status and whether the body carries
``"errors"``. Why not wrk: on this machine wrk 4.1's latency histogram reports a
mean that a closed loop cannot have (more time in flight than clients x
duration), so its percentiles are not used.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sys
import time
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

MESSAGE = re.compile(rb'"message":\s*"([^"]{0,48})')


def build_request(host: str, port: int, path: str, body: bytes, get: bool = False) -> bytes:
    """A POST of ``body``; ``get``: the same GraphQL request as ``GET path?query=...&variables=...``."""
    if get:
        request = json.loads(body)
        params = {"query": request["query"]}
        if request.get("variables"):
            params["variables"] = json.dumps(request["variables"])
        return f"GET {path}?{urlencode(params)} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
    head = (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = None
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
        elif name.strip().lower() == "transfer-encoding" and "chunked" in value.lower():
            raise RuntimeError("chunked answers are not supported by this client")
    if length is None:
        raise RuntimeError("answer without Content-Length")
    return status, await reader.readexactly(length)


async def run(args: argparse.Namespace) -> dict[str, object]:
    url = urlsplit(args.url)
    host, port, path = url.hostname or "127.0.0.1", url.port or 80, url.path or "/"
    templates = []
    for name in args.body_template:
        with open(name, "rb") as f:
            templates.append(f.read())
    names = [str(k) for k in range(args.classes)]
    if args.keys:
        with open(args.keys) as f:
            names = [str(k) for k in json.load(f)]
        if len(names) != args.classes:
            raise SystemExit(f"--keys has {len(names)} keys for --classes {args.classes}")
    rng = random.Random(args.seed)
    requests = [build_request(host, port, path, template.replace(b"__KEY__", json.dumps(name)[1:-1].encode()), args.get)
                for template in templates for name in names]
    starts: list[float] = []
    ends: list[float] = []
    keys: list[int] = []
    statuses: list[int] = []
    failures: list[str] = []
    reasons: dict[str, int] = {}  # first words of each error message -> count
    local = (args.local_address, 0) if args.local_address else None
    issued = 0
    began = time.perf_counter()
    stop_at = began + args.duration

    async def client() -> None:
        nonlocal issued
        reader, writer = await asyncio.open_connection(host, port, local_addr=local)
        try:
            while time.perf_counter() < stop_at and issued < args.max_requests:
                cls = rng.randrange(args.classes)
                for number in range(len(templates)):
                    if time.perf_counter() >= stop_at or issued >= args.max_requests:
                        break
                    issued += 1
                    key = number * args.classes + cls
                    t0 = time.perf_counter()
                    writer.write(requests[key])
                    try:
                        status, body = await read_response(reader)
                    except (OSError, asyncio.IncompleteReadError, RuntimeError, ValueError) as exc:
                        failures.append(f"class {cls}: {type(exc).__name__}: {exc}")
                        writer.close()
                        reader, writer = await asyncio.open_connection(host, port, local_addr=local)
                        continue
                    t1 = time.perf_counter()
                    starts.append(t0 - began)
                    ends.append(t1 - began)
                    keys.append(key)
                    statuses.append(status)
                    if status != 200 or b'"errors"' in body:
                        failures.append(f"class {cls}: HTTP {status} {body[:200]!r}")
                        found = MESSAGE.search(body)
                        reason = f"HTTP {status}: " + (found.group(1).decode(errors="replace") if found else "?")
                        reasons[reason] = reasons.get(reason, 0) + 1
                    if args.interval > 0:
                        await asyncio.sleep(args.interval)
        finally:
            writer.close()

    await asyncio.gather(*(client() for _ in range(args.clients)))
    elapsed = time.perf_counter() - began
    return {"clients": args.clients, "elapsed": elapsed, "starts": starts, "ends": ends, "keys": keys,
            "statuses": statuses, "errors": len(failures), "error_samples": failures[:5], "reasons": reasons}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", required=True)
    parser.add_argument("--body-template", required=True, action="append",
                        help="request body with __KEY__ for the class; repeated: sent in turn for one class")
    parser.add_argument("--classes", type=int, required=True)
    parser.add_argument("--keys", default="", help="JSON list of the classes' keys (default: their indices)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--max-requests", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--local-address", default="", help="connect from this (loopback) address")
    parser.add_argument("--interval", type=float, default=0.0, help="seconds between a connection's requests")
    parser.add_argument("--get", action="store_true", help="send the queries as GET (not answered from the cache)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    loop_factory: Callable[[], asyncio.AbstractEventLoop] = asyncio.new_event_loop
    try:
        import uvloop
        loop_factory = uvloop.new_event_loop
    except ImportError:
        pass
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        result = runner.run(run(args))
    with open(args.out, "w") as f:
        json.dump(result, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
