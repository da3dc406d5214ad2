"""Benchmark: loopback load tests of `summit serve` (class-graph queries; an abusive client).

    .venv/bin/python bench/bench_server.py [--scales full,published] [--clients 50] [--duration 60]
        [--documents web|inline] [--max-requests 1000000] [--client process|wrk] [--no-wait] [--no-warm-up]
        [--response-cache N] [--artifact DIR] [--store-path PATH]
    .venv/bin/python bench/bench_server.py --abuse [--abusers 200] [--duration 20] [--scales ...] ...

1. Runs the test once per artifact of ``--scales`` (default ``full,published``) and ends
   with their figures side by side: ``full`` is the synthetic artifact at InceptionV1 x
   ImageNet scale (9 layers / 5,484 neurons, 1,000 classes, >= 20 M influence rows; the same
   one as bench/bench_stores.py, written with ``summit synth`` when missing); ``published``
   is Summit's own 1,000 published InceptionV1 graphs (``summit import-summit`` of
   ../shared/data/summit-data, else of the compact copy in data/summit-data; real sizes:
   about 58 nodes and 202 edges per class); ``small`` (100 classes, 5 layers) is a quick run.
   ``--artifact DIR`` (one scale only) tests an artifact of your own instead.
2. Loads each into an embedded store of its own (once; reused later).
3. Starts the real server (`summit serve --wait-warm-up`) in a subprocess on
   127.0.0.1 only and measures how long it takes to be ready (the port opens
   once every class graph and neuron picture is remembered); the load starts
   then. ``--no-wait``: start the load as soon as /healthz answers, the warm-up
   still running (``--no-warm-up``: without it).
4. ``--clients`` concurrent keep-alive connections open random classes as the web app
   does for ``--duration`` seconds (closed loop): ``--documents web`` (default) sends the
   web app's own two documents (``CLASS_GRAPH``, then ``CLASS_GRAPH_IMAGES`` for the
   tiles; read from web/dist/queries.json, which the web app's build writes: run
   ``npm --prefix web run build`` first) with its variables (``model`` null, ``key``
   the class's wnid, ``topN`` null, ``minWeight`` 0), exactly what a browser sends
   when a class is clicked; ``--documents inline``
   sends one document the web app never sends (class, nodes with their images inline,
   edges; keyed by class index), so the server has not pre-rendered it and the first
   request of each class runs the GraphQL work. ``--client process`` (default):
   bench/load_client.py in its own process (asyncio + uvloop, raw HTTP/1.1), which
   records every request's start and end, so percentiles, per-10-s windows and
   first-vs-repeat requests are computed here. ``--client wrk``: the C load
   generator with bench/wrk_class_graph.lua (1 thread); its throughput is right but
   on this machine its latency histogram fails the Little's-law check below (it
   reports more time in flight than ``clients x duration``), so its percentiles are
   printed but not trusted. All clients come from one address, so this run turns
   the per-client rate limit off (``SUMMIT_RATE_LIMIT=0``).
5. Prints requests/s, p50/p95/p99, mean and max latency, the Little's-law check
   (a closed loop of C clients at X requests/s has a mean latency of C/X), server
   CPU per request, latency per 10-s window, the first request of each class (of each
   document and class) vs repeats, the error count and the ratios to the targets (first
   request of a class p95 <= 100 ms, all requests p95 <= 50 ms, 0 errors).

``--abuse``: the server as a public demo (``--public``) with its default rate limits; ``--abusers`` connections from
127.0.0.2 send heavy queries (K=5 paths and a 2-hop neighbourhood of random
classes, as uncached GETs) in a closed loop, ignoring ``Retry-After``, while a
normal user from 127.0.0.3 asks for a class graph every 0.2 s (first alone for half
the duration, for a baseline on the same machine, then next to it). Prints how many
abusive requests were served against the budget (``rate_burst + rate_limit x
seconds``) and the normal user's latency (target p95 < 100 ms, 0 errors), once per
artifact of ``--scales``.
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

HOST = "127.0.0.1"  # loopback only, never configurable
LOAD_CLIENT = Path(__file__).resolve().with_name("load_client.py")
WEB_DIST = REPO / "web" / "dist"  # the web app summit serve serves (and pre-renders the class views of)
WINDOW_S = 10.0
TARGET_FIRST_P95_MS = 100.0  # the first request of each class, after readiness
TARGET_P95_MS = 50.0  # all requests
TARGET_NORMAL_P95_MS = 100.0  # a normal user next to an abusive one
NORMAL_INTERVAL_S = 0.2
ABUSER_ADDRESS, NORMAL_ADDRESS = "127.0.0.2", "127.0.0.3"
BUCKET_REFUSAL = "HTTP 429: too many requests"  # how load_client's reasons start for the rate limit's refusals
WRK_SCRIPT = Path(__file__).resolve().with_name("wrk_class_graph.lua")
SCALES: dict[str, dict[str, Any]] = {
    "full": {"dir": "synth-inception-1000",
             "synth": ["--classes", "1000", "--channels", "inception", "--influence-rows", "20000000",
                       "--images-per-class", "1300"]},
    "published": {"dir": "published-inceptionv1"},
    "small": {"dir": "synth-server-small",
              "synth": ["--classes", "100", "--layers", "5", "--channels", "64", "--images-per-class", "50"]},
}
PUBLISHED_SOURCES = (REPO.parent / "shared" / "data" / "summit-data",
                     REPO / "data" / "summit-data" / "summit-data-compact.tar.xz")

DOCUMENTS = ("web", "inline")

HEAVY = """query Heavy($key: String!) {
  model {
    paths(classKey: $key, from: "__FROM__", k: 5) { score neurons }
    neighbourhood(classKey: $key, neuronId: "__NEAR__", hops: 2) { nodes { count } edges { weight } }
  }
}"""

INLINE_CLASS_GRAPH = """query ClassGraph($key: String!) {
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
    if scale == "published":
        source = next((p for p in PUBLISHED_SOURCES if p.exists()), None)
        if source is None:
            raise SystemExit(f"no copy of Summit's published data: {' or '.join(map(str, PUBLISHED_SOURCES))}")
        print(f"importing Summit's published graphs from {source} to {path} ...", flush=True)
        summit("import-summit", str(source), "--out", str(path), "--embedding", "pca")
        return
    print(f"writing synthetic artifact ({scale}) to {path} ...", flush=True)
    summit("synth", str(path), *SCALES[scale]["synth"])


def graph_sizes(artifact: Path) -> tuple[float, float]:
    """Mean nodes and edges per class graph."""
    from summit.artifact import read_table

    classes = read_table(artifact, "classes").height
    return read_table(artifact, "class_nodes").height / classes, read_table(artifact, "class_edges").height / classes


def ensure_store(artifact: Path, store_path: Path) -> str:
    from summit.artifact import model_id, read_manifest
    from summit.store.embedded import EmbeddedStore

    model = model_id(read_manifest(artifact))
    store = EmbeddedStore(store_path)
    try:
        try:
            models = {m.id for m in store.models()}
        except RuntimeError as exc:  # the database's own errors, e.g. a store written before a schema change
            raise SystemExit(f"{store_path} cannot be read ({str(exc)[:200]}): it is this benchmark's own copy, "
                             "written by an older version; delete it and run again to reload it") from exc
        if model in models:
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


SERVER_LOG = REPO / ".cache" / "bench" / "server.log"


def start_server(store_path: Path, artifact: Path, port: int, env: dict[str, str],
                 extra: list[str]) -> subprocess.Popen[bytes]:
    """``summit serve`` in a subprocess, its log in .cache/bench/server.log (a pipe nobody reads would fill
    up and stop the server at its next log line)."""
    log = SERVER_LOG.open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "summit.cli", "serve", "--embedded", str(store_path), "--host", HOST,
         "--port", str(port), "--media-root", str(artifact / "media"), *extra],
        cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **env},
    )
    log.close()
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}: {SERVER_LOG.read_text()[-2000:]}")
        if health(f"http://{HOST}:{port}") is not None:
            return proc
        time.sleep(0.05)
    proc.terminate()
    raise SystemExit("server did not answer /healthz within 300 s")


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
    answers = f", {w['responses']} pre-rendered answers" if "responses" in w else ""
    return f"{w['state']} ({w['graphs']} class graphs, {w['images']} pictures{answers})"


@dataclass(frozen=True)
class Requests:
    """What the load client sends: body templates (``__KEY__`` = the class), in turn per class, and the
    classes' keys (a JSON list; None: their indices)."""

    templates: tuple[Path, ...]
    names: tuple[str, ...]
    keys: Path | None

    def arguments(self) -> list[str]:
        out = [x for t in self.templates for x in ("--body-template", str(t))]
        return out + (["--keys", str(self.keys)] if self.keys else [])


def class_requests(tmp: Path, documents: str, artifact: Path) -> Requests:
    """The class-view requests of ``--documents``: the web app's two documents keyed by wnid, or ``inline``."""
    if documents == "inline":
        template = tmp / "class-graph-inline-body.json"
        template.write_text(json.dumps({"query": INLINE_CLASS_GRAPH, "variables": {"key": "__KEY__"}}))
        return Requests((template,), ("inline class graph",), None)
    from summit.server.prerender import QUERIES_FILE, read_class_view, web_body

    from summit.artifact import read_table

    documents = read_class_view(WEB_DIST)
    if not documents:
        raise SystemExit(f"{WEB_DIST / QUERIES_FILE} is missing (or lacks the class view): build the web app with "
                         "`npm --prefix web run build`, or use --documents inline")
    templates = []
    for name, document in documents.items():
        templates.append(tmp / f"web-{name.lower().replace('_', '-')}-body.json")
        templates[-1].write_bytes(web_body(document, None, "__KEY__"))
    keys = tmp / "class-wnids.json"
    keys.write_text(json.dumps(read_table(artifact, "classes").sort("class_index")["wnid"].to_list()))
    return Requests(tuple(templates), tuple(documents), keys)


def load_client(base: str, requests: Requests, classes: int, clients: int, duration: float, max_requests: int,
                seed: int, out: Path, *extra: str) -> subprocess.Popen[str]:
    """Start bench/load_client.py in its own process (its record goes to ``out``)."""
    command = [sys.executable, str(LOAD_CLIENT), "--url", f"{base}/graphql", *requests.arguments(),
               "--classes", str(classes), "--clients", str(clients), "--duration", str(duration),
               "--max-requests", str(max_requests), "--seed", str(seed), "--out", str(out), *extra]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen[str], out: Path, timeout: float) -> dict[str, Any]:
    _, stderr = proc.communicate(timeout=timeout)
    if proc.returncode != 0:
        raise SystemExit(f"load client failed ({proc.returncode}): {stderr.strip()[-800:]}")
    record: dict[str, Any] = json.loads(out.read_text())
    return record


def process_test(base: str, requests: Requests, classes: int, clients: int, duration: float, max_requests: int,
                 seed: int, tmp: Path) -> dict[str, Any]:
    """Run bench/load_client.py in its own process; its per-request record."""
    out = tmp / "load-client-result.json"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = load_client(base, requests, classes, clients, duration, max_requests, seed, out)
    result = finish(proc, out, duration + 300)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result["client_cpu"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return result


def wrk_test(base: str, requests: Requests, classes: int, clients: int, duration: float,
             wrk: str) -> tuple[dict[str, int], list[str]]:
    """Run wrk (1 thread, ``clients`` connections, ``duration`` s) with the first document, keyed by class index;
    its done() line as a dict, plus stderr lines."""
    command = [wrk, "-t1", f"-c{clients}", f"-d{max(1, round(duration))}s", "--timeout", "30s",
               "-s", str(WRK_SCRIPT), f"{base}/graphql", "--", str(classes), str(requests.templates[0])]
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


def report_process(record: dict[str, Any], requests: Requests,
                   classes: int) -> tuple[int, float, list[float], list[float], int, list[str]]:
    """Print the windows and first-vs-repeat split (per document when there are several); return count,
    elapsed, latencies and first requests' latencies (ms), errors, samples."""
    starts, ends, keys = record["starts"], record["ends"], record["keys"]
    latencies = [(e - s) * 1000 for s, e in zip(starts, ends, strict=True)]
    if not latencies:
        return 0, float(record["elapsed"]), [], [], int(record["errors"]), list(record["error_samples"])
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
    by_document: dict[int, list[float]] = {}
    for order in sorted(range(len(starts)), key=starts.__getitem__):
        if keys[order] in seen:
            repeat.append(latencies[order])
        else:
            first.append(latencies[order])
            by_document.setdefault(keys[order] // classes, []).append(latencies[order])
        seen.add(keys[order])
    print(f"first request of a class   {len(first):7d}  {summary(first)}")
    if len(requests.names) > 1:
        for number, values in sorted(by_document.items()):
            print(f"  {requests.names[number]:<24} {len(values):7d}  {summary(values)}")
    if repeat:
        print(f"repeated classes           {len(repeat):7d}  {summary(repeat)}")
    return (len(latencies), float(record["elapsed"]), latencies, first, int(record["errors"]),
            list(record["error_samples"]))


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def layer_names(artifact: Path) -> list[str]:
    from summit.artifact import read_manifest

    return [str(layer["name"]) for layer in read_manifest(artifact)["layers"]]


def abuse(args: argparse.Namespace, artifact: Path, store_path: Path, classes: int, bench_dir: Path,
          requests: Requests) -> int:
    """An abusive client (heavy GETs in a closed loop) next to a normal one; the server's default limits."""
    from summit.settings import resolve

    defaults = resolve(environ={})
    port = free_port()
    base = f"http://{HOST}:{port}"
    layers = layer_names(artifact)
    heavy = bench_dir / "heavy-body.json"
    heavy.write_text(json.dumps({"query": HEAVY.replace("__FROM__", f"{layers[0]}:0")
                                 .replace("__NEAR__", f"{layers[len(layers) // 2]}:0"), "variables": {"key": "__KEY__"}}))
    print(f"starting summit serve on {HOST}:{port} (embedded store {store_path}, default limits: rate_limit "
          f"{defaults.rate_limit:g}/s, rate_burst {defaults.rate_burst}, heavy_cost {defaults.heavy_cost}, "
          f"heavy_per_client {defaults.heavy_per_client}, heavy_workers {defaults.heavy_workers}, request_timeout "
          f"{defaults.request_timeout:g} s) ...", flush=True)
    started = time.perf_counter()
    # --public: the limits guard shared servers (a loopback server without a token has none)
    proc = start_server(store_path, artifact, port, {}, ["--wait-warm-up", "--public"])
    try:
        print(f"ready after {time.perf_counter() - started:.1f} s; {args.abusers} abusive connections from "
              f"{ABUSER_ADDRESS} (paths K=5 + 2-hop neighbourhood, GET, closed loop) and a normal user from "
              f"{NORMAL_ADDRESS} (a class graph every {NORMAL_INTERVAL_S:g} s) for {args.duration:g} s", flush=True)
        load_before = os.getloadavg()[0]
        alone = load_client(base, requests, classes, 1, args.duration / 2, args.max_requests,
                            args.seed + 2, bench_dir / "alone.json", "--local-address", NORMAL_ADDRESS,
                            "--interval", str(NORMAL_INTERVAL_S))
        baseline = finish(alone, bench_dir / "alone.json", args.duration + 300)
        bad = load_client(base, Requests((heavy,), ("heavy",), None), classes, args.abusers, args.duration, args.max_requests, args.seed,
                          bench_dir / "abuser.json", "--get", "--local-address", ABUSER_ADDRESS)
        good = load_client(base, requests, classes, 1, args.duration, args.max_requests,
                           args.seed + 1, bench_dir / "normal.json", "--local-address", NORMAL_ADDRESS,
                           "--interval", str(NORMAL_INTERVAL_S))
        abuser = finish(bad, bench_dir / "abuser.json", args.duration + 300)
        normal = finish(good, bench_dir / "normal.json", args.duration + 300)
        load_after = os.getloadavg()[0]
    finally:
        stop_server(proc)
    statuses = abuser["statuses"]
    served, refused = statuses.count(200), statuses.count(429)
    elapsed = float(abuser["elapsed"])
    budget = defaults.rate_burst + defaults.rate_limit * elapsed
    bad_latency = [(e - s) * 1000 for s, e in zip(abuser["starts"], abuser["ends"], strict=True)]
    print(f"abusive client  {len(statuses)} requests in {elapsed:.1f} s: {served} answered (200), {refused} "
          f"refused (429), other {len(statuses) - served - refused}; budget {budget:.0f} "
          f"(rate_burst + rate_limit x seconds): served/budget = {served / budget:.2f}")
    if bad_latency:
        print(f"                latency ms {summary(bad_latency)} (refusals are sent 1 s late)")
    for reason, count in sorted(abuser["reasons"].items(), key=lambda item: -item[1]):
        print(f"                {count:6d} x {reason}...")
    passed = len(statuses) - sum(n for reason, n in abuser["reasons"].items() if reason.startswith(BUCKET_REFUSAL))
    print(f"                passed the rate limit: {passed} of budget {budget:.0f} = {passed / budget:.2f}")
    latency = [(e - s) * 1000 for s, e in zip(normal["starts"], normal["ends"], strict=True)]
    p95 = percentile(latency, 95)
    before = [(e - s) * 1000 for s, e in zip(baseline["starts"], baseline["ends"], strict=True)]
    print(f"normal user     alone first ({args.duration / 2:g} s): {len(before)} requests, errors "
          f"{baseline['errors']}; latency ms {summary(before)}")
    print(f"                next to the abusive client: {len(latency)} requests, errors {normal['errors']}; "
          f"latency ms {summary(latency)}; p95 ratio to alone {p95 / percentile(before, 95):.2f}")
    print(f"machine load    {load_before:.1f} -> {load_after:.1f} (1-min load average; {os.cpu_count()} CPUs)")
    ok = passed <= budget and normal["errors"] == 0 and p95 < TARGET_NORMAL_P95_MS
    print(f"target          abusive client within its budget, normal user p95 < {TARGET_NORMAL_P95_MS:g} ms and 0 "
          f"errors: p95/target = {p95 / TARGET_NORMAL_P95_MS:.2f} -> {'MET' if ok else 'NOT MET'}")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scales", default="full,published",
                        help=f"comma-separated artifacts to test, from {', '.join(SCALES)} (default full,published)")
    parser.add_argument("--artifact", type=Path, default=None,
                        help="artifact dir (one scale only; default .cache/bench/<scale dir>)")
    parser.add_argument("--store-path", type=Path, default=None,
                        help="embedded store of this benchmark (one scale only; default .cache/bench/server-store-<scale>)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load per scale (default 60)")
    parser.add_argument("--max-requests", type=int, default=1_000_000, help="upper bound on requests")
    parser.add_argument("--documents", choices=DOCUMENTS, default="web",
                        help="web: the web app's two class-view documents, keyed by wnid (default); inline: one "
                             "document the web app never sends (images inline, keyed by index), not pre-rendered")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--response-cache", type=int, default=None,
                        help="server setting response_cache (0 = measure without the response cache)")
    parser.add_argument("--client", choices=("process", "wrk"), default="process",
                        help="load generator: bench/load_client.py in its own process (default) or wrk")
    warm = parser.add_mutually_exclusive_group()
    warm.add_argument("--no-wait", action="store_true",
                      help="start the load when /healthz answers, before the server is ready (warm-up running)")
    warm.add_argument("--no-warm-up", action="store_true", help="run the server without its warm-up")
    parser.add_argument("--abuse", action="store_true",
                        help="an abusive client with heavy queries next to a normal user (default limits)")
    parser.add_argument("--abusers", type=int, default=200, help="--abuse: connections of the abusive client")
    args = parser.parse_args()
    scales = [x.strip() for x in args.scales.split(",") if x.strip()]
    unknown = [x for x in scales if x not in SCALES]
    if not scales or unknown:
        parser.error(f"--scales: {', '.join(unknown) or 'none given'}; choose from {', '.join(SCALES)}")
    if (args.artifact or args.store_path) and len(scales) != 1:
        parser.error("--artifact and --store-path need exactly one scale")
    wrk = shutil.which("wrk")
    if args.client == "wrk" and wrk is None:
        parser.error("--client wrk: wrk is not installed (apt-get install -y wrk)")
    if args.clients < 1 or args.duration <= 0 or args.max_requests < 1 or args.abusers < 1:
        parser.error("--clients, --abusers, --duration and --max-requests must be positive")
    figures = []
    for scale in scales:
        print(f"\n=== {scale} ===", flush=True)
        figures.append(run_scale(args, scale, wrk))
    if args.abuse:
        if len(figures) > 1:
            print("\nside by side: " + ", ".join(f"{f['scale']} {'MET' if f['ok'] else 'NOT MET'}" for f in figures))
        return 0 if all(f["ok"] for f in figures) else 1
    if len(figures) > 1:
        ready = "answer s" if args.no_wait or args.no_warm_up else "ready s"  # process start to serving
        print("\nside by side (same machine, same run):")
        print(f"  {'artifact':<12} {'nodes/class':>11} {'edges/class':>11} {ready:>8} {'requests/s':>10} "
              f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'1st p95 ms':>10} {'CPU ms/req':>10} {'errors':>6}")
        for f in figures:
            print(f"  {f['scale']:<12} {f['nodes']:>11.1f} {f['edges']:>11.1f} {f['ready_s']:>8.1f} {f['rate']:>10.1f} "
                  f"{f['p50']:>7.1f} {f['p95']:>7.1f} {f['p99']:>7.1f} {f['first_p95']:>10.1f} {f['cpu_ms']:>10.2f} "
                  f"{f['errors']:>6d}")
    return 0 if all(f["errors"] == 0 for f in figures) else 1


def run_scale(args: argparse.Namespace, scale: str, wrk: str | None) -> dict[str, Any]:
    """Test one artifact (the load test, or ``--abuse``); print its report and return its headline figures."""
    bench_dir = REPO / ".cache" / "bench"
    bench_dir.mkdir(parents=True, exist_ok=True)
    artifact = args.artifact or bench_dir / SCALES[scale]["dir"]
    store_path = args.store_path or bench_dir / f"server-store-{scale}"
    if args.artifact is None:
        ensure_artifact(artifact, scale)
    ensure_store(artifact, store_path)
    nodes, edges = graph_sizes(artifact)
    print(f"class graphs: {nodes:.1f} nodes and {edges:.1f} edges per class on average")

    from summit.artifact import read_manifest

    classes = int(read_manifest(artifact)["dataset"]["classes"])
    requests = class_requests(bench_dir, args.documents, artifact)
    if args.abuse:
        return {"scale": scale, "ok": abuse(args, artifact, store_path, classes, bench_dir, requests) == 0}
    port = free_port()
    cache = "default" if args.response_cache is None else args.response_cache
    env = {"SUMMIT_RATE_LIMIT": "0"}  # every client of this run comes from 127.0.0.1: one budget for all 50
    extra = ["--no-warm-up"] if args.no_warm_up else [] if args.no_wait else ["--wait-warm-up"]
    if args.response_cache is not None:
        extra += ["--response-cache", str(args.response_cache)]
    print(f"starting summit serve {' '.join(extra)} on {HOST}:{port} (embedded store {store_path}, response_cache "
          f"{cache}, rate limit off) ...", flush=True)
    started = time.perf_counter()
    proc = start_server(store_path, artifact, port, env, extra)
    base = f"http://{HOST}:{port}"
    try:
        ready_s = time.perf_counter() - started
        print(f"{'ready' if extra == ['--wait-warm-up'] else 'answering'} after {ready_s:.1f} s "
              "(process start to the first /healthz answer)", flush=True)
        print(f"warm-up at load start: {warm_up_line(health(base))}")
        print(f"load: client {args.client}, {args.clients} clients, {args.duration:g} s, random classes of {classes}, "
              f"documents {args.documents} ({', '.join(requests.names)})", flush=True)
        load_before, cpu_before = os.getloadavg()[0], cpu_seconds(proc.pid)
        if args.client == "wrk":
            assert wrk is not None
            stats, samples = wrk_test(base, requests, classes, args.clients, args.duration, wrk)
        else:
            record = process_test(base, requests, classes, args.clients, args.duration, args.max_requests,
                                  args.seed, bench_dir)
        server_cpu = cpu_seconds(proc.pid) - cpu_before
        load_after = os.getloadavg()[0]
        state_after = health(base)
        warm_after = warm_up_line(state_after)
    finally:
        stop_server(proc)
    first: list[float] = []
    if args.client == "wrk":
        count, elapsed = stats["requests"], stats["duration_us"] / 1e6
        p50, p95, p99, mean, slowest = (stats[k] / 1000 for k in ("p50_us", "p95_us", "p99_us", "mean_us", "max_us"))
        kinds = ("non2xx", "connect", "read", "write", "timeout", "graphql")
        errors = sum(stats[k] for k in kinds)
        detail = ", ".join(f"{k} {stats[k]}" for k in kinds)
    else:
        count, elapsed, latencies, first, errors, samples = report_process(record, requests, classes)
        if count:
            p50, p95, p99 = (percentile(latencies, q) for q in (50, 95, 99))
            mean, slowest = statistics.fmean(latencies), max(latencies)
        detail = "non-200, GraphQL errors and transport errors"
    if count == 0:
        raise SystemExit("no requests completed")
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
    cache_state = (state_after or {}).get("responseCache")
    if cache_state:
        print(f"response cache {cache_state['hits']} hits, {cache_state['misses']} misses; {cache_state['entries']} "
              f"answers kept, {cache_state['prerendered']} keys of pre-rendered answers")
    print(f"machine load  {load_before:.1f} -> {load_after:.1f} (1-min load average; {os.cpu_count()} CPUs)")
    print(f"errors        {errors} ({detail})")
    for sample in samples:
        print(f"  e.g. {sample}")
    first_p95 = percentile(first, 95) if first else float("nan")
    ok = errors == 0 and p95 <= TARGET_P95_MS and consistent and (not first or first_p95 <= TARGET_FIRST_P95_MS)
    print(f"target        first request of a class p95 <= {TARGET_FIRST_P95_MS:g} ms, all p95 <= {TARGET_P95_MS:g} ms, "
          f"0 errors: first/target = {first_p95 / TARGET_FIRST_P95_MS:.2f}, all/target = {p95 / TARGET_P95_MS:.2f} "
          f"-> {'MET' if ok else 'NOT MET'}{'' if consistent else ' (latencies failed the cross-check)'}")
    return {"scale": scale, "nodes": nodes, "edges": edges, "ready_s": ready_s, "rate": count / elapsed,
            "p50": p50, "p95": p95, "p99": p99, "first_p95": first_p95, "cpu_ms": server_cpu * 1000 / count,
            "errors": errors}


if __name__ == "__main__":
    sys.exit(main())
