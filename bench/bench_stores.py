"""Benchmark: load time and query latency of both graph stores at InceptionV1 x ImageNet scale.

    .venv/bin/python bench/bench_stores.py [--artifact DIR] [--stores embedded,neo4j] [--calls 200]
        [--neo4j bolt://127.0.0.1:7687 --user neo4j --password-env TEST_NEO4J_PASSWORD] [--no-load]

1. Uses the full-scale synthetic artifact (9 layers / 5,484 neurons, 1,000
   classes, >= 20 M influence rows; written with ``summit synth`` when
   missing).
2. Loads it into each store and prints rows/s.
3. Runs each query 200 times with the same seeded random arguments on every
   store; prints p50/p95 in ms, the ratio p95/target, and whether the stores
   gave identical answers for every call.

Targets (p95, this 2-core machine): class graph <= 50 ms, neighbourhood and
similar classes <= 50 ms, K=5 paths <= 200 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TARGETS_MS = {"class_graph": 50.0, "neighbourhood_1": 50.0, "neighbourhood_2": 50.0, "similar": 50.0,
              "paths_k5_sum": 200.0, "paths_k5_bottleneck": 200.0, "paths_k5_to_neuron": 200.0}


def ensure_artifact(path: Path, rows: int) -> None:
    if (path / "manifest.json").exists():
        print(f"reusing artifact {path}")
        return
    print(f"writing synthetic artifact to {path} ...", flush=True)
    subprocess.run([sys.executable, "-m", "summit.cli", "synth", str(path), "--classes", "1000",
                    "--channels", "inception", "--influence-rows", str(rows), "--images-per-class", "1300"],
                   check=True, cwd=REPO)


def open_stores(args: argparse.Namespace, names: list[str]) -> dict[str, Any]:
    stores: dict[str, Any] = {}
    for name in names:
        if name == "embedded":
            from summit.store.embedded import EmbeddedStore

            stores[name] = EmbeddedStore(args.embedded_path)
        elif name == "neo4j":
            from summit.store.neo4j_store import Neo4jStore, read_password

            stores[name] = Neo4jStore(args.neo4j, args.user, read_password(args.password_env))
        else:
            raise SystemExit(f"unknown store {name!r}")
    return stores


def make_calls(store: Any, model: str, n: int, seed: int) -> list[tuple[str, Callable[[Any], Any]]]:
    """Seeded random calls per query kind (arguments drawn from the model itself)."""
    rng = random.Random(seed)
    classes = [c.index for c in store.classes(model)]
    info = store.model(model)
    last = info.layers[-1].index
    graphs = {}
    calls: list[tuple[str, Callable[[Any], Any]]] = []
    names = [c.name for c in store.classes(model)]
    for _ in range(n):
        ci = rng.choice(classes)
        if ci not in graphs:
            graphs[ci] = store.class_graph(model, ci)
        nodes = [x.neuron for x in graphs[ci].nodes] or store.neurons(model, ["mixed3a:0"])
        low = [x for x in nodes if x.layer_index < last] or nodes
        src = rng.choice(low)
        high = [x for x in nodes if x.layer_index > src.layer_index]
        dst = rng.choice(high).id if high else None
        nid = rng.choice(nodes).id
        other = rng.choice(classes)
        prefix = rng.choice(names)[: rng.randint(2, 6)]
        layer = rng.choice(info.layers).name
        calls += [
            ("class_graph", lambda s, ci=ci: s.class_graph(model, ci)),
            ("class_graph_top5", lambda s, ci=ci: s.class_graph(model, ci, top_n=5, min_weight=2)),
            ("neighbourhood_1", lambda s, ci=ci, nid=nid: s.neighbourhood(model, ci, nid, hops=1)),
            ("neighbourhood_2", lambda s, ci=ci, nid=nid: s.neighbourhood(model, ci, nid, hops=2)),
            ("paths_k5_sum", lambda s, ci=ci, src=src: s.paths(model, ci, src.id, None, k=5, mode="sum")),
            ("paths_k5_bottleneck",
             lambda s, ci=ci, src=src: s.paths(model, ci, src.id, None, k=5, mode="bottleneck")),
            ("paths_k5_to_neuron",
             lambda s, ci=ci, src=src, dst=dst: s.paths(model, ci, src.id, dst, k=5, mode="sum") if dst else []),
            ("neuron_detail", lambda s, nid=nid: s.neuron_detail(model, nid)),
            ("influence_class", lambda s, ci=ci, nid=nid: s.influence_edges(
                model, nid, class_index=ci, direction="both", limit=50)),
            ("influence_all", lambda s, nid=nid: s.influence_edges(
                model, nid, class_index=None, direction="both", limit=50)),
            ("compare", lambda s, ci=ci, other=other: s.compare(model, ci, other)),
            ("similar", lambda s, ci=ci: s.similar_classes(model, ci, layer=None, limit=20)),
            ("search", lambda s, prefix=prefix: s.search(model, prefix, limit=20)),
            ("embedding", lambda s, layer=layer: s.embedding(model, layer)),
        ]
    return calls


def first_classes(data: Any, n: int) -> Any:
    """The load restricted to classes 0..n-1 (a smaller total, the same per-class query sizes)."""
    import dataclasses

    import polars as pl

    keep = {
        "classes": pl.col("index") < n, "activations": pl.col("class_index") < n,
        "influences": pl.col("class") < n, "class_nodes": pl.col("class_index") < n,
        "class_edges": pl.col("class") < n,
        "similarity": (pl.col("class_index") < n) & (pl.col("other_index") < n),
        "points": pl.col("class_index") < n, "class_influence": pl.col("class") < n,
    }
    changes = {name: getattr(data, name).filter(expr) for name, expr in keep.items()}
    model = dict(data.model, classes=n)
    return dataclasses.replace(data, model=model, **changes)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifact", type=Path, default=REPO / ".cache" / "bench" / "synth-inception-1000")
    parser.add_argument("--rows", type=int, default=20_000_000, help="influence rows when writing the artifact")
    parser.add_argument("--stores", default="embedded,neo4j")
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--embedded-path", default=str(Path(tempfile.gettempdir()) / "summit-bench-store"))
    parser.add_argument("--neo4j", default=os.environ.get("TEST_NEO4J_URI", "bolt://127.0.0.1:7687"))
    parser.add_argument("--user", default=os.environ.get("TEST_NEO4J_USER", "neo4j"))
    parser.add_argument("--password-env", default="TEST_NEO4J_PASSWORD")
    parser.add_argument("--batch", type=int, default=20000)
    parser.add_argument("--no-load", action="store_true", help="query what is already loaded")
    parser.add_argument("--classes", type=int, default=0,
                        help="load only the first N classes (all neurons; per-class sizes unchanged)")
    args = parser.parse_args()

    from summit.artifact import model_id, read_manifest
    from summit.store.prepare import read_load_data

    ensure_artifact(args.artifact, args.rows)
    model = model_id(read_manifest(args.artifact))
    stores = open_stores(args, [s.strip() for s in args.stores.split(",") if s.strip()])
    if not args.no_load:
        started = time.perf_counter()
        data = read_load_data(args.artifact)
        if args.classes:
            data = first_classes(data, args.classes)
        prep = time.perf_counter() - started
        rows = data.rows()
        print(f"artifact {args.artifact}: {rows:,} rows to write "
              f"({data.influences.height:,} influence rows); read+prepare {prep:.1f} s")
        for name, store in stores.items():
            started = time.perf_counter()
            store.write_load(data, batch_rows=args.batch, progress=lambda m: print(f"    {m}", flush=True))
            seconds = time.perf_counter() - started
            print(f"load {name}: {seconds:.1f} s, {rows / seconds:,.0f} rows/s "
                  f"(+{prep:.1f} s shared read/prepare)", flush=True)
        del data

    reference = next(iter(stores.values()))
    calls = make_calls(reference, model, args.calls, args.seed)
    timings: dict[str, dict[str, list[float]]] = {name: {} for name in stores}
    answers: dict[str, list[Any]] = {name: [] for name in stores}
    for name, store in stores.items():
        for _kind, call in calls[:28]:  # warm-up (caches, page cache, query plans)
            call(store)
        for kind, call in calls:
            t0 = time.perf_counter()
            result = call(store)
            timings[name].setdefault(kind, []).append((time.perf_counter() - t0) * 1000)
            answers[name].append(result)

    names = list(stores)
    same = all(answers[n] == answers[names[0]] for n in names[1:]) if len(names) > 1 else None
    print(f"\n{args.calls} random calls per query (seed {args.seed}); ms")
    header = f"{'query':22}" + "".join(f"{n + ' p50':>14}{n + ' p95':>14}" for n in names) + f"{'target p95':>12}"
    print(header)
    for kind in timings[names[0]]:
        line = f"{kind:22}"
        for n in names:
            vals = timings[n][kind]
            line += f"{statistics.median(vals):14.1f}{percentile(vals, 0.95):14.1f}"
        target = TARGETS_MS.get(kind)
        if target:
            ratios = " ".join(f"{n}={percentile(timings[n][kind], 0.95) / target:.2f}x" for n in names)
            line += f"{target:12.0f}  p95/target: {ratios}"
        print(line)
    if same is not None:
        print(f"\nidentical answers from {' and '.join(names)} on all {len(calls)} calls: {same}")
    for store in stores.values():
        store.close()
    return 0 if same in (None, True) else 1


if __name__ == "__main__":
    sys.exit(main())
