"""Benchmark: one image's attribution graph on the CPU (the target: under 1 s), against a bare forward pass.

    .venv/bin/python bench/bench_image_graph.py --artifact ARTIFACT [--reps 5] [--threads 1] [--device cpu]
    .venv/bin/python bench/bench_image_graph.py --images 4     # builds a small Lite0 artifact first

Times ``ArtifactImageGraphs.graph`` (what ``Model.imageGraph`` runs: decode,
preprocess, the ingest's hooks and counts for one image, the per-class merges,
PageRank and the cut, the preview JPEG) on every distinct example image of the
artifact, round-robin for ``--reps`` rounds, and a bare ``model(x)`` forward
pass of the same preprocessed images in the same rounds, so machine load hits
both alike. Prints medians of wall time and of process CPU time (with
``--threads 1``, the CPU time is what the wall time would be on an idle core),
their ratio, and the load average. Model preparation (load + trace) is timed once.
Then the whole API answer: ``POST /graphql`` ``imageGraph`` (with the class graph
it is marked against) through the real app on an embedded store loaded with the
artifact (response cache off), in the same rounds, for both personalisations.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import torch


def _small_artifact(images: int, out: Path) -> Path:
    from summit.ingest.ingest_run import IngestRequest, ingest_folder

    from summit.graphs import build_graphs
    from summit.settings import resolve

    data = Path(__file__).resolve().parents[2] / "shared" / "data" / "imagenet-samples-1000"
    settings = resolve({"device": "cpu", "workers": 0, "batch_size": 1}, environ={})
    ingest_folder(IngestRequest("efficientnet_lite0", data, out, limit=images, progress=False), settings)
    build_graphs(out, settings, embedding=False)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--artifact", type=Path, help="a Lite0 artifact (default: build one with --images)")
    parser.add_argument("--images", type=int, default=4, help="images of the artifact built without --artifact")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--max-images", type=int, default=8, help="distinct example images timed (sorted by path)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1: CPU time = idle wall)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--image-root", help="folder of the dataset images (default: the manifest's)")
    args = parser.parse_args()

    from summit.ingest.image_graph import ArtifactImageGraphs

    from summit.artifact import read_manifest, read_table
    from summit.image_graph import ImageInput
    from summit.settings import resolve
    from summit.store.base import ModelInfo

    torch.set_num_threads(args.threads)
    artifact = args.artifact or _small_artifact(args.images, Path(tempfile.mkdtemp()) / "lite0")
    manifest = read_manifest(artifact)
    info = ModelInfo(manifest["run_id"], manifest["model"]["name"], 0, 0, 0, (), artifact_path=str(artifact))
    provider = ArtifactImageGraphs(resolve({"device": args.device, "image_root": args.image_root}, environ={}))
    started = time.perf_counter()
    provider.prepare(info)
    prepare_s = time.perf_counter() - started
    images = sorted(read_table(artifact, "examples")["image"].unique().to_list())[: args.max_images]
    model = provider._get(info).plan.model  # the prepared network, for the bare forward pass
    inputs = {img: provider.counts(info, ImageInput(img)).tensor[None] for img in images}  # warm-up too
    print(f"artifact {artifact} ({manifest['model']['name']}), {len(images)} images, device {args.device}, "
          f"torch threads {torch.get_num_threads()}, load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cpu(s); prepare (load + trace) {prepare_s:.1f} s")
    wall: list[float] = []
    cpu: list[float] = []
    bare_wall: list[float] = []
    bare_cpu: list[float] = []
    nodes: list[int] = []
    for _ in range(args.reps):
        for img in images:
            w, c = time.perf_counter(), time.process_time()
            graph = provider.graph(info, ImageInput(img), class_index=None, personalization="image")
            wall.append(time.perf_counter() - w)
            cpu.append(time.process_time() - c)
            nodes.append(len(graph.nodes))
            w, c = time.perf_counter(), time.process_time()
            with torch.no_grad():
                model(inputs[img])
            bare_wall.append(time.perf_counter() - w)
            bare_cpu.append(time.process_time() - c)
    http = _http_timings(artifact, provider, images, args.reps)
    med = statistics.median
    print(f"image graph: wall median {med(wall) * 1000:.0f} ms (max {max(wall) * 1000:.0f}), CPU median "
          f"{med(cpu) * 1000:.0f} ms; {med(nodes):.0f} nodes")
    print(f"bare forward: wall median {med(bare_wall) * 1000:.0f} ms, CPU median {med(bare_cpu) * 1000:.0f} ms")
    print(f"ratio image graph / bare forward: wall {med(wall) / med(bare_wall):.1f}x, "
          f"CPU {med(cpu) / med(bare_cpu):.1f}x; target < 1 s: "
          f"{'met' if med(cpu) < 1.0 else 'NOT met'} (CPU median)")
    for personalization, times in http.items():
        print(f"POST /graphql imageGraph ({personalization}), embedded store: wall median {med(times) * 1000:.0f} ms "
              f"(max {max(times) * 1000:.0f})")


def _http_timings(artifact: Path, provider: object, images: list[str], reps: int) -> dict[str, list[float]]:
    """Wall time of the whole GraphQL answer, per personalisation (the store and the app are real)."""
    from starlette.testclient import TestClient
    from summit.server.app import create_app

    from summit.settings import resolve
    from summit.store.embedded import EmbeddedStore

    query = ("query($image: String!, $p: ImagePersonalization) { model { imageGraph(image: $image, personalization: $p) "
             "{ sharedNodes preview nodes { inClassGraph pagerank neuron { id image } } edges { src dst } } } }")
    folder = Path(tempfile.mkdtemp())
    store = EmbeddedStore(folder / "store")
    try:
        store.load_artifact(str(artifact))
        app = create_app(resolve({"response_cache": 0, "image_graphs": True}, environ={}), store,
                         web_dir=folder / "no-web", image_graphs=provider)  # type: ignore[arg-type]
        times: dict[str, list[float]] = {"IMAGE": [], "CLASS": []}
        with TestClient(app) as client:
            for p in times:  # warm-up: the class graphs' memo, the model list
                client.post("/graphql", json={"query": query, "variables": {"image": images[0], "p": p}})
            for _ in range(reps):
                for image in images:
                    for p, out in times.items():
                        started = time.perf_counter()
                        body = client.post("/graphql", json={"query": query, "variables": {"image": image, "p": p}}).json()
                        out.append(time.perf_counter() - started)
                        if body.get("errors"):
                            raise SystemExit(f"imageGraph failed: {body['errors']}")
        return times
    finally:
        store.close()


if __name__ == "__main__":
    main()
