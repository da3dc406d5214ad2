"""Benchmark: loopback load test of `summit serve` answering class-graph queries.

    .venv/bin/python bench/bench_server.py [--scale full|small] [--clients 50] [--duration 60]
        [--max-requests 1000000] [--client process|wrk] [--wait-warm-up] [--no-warm-up]
        [--response-cache N] [--artifact DIR] [--store-path PATH]

1. Uses the synthetic artifact at InceptionV1 x ImageNet scale (``--scale full``:
   9 layers / 5,484 neurons, 1,000 classes, >= 20 M influence rows; the same
   one as bench/bench_stores.py, written with ``summit synth`` when missing), or
   a small one (``--scale small``: 100 classes, 5 layers) for a quick run.
2. Loads it into an embedded store of its own (once; reused later).
3. Starts the real server (`summit serve`) in a subprocess on 127.0.0.1 only and
   starts the load as soon as /healthz answers: the server's warm-up (every class
   graph and neuron picture remembered in the background) runs during the first
   seconds of load unless ``--wait-warm-up`` (wait for it) or ``--no-warm-up`` (off).
4. ``--clients`` concurrent keep-alive connections ask for the web app's class-graph
   query (class, nodes with neuron images, edges) of random classes for
   ``--duration`` seconds (closed loop). ``--client process`` (default):
   bench/load_client.py in its own process (asyncio + uvloop, raw HTTP/1.1), which
   records every request's start and end, so percentiles, per-10-s windows and
   first-vs-repeat requests are computed here. ``--client wrk``: the C load
   generator with bench/wrk_class_graph.lua (1 thread); its throughput is right but
   on this machine its latency histogram fails the Little's-law check below (it
   reports more time in flight than ``clients x duration``), so its percentiles are
   printed but not trusted.
5. Prints requests/s, p50/p95/p99, mean and max latency, the Little's-law check
   (a closed loop of C clients at X requests/s has a mean latency of C/X), server
   CPU per request, latency per 10-s window, the error count and the ratio of p95
   to the target (p95 <= 100 ms, 0 errors on the embedded store).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import resource
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
LOAD_CLIENT = Path(__file__).resolve().with_name("load_client.py")
WINDOW_S = 10.0
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


def start_server(store_path: Path, artifact: Path, port: int, response_cache: int | None,
                 warm_up: bool) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "summit.cli", "serve", "--embedded", str(store_path), "--host", HOST,
         "--port", str(port), "--media-root", str(artifact / "media"), *([] if warm_up else ["--no-warm-up"]),
         *([] if response_cache is None else ["--response-cache", str(response_cache)])],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}: {proc.stderr.read().decode() if proc.stderr else ''}")
        if health(f"http://{HOST}:{port}") is not None:
            return proc
        time.sleep(0.2)
    proc.terminate()
    raise SystemExit("server did not become healthy within 120 s")


def health(base: str) -> dict[str, Any] | None:
    import httpx

    try:
        response = httpx.get(f"{base}/healthz", timeout=2)
    except httpx.TransportError:
        return None
    return response.json() if response.status_code == 200 else None


def warm_up_line(state: dict[str, Any] | None) -> str:
    if not state or "warmUp" not in state:
        return "unknown"
    w = state["warmUp"]
    return f"{w['state']} ({w['graphs']} class graphs, {w['images']} pictures)"


def wait_for_warm_up(base: str, timeout: float = 600.0) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        state = health(base)
        if state and state.get("warmUp", {}).get("state") in ("done", "off", "failed"):
            return time.perf_counter() - started
        time.sleep(0.1)
    raise SystemExit(f"the server's warm-up did not finish within {timeout:g} s")


def body_template(tmp: Path) -> Path:
    template = tmp / "class-graph-body.json"
    template.write_text(json.dumps({"query": CLASS_GRAPH, "variables": {"key": "__KEY__"}}))
    return template


def process_test(base: str, classes: int, clients: int, duration: float, max_requests: int, seed: int,
                 tmp: Path) -> dict[str, Any]:
    """Run bench/load_client.py in its own process; its per-request record."""
    out = tmp / "load-client-result.json"
    command = [sys.executable, str(LOAD_CLIENT), "--url", f"{base}/graphql", "--body-template",
               str(body_template(tmp)), "--classes", str(classes), "--clients", str(clients),
               "--duration", str(duration), "--max-requests", str(max_requests), "--seed", str(seed),
               "--out", str(out)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 300, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"load client failed ({done.returncode}): {done.stderr.strip()[-800:]}")
    result: dict[str, Any] = json.loads(out.read_text())
    result["client_cpu"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return result


def wrk_test(base: str, classes: int, clients: int, duration: float, wrk: str,
             tmp: Path) -> tuple[dict[str, int], list[str]]:
    """Run wrk (1 thread, ``clients`` connections, ``duration`` s); its done() line as a dict, plus stderr lines."""
    command = [wrk, "-t1", f"-c{clients}", f"-d{max(1, round(duration))}s", "--timeout", "30s",
               "-s", str(WRK_SCRIPT), f"{base}/graphql", "--", str(classes), str(body_template(tmp))]
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
    """Nearest-rank percentile of ``values`` (any order)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def summary(latencies: list[float]) -> str:
    return (f"p50 {percentile(latencies, 50):.1f}   p95 {percentile(latencies, 95):.1f}   "
            f"p99 {percentile(latencies, 99):.1f}   mean {statistics.fmean(latencies):.1f}   max {max(latencies):.1f}")


def report_process(record: dict[str, Any]) -> tuple[int, float, list[float], int, list[str]]:
    """Print the windows and first-vs-repeat split; return count, elapsed, latencies (ms), errors, samples."""
    starts, ends, keys = record["starts"], record["ends"], record["keys"]
    latencies = [(e - s) * 1000 for s, e in zip(starts, ends, strict=True)]
    if not latencies:
        return 0, float(record["elapsed"]), [], int(record["errors"]), list(record["error_samples"])
    windows: dict[int, list[float]] = {}
    for started, latency in zip(starts, latencies, strict=True):
        windows.setdefault(int(started // WINDOW_S), []).append(latency)
    print(f"per {WINDOW_S:g} s window (by request start):")
    for index in sorted(windows):
        values = windows[index]
        print(f"  {index * WINDOW_S:5.0f}-{(index + 1) * WINDOW_S:<4.0f}s  {len(values):7d} requests  {summary(values)}")
    seen: set[int] = set()
    first: list[float] = []
    repeat: list[float] = []
    for order in sorted(range(len(starts)), key=starts.__getitem__):
        (repeat if keys[order] in seen else first).append(latencies[order])
        seen.add(keys[order])
    print(f"first request of a class   {len(first):7d}  {summary(first)}")
    if repeat:
        print(f"repeated classes           {len(repeat):7d}  {summary(repeat)}")
    return len(latencies), float(record["elapsed"]), latencies, int(record["errors"]), list(record["error_samples"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scale", choices=tuple(SCALES), default="full")
    parser.add_argument("--artifact", type=Path, default=None, help="artifact dir (default .cache/bench/<scale dir>)")
    parser.add_argument("--store-path", type=Path, default=None,
                        help="embedded store of this benchmark (default .cache/bench/server-store-<scale>)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument("--max-requests", type=int, default=1_000_000, help="upper bound on requests")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--response-cache", type=int, default=None,
                        help="server setting response_cache (0 = measure without the response cache)")
    parser.add_argument("--client", choices=("process", "wrk"), default="process",
                        help="load generator: bench/load_client.py in its own process (default) or wrk")
    warm = parser.add_mutually_exclusive_group()
    warm.add_argument("--wait-warm-up", action="store_true", help="start the load after the server's warm-up")
    warm.add_argument("--no-warm-up", action="store_true", help="run the server without its warm-up")
    args = parser.parse_args()
    wrk = shutil.which("wrk")
    if args.client == "wrk" and wrk is None:
        parser.error("--client wrk: wrk is not installed (apt-get install -y wrk)")
    if args.clients < 1 or args.duration <= 0 or args.max_requests < 1:
        parser.error("--clients, --duration and --max-requests must be positive")
    bench_dir = REPO / ".cache" / "bench"
    bench_dir.mkdir(parents=True, exist_ok=True)
    artifact = args.artifact or bench_dir / SCALES[args.scale]["dir"]
    store_path = args.store_path or bench_dir / f"server-store-{args.scale}"
    ensure_artifact(artifact, args.scale)
    ensure_store(artifact, store_path)

    from summit.artifact import read_manifest

    classes = int(read_manifest(artifact)["dataset"]["classes"])
    port = free_port()
    cache = "default" if args.response_cache is None else args.response_cache
    print(f"starting summit serve on {HOST}:{port} (embedded store {store_path}, response_cache {cache}, "
          f"warm-up {'off' if args.no_warm_up else 'on'}) ...", flush=True)
    started = time.perf_counter()
    proc = start_server(store_path, artifact, port, args.response_cache, warm_up=not args.no_warm_up)
    base = f"http://{HOST}:{port}"
    try:
        print(f"healthy after {time.perf_counter() - started:.1f} s", flush=True)
        if args.wait_warm_up:
            print(f"warm-up finished {wait_for_warm_up(base):.1f} s later", flush=True)
        print(f"warm-up at load start: {warm_up_line(health(base))}")
        print(f"load: client {args.client}, {args.clients} clients, {args.duration:g} s, random classes of {classes}",
              flush=True)
        load_before, cpu_before = os.getloadavg()[0], cpu_seconds(proc.pid)
        if args.client == "wrk":
            assert wrk is not None
            stats, samples = wrk_test(base, classes, args.clients, args.duration, wrk, bench_dir)
        else:
            record = process_test(base, classes, args.clients, args.duration, args.max_requests, args.seed,
                                  bench_dir)
        server_cpu = cpu_seconds(proc.pid) - cpu_before
        load_after = os.getloadavg()[0]
        warm_after = warm_up_line(health(base))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    if args.client == "wrk":
        count, elapsed = stats["requests"], stats["duration_us"] / 1e6
        p50, p95, p99, mean, slowest = (stats[k] / 1000 for k in ("p50_us", "p95_us", "p99_us", "mean_us", "max_us"))
        kinds = ("non2xx", "connect", "read", "write", "timeout", "graphql")
        errors = sum(stats[k] for k in kinds)
        detail = ", ".join(f"{k} {stats[k]}" for k in kinds)
    else:
        count, elapsed, latencies, errors, samples = report_process(record)
        if count:
            p50, p95, p99 = (percentile(latencies, q) for q in (50, 95, 99))
            mean, slowest = statistics.fmean(latencies), max(latencies)
        detail = "non-200, GraphQL errors and transport errors"
    if count == 0:
        print("no requests completed")
        return 1
    print(f"client        {args.client} ({args.clients} connections)")
    print(f"requests      {count} in {elapsed:.1f} s = {count / elapsed:.1f} requests/s")
    print(f"latency ms    p50 {p50:.1f}   p95 {p95:.1f}   p99 {p99:.1f}   mean {mean:.1f}   max {slowest:.1f}")
    implied = args.clients / (count / elapsed) * 1000  # Little's law: a closed loop keeps `clients` in flight
    consistent = implied * 0.8 <= mean <= implied * 1.25
    print(f"cross-check   mean latency implied by {args.clients} clients / throughput = {implied:.1f} ms "
          f"(measured mean {mean:.1f} ms; {'consistent' if consistent else 'INCONSISTENT: latencies suspect'})")
    print(f"server CPU    {server_cpu * 1000 / count:.2f} ms per request "
          f"({server_cpu:.1f} s CPU in {elapsed:.1f} s wall = {server_cpu / elapsed:.2f} cores)")
    if args.client == "process":
        client_cpu = float(record["client_cpu"])
        print(f"client CPU    {client_cpu:.1f} s in {elapsed:.1f} s wall = {client_cpu / elapsed:.2f} cores "
              "(the load client shares the machine with the server)")
    print(f"warm-up       at the end of the load: {warm_after}")
    print(f"machine load  {load_before:.1f} -> {load_after:.1f} (1-min load average; {os.cpu_count()} CPUs)")
    print(f"errors        {errors} ({detail})")
    for sample in samples:
        print(f"  e.g. {sample}")
    ok = errors == 0 and p95 <= TARGET_P95_MS and consistent
    print(f"target        p95 <= {TARGET_P95_MS:g} ms and 0 errors: p95/target = {p95 / TARGET_P95_MS:.2f} "
          f"-> {'MET' if ok else 'NOT MET'}{'' if consistent else ' (latencies failed the cross-check)'}")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
