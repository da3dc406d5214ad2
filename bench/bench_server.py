"""Benchmark: loopback load test of `summit serve` answering class-graph queries.

    .venv/bin/python bench/bench_server.py [--scale full|small] [--clients 50] [--duration 60]
        [--max-requests 200000] [--client auto|wrk|httpx] [--artifact DIR] [--store-path PATH]

1. Uses the synthetic artifact at InceptionV1 x ImageNet scale (``--scale full``:
   9 layers / 5,484 neurons, 1,000 classes, >= 20 M influence rows; the same
   one as bench/bench_stores.py, written with ``summit synth`` when missing), or
   a small one (``--scale small``: 100 classes, 5 layers) for a quick run.
2. Loads it into an embedded store of its own (once; reused later).
3. Starts the real server (`summit serve`) in a subprocess on 127.0.0.1 only.
4. ``--clients`` concurrent clients ask for the web app's class-graph query
   (class, nodes with neuron images, edges) of random classes. ``--client wrk``
   (the default when ``/usr/bin/wrk`` exists; ``apt-get install -y wrk``): the C
   load generator wrk with ``bench/wrk_class_graph.lua``, 1 thread, for
   ``--duration`` seconds, so the client does not compete with the server for
   the CPU. ``--client httpx``: httpx AsyncClient coroutines in this process
   (closed loop) for ``--duration`` seconds or ``--max-requests`` requests.
5. Prints requests/s, p50/p95/p99 latency, the error count and the ratio of
   p95 to the target (p95 <= 100 ms, 0 errors on the embedded store).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

HOST = "127.0.0.1"  # loopback only, never configurable
TARGET_P95_MS = 100.0
WRK_SCRIPT = Path(__file__).resolve().with_name("wrk_class_graph.lua")
SCALES: dict[str, dict[str, Any]] = {
    "full": {"dir": "synth-inception-1000",
             "synth": ["--classes", "1000", "--channels", "inception", "--influence-rows", "20000000",
                       "--images-per-class", "1300"]},
    "small": {"dir": "synth-server-small",
              "synth": ["--classes", "100", "--layers", "5", "--channels", "64", "--images-per-class", "50"]},
}

CLASS_GRAPH = """query ClassGraph($key: String!) {
  model {
    classGraph(classKey: $key) {
      class { index wnid name images top1Correct accuracy probHist
              faithfulness { images graphNeurons baseProb graphProbDrop } }
      nodes { count pagerank neuron { id layer layerIndex channel image } }
      edges { src dst weight }
    }
  }
}"""


def summit(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "summit.cli", *args], check=True, cwd=REPO)


def ensure_artifact(path: Path, scale: str) -> None:
    if (path / "manifest.json").exists():
        print(f"reusing artifact {path}")
        return
    print(f"writing synthetic artifact ({scale}) to {path} ...", flush=True)
    summit("synth", str(path), *SCALES[scale]["synth"])


def ensure_store(artifact: Path, store_path: Path) -> str:
    from summit.artifact import model_id, read_manifest
    from summit.store.embedded import EmbeddedStore

    model = model_id(read_manifest(artifact))
    store = EmbeddedStore(store_path)
    try:
        if model in {m.id for m in store.models()}:
            print(f"reusing embedded store {store_path} (model {model})")
            return model
        print(f"loading {artifact} into {store_path} ...", flush=True)
        started = time.perf_counter()
        store.load_artifact(str(artifact))
        print(f"loaded in {time.perf_counter() - started:.1f} s")
    finally:
        store.close()
    return model


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def start_server(store_path: Path, artifact: Path, port: int, response_cache: int | None) -> subprocess.Popen[bytes]:
    import httpx

    proc = subprocess.Popen(
        [sys.executable, "-m", "summit.cli", "serve", "--embedded", str(store_path), "--host", HOST,
         "--port", str(port), "--media-root", str(artifact / "media")],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env={**os.environ, **({} if response_cache is None else {"SUMMIT_RESPONSE_CACHE": str(response_cache)})},
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            if httpx.get(f"http://{HOST}:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    proc.terminate()
    raise SystemExit("server did not become healthy within 120 s")


async def load_test(base: str, classes: int, clients: int, duration: float, max_requests: int,
                    seed: int) -> tuple[list[float], int, float, list[str], int]:
    import httpx

    latencies: list[float] = []
    errors: list[str] = []
    issued = 0
    asked: set[str] = set()
    rng = random.Random(seed)
    stop_at = time.perf_counter() + duration
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
        async def client() -> None:
            nonlocal issued
            while time.perf_counter() < stop_at and issued < max_requests:
                issued += 1
                key = str(rng.randrange(classes))
                asked.add(key)
                t0 = time.perf_counter()
                try:
                    response = await http.post("/graphql", json={"query": CLASS_GRAPH, "variables": {"key": key}})
                    body = response.json()
                    if response.status_code != 200 or body.get("errors") or not body["data"]["model"]["classGraph"]["nodes"]:
                        errors.append(f"class {key}: HTTP {response.status_code} {str(body)[:200]}")
                except (httpx.HTTPError, ValueError) as exc:
                    errors.append(f"class {key}: {type(exc).__name__}: {exc}")
                latencies.append((time.perf_counter() - t0) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return latencies, len(errors), elapsed, errors[:5], len(asked)


def wrk_test(base: str, classes: int, clients: int, duration: float, wrk: str,
             tmp: Path) -> tuple[dict[str, int], list[str]]:
    """Run wrk (1 thread, ``clients`` connections, ``duration`` s); its done() line as a dict, plus stderr lines."""
    template = tmp / "class-graph-body.json"
    template.write_text(json.dumps({"query": CLASS_GRAPH, "variables": {"key": "__KEY__"}}))
    command = [wrk, "-t1", f"-c{clients}", f"-d{max(1, round(duration))}s", "--timeout", "30s",
               "-s", str(WRK_SCRIPT), f"{base}/graphql", "--", str(classes), str(template)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 120, check=False)
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRK ")), None)
    if done.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({done.returncode}): {done.stderr.strip()[:500] or done.stdout[-500:]}")
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", line)}, done.stderr.splitlines()[:5]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), to report server CPU per request."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scale", choices=tuple(SCALES), default="full")
    parser.add_argument("--artifact", type=Path, default=None, help="artifact dir (default .cache/bench/<scale dir>)")
    parser.add_argument("--store-path", type=Path, default=None,
                        help="embedded store of this benchmark (default .cache/bench/server-store-<scale>)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument("--max-requests", type=int, default=200_000, help="upper bound on requests")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--response-cache", type=int, default=None,
                        help="server setting response_cache (0 = measure without the response cache)")
    parser.add_argument("--client", choices=("auto", "wrk", "httpx"), default="auto",
                        help="load generator: wrk (C, default when installed) or httpx (Python, in this process)")
    args = parser.parse_args()
    wrk = shutil.which("wrk")
    if args.client == "wrk" and wrk is None:
        parser.error("--client wrk: wrk is not installed (apt-get install -y wrk), or use --client httpx")
    client = "wrk" if args.client == "wrk" or (args.client == "auto" and wrk is not None) else "httpx"
    if args.client == "auto" and wrk is None:
        print("wrk not found (apt-get install -y wrk): using the httpx client in this process")
    if args.clients < 1 or args.duration <= 0 or args.max_requests < 1:
        parser.error("--clients, --duration and --max-requests must be positive")
    bench_dir = REPO / ".cache" / "bench"
    artifact = args.artifact or bench_dir / SCALES[args.scale]["dir"]
    store_path = args.store_path or bench_dir / f"server-store-{args.scale}"
    ensure_artifact(artifact, args.scale)
    ensure_store(artifact, store_path)

    from summit.artifact import read_manifest

    classes = int(read_manifest(artifact)["dataset"]["classes"])
    port = free_port()
    cache = "default" if args.response_cache is None else args.response_cache
    print(f"starting summit serve on {HOST}:{port} (embedded store {store_path}, response_cache {cache}) ...",
          flush=True)
    proc = start_server(store_path, artifact, port, args.response_cache)
    try:
        base = f"http://{HOST}:{port}"
        # warm-up: a few requests so lazy caches (catalogue, class list) are built before timing
        asyncio.run(load_test(base, classes, clients=2, duration=2.0, max_requests=20, seed=args.seed + 1))
        bound = "" if client == "wrk" else f" (max {args.max_requests} requests)"
        print(f"load: client {client}, {args.clients} clients, {args.duration:g} s{bound}, "
              f"random classes of {classes}", flush=True)
        load_before, cpu_before = os.getloadavg()[0], cpu_seconds(proc.pid)
        if client == "wrk":
            assert wrk is not None
            bench_dir.mkdir(parents=True, exist_ok=True)
            stats, samples = wrk_test(base, classes, args.clients, args.duration, wrk, bench_dir)
        else:
            latencies, errors, elapsed, samples, distinct = asyncio.run(
                load_test(base, classes, args.clients, args.duration, args.max_requests, args.seed))
        server_cpu = cpu_seconds(proc.pid) - cpu_before
        load_after = os.getloadavg()[0]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    if client == "wrk":
        count, elapsed = stats["requests"], stats["duration_us"] / 1e6
        p50, p95, p99, mean, slowest = (stats[k] / 1000 for k in ("p50_us", "p95_us", "p99_us", "mean_us", "max_us"))
        kinds = ("non2xx", "connect", "read", "write", "timeout", "graphql")
        errors = sum(stats[k] for k in kinds)
        detail = ", ".join(f"{k} {stats[k]}" for k in kinds)
        asked_line = "random per request (wrk script; the first request of each is a response-cache miss)"
    else:
        if not latencies:
            print("no requests completed")
            return 1
        count = len(latencies)
        p50, p95, p99 = (percentile(latencies, q) for q in (50, 95, 99))
        mean, slowest = statistics.fmean(latencies), max(latencies)
        detail = "non-200, GraphQL errors, empty graphs and transport errors"
        asked_line = f"{distinct} distinct asked (the first request of each is a response-cache miss)"
    if count == 0:
        print("no requests completed")
        return 1
    print(f"client        {client} ({args.clients} connections)")
    print(f"requests      {count} in {elapsed:.1f} s = {count / elapsed:.1f} requests/s")
    print(f"latency ms    p50 {p50:.1f}   p95 {p95:.1f}   p99 {p99:.1f}   mean {mean:.1f}   max {slowest:.1f}")
    implied = args.clients / (count / elapsed) * 1000  # Little's law: a closed loop keeps `clients` in flight
    print(f"cross-check   mean latency implied by {args.clients} clients / throughput = {implied:.1f} ms "
          f"(measured mean {mean:.1f} ms; {'consistent' if mean <= implied * 1.25 else 'INCONSISTENT: latencies suspect'})")
    print(f"server CPU    {server_cpu * 1000 / count:.1f} ms per request "
          f"({server_cpu:.1f} s CPU in {elapsed:.1f} s wall = {server_cpu / elapsed:.2f} cores)")
    print(f"classes       {asked_line}")
    print(f"machine load  {load_before:.1f} -> {load_after:.1f} (1-min load average; {os.cpu_count()} CPUs)")
    print(f"errors        {errors} ({detail})")
    for sample in samples:
        print(f"  e.g. {sample}")
    ok = errors == 0 and p95 <= TARGET_P95_MS
    print(f"target        p95 <= {TARGET_P95_MS:g} ms and 0 errors: p95/target = {p95 / TARGET_P95_MS:.2f} "
          f"-> {'MET' if ok else 'NOT MET'}  (cpu count {os.cpu_count()})")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
