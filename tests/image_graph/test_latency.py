"""The image graph answers in under 1 s on the CPU (EfficientNet-Lite0, real weights).

The machine the tests run on is shared (load averages of 10-15 on 2 cores are
usual), so wall time says more about the neighbours than about the code. The
target is checked on process CPU time with one torch thread (what the wall time
is on an idle core); wall time only has to stay within a margin (5 s) that a
shared machine keeps. bench/bench_image_graph.py prints both, with the ratio
to a bare forward pass.
"""

from __future__ import annotations

import statistics
import time

import pytest
import torch

from summit.image_graph import ImageInput
from tests.image_graph.conftest import IMAGES, model_info

pytestmark = [pytest.mark.slow, pytest.mark.realmodel]
TARGET_S = 1.0
WALL_MARGIN_S = 5.0


def test_one_image_graph_under_a_second_of_cpu(lite0_artifact, provider):
    info = model_info(lite0_artifact)
    provider.prepare(info)
    images = [f"{wnid}/{name}" for wnid, files in IMAGES.items() for _, name in files]
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        provider.graph(info, ImageInput(images[0]), class_index=None, personalization="image")  # warm-up
        wall, cpu = [], []
        for _ in range(3):
            for image in images:
                w, c = time.perf_counter(), time.process_time()
                graph = provider.graph(info, ImageInput(image), class_index=None, personalization="image")
                wall.append(time.perf_counter() - w)
                cpu.append(time.process_time() - c)
                assert graph.nodes
    finally:
        torch.set_num_threads(threads)
    print(f"image graph: CPU median {statistics.median(cpu):.3f} s, wall median {statistics.median(wall):.3f} s")
    assert statistics.median(cpu) < TARGET_S
    assert statistics.median(wall) < WALL_MARGIN_S
