"""Micro-benchmark: ways to compute the pair-map maxima of a k x k conv (the influence rule's hot spot).

    python bench/bench_pair_maps.py [--device cuda] [--batch 64] [--reps 10]   (cpu: batch 4, 2 reps)
        [--blocks "1,64,128;1,32,128;2,32,64"]

out[b, j, i] = max over output positions of (X[b, i] conv K[j, i]) for GoogLeNet-like
shapes. Variants: ``grouped`` (the previous implementation: one grouped conv per chunk of
outputs, groups = inputs), ``grouped_cl`` (the same in channels_last memory format,
which lets cuDNN take grouped convs), ``unfold_bmm`` (im2col of the whole batch, one
batched matmul per chunk of inputs i), ``ingest`` (ingest.influence._pair_map_maxima
as it is now: unfold_bmm with bounded im2col chunks) and, where CUDA and triton are
present, ``triton`` (ingest.pair_kernels.pair_maxima: the fused kernel, no pair maps in
memory) once per ``--blocks`` configuration (pairs, outputs, positions per program).
Each is checked against ``grouped`` (relative difference) and, for triton, against
``ingest`` (bit-equal or not). Peak device memory per variant is printed on a GPU.
Measured 2026-11-26 (all five shapes): H200, batch 64: grouped 45.8 ms, unfold_bmm
16.4 ms (2.80x), ingest 18.6 ms (2.47x); 2 CPU cores, batch 4: grouped 1,062 ms,
unfold_bmm 588 ms (1.81x), ingest 610 ms (1.74x). GoogLeNet's whole influence step on
the H200 at batch 64 went from 90-92 ms to 62-72 ms per batch (bench_ingest.py).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CHUNK = 1 << 24  # elements of the largest intermediate (same bound as ingest.influence.PAIR_MAP_CHUNK)


def grouped(x, kernel, stride, padding, dilation, channels_last=False):
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    b, n_in = x.shape[:2]
    n_out = kernel.shape[0]
    out = torch.empty(b, n_out, n_in, dtype=x.dtype, device=x.device)
    probe = F.conv2d(x[:1, :1], kernel[:1, :1], stride=stride, padding=padding, dilation=dilation)
    per_pair = probe.shape[-1] * probe.shape[-2]
    chunk = max(1, min(n_out, CHUNK // max(1, b * n_in * per_pair)))
    for j0 in range(0, n_out, chunk):
        kc = kernel[j0 : j0 + chunk]
        jc = kc.shape[0]
        w = kc.transpose(0, 1).reshape(n_in * jc, 1, *kc.shape[-2:])
        maps = F.conv2d(x, w, stride=stride, padding=padding, dilation=dilation, groups=n_in)
        out[:, j0 : j0 + jc, :] = maps.flatten(2).amax(-1).view(b, n_in, jc).transpose(1, 2)
    return out


def current(x, kernel, stride, padding, dilation):
    from summit.ingest.influence import _pair_map_maxima

    return _pair_map_maxima(x, kernel, stride, padding, dilation)


def unfold_bmm(x, kernel, stride, padding, dilation):
    b, n_in = x.shape[:2]
    n_out, _, kh, kw = kernel.shape
    cols = F.unfold(x, (kh, kw), dilation=dilation, padding=padding, stride=stride)  # (B, I*k2, L)
    k2 = kh * kw
    length = cols.shape[-1]
    cols = cols.view(b, n_in, k2, length).permute(1, 2, 0, 3).reshape(n_in, k2, b * length)  # (I, k2, B*L)
    weights = kernel.reshape(n_out, n_in, k2).permute(1, 0, 2)  # (I, J, k2)
    out = torch.empty(b, n_out, n_in, dtype=x.dtype, device=x.device)
    chunk = max(1, min(n_in, CHUNK // max(1, n_out * b * length)))
    for i0 in range(0, n_in, chunk):
        maps = torch.bmm(weights[i0:i0 + chunk], cols[i0:i0 + chunk])  # (I', J, B*L)
        maxima = maps.view(-1, n_out, b, length).amax(-1)  # (I', J, B)
        out[:, :, i0:i0 + chunk] = maxima.permute(2, 1, 0)
    return out


SHAPES = [  # (name, n_in, n_out, size, k, padding): GoogLeNet inception 3x3 branches and conv2
    ("conv2 3x3 64->192 @56", 64, 192, 56, 3, 1),
    ("3a b2 3x3 96->128 @28", 96, 128, 28, 3, 1),
    ("3a b3 3x3 16->32 @28", 16, 32, 28, 3, 1),
    ("4b b2 3x3 112->224 @14", 112, 224, 14, 3, 1),
    ("5b b2 3x3 192->384 @7", 192, 384, 7, 3, 1),
]


def triton_variant(blocks):
    from summit.ingest.pair_kernels import pair_maxima

    def run(x, kernel, stride, padding, dilation):
        return pair_maxima(x, kernel, stride, (padding[0], padding[0], padding[1], padding[1]), dilation,
                           blocks=blocks)
    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    gpu = torch.cuda.is_available()
    parser.add_argument("--device", default="cuda" if gpu else "cpu")
    parser.add_argument("--batch", type=int, default=64 if gpu else 4)
    parser.add_argument("--reps", type=int, default=10 if gpu else 2)
    parser.add_argument("--blocks", default="default",
                        help="triton block configurations 'pairs,outputs,positions;...' ('default': the kernel's "
                             "own choice); 'none' leaves triton out")
    args = parser.parse_args()
    device = torch.device(args.device)
    torch.backends.cudnn.benchmark = False
    variants = {"grouped": lambda *a: grouped(*a), "grouped_cl": lambda *a: grouped(*a, channels_last=True),
                "unfold_bmm": unfold_bmm, "ingest": current}
    from summit.ingest.devices import triton_available, triton_interpreting

    if args.blocks != "none" and triton_available() and (device.type == "cuda" or triton_interpreting()):
        for spec in args.blocks.split(";"):
            blocks = None if spec == "default" else tuple(int(v) for v in spec.split(","))
            variants["triton" + ("" if blocks is None else f"{list(blocks)}")] = triton_variant(blocks)
    total = dict.fromkeys(variants, 0.0)
    peak = dict.fromkeys(variants, 0)
    for name, n_in, n_out, size, k, pad in SHAPES:
        gen = torch.Generator().manual_seed(0)
        x = torch.relu(torch.randn(args.batch, n_in, size, size, generator=gen)).to(device)
        kernel = torch.randn(n_out, n_in, k, k, generator=gen).to(device)
        geo = ((1, 1), (pad, pad), (1, 1))
        reference = variants["grouped"](x, kernel, *geo)
        ours = variants["ingest"](x, kernel, *geo)
        line = [f"{name:26s}"]
        for label, fn in variants.items():
            result = fn(x, kernel, *geo)
            diff = ((result - reference).abs().max() / reference.abs().max()).item()
            times = []
            for _ in range(args.reps):
                if device.type == "cuda":
                    torch.cuda.synchronize()
                    torch.cuda.reset_peak_memory_stats(device)
                started = time.perf_counter()
                fn(x, kernel, *geo)
                if device.type == "cuda":
                    torch.cuda.synchronize()
                    peak[label] = max(peak[label], torch.cuda.max_memory_allocated(device))
                times.append(time.perf_counter() - started)
            t = statistics.median(times)
            total[label] += t
            same = f", {'=' if torch.equal(result, ours) else '!='} ingest" if label.startswith("triton") else ""
            line.append(f"{label} {t * 1000:8.2f} ms (rel diff {diff:.1e}{same})")
        print("  ".join(line), flush=True)
    base = total["grouped"]
    print("total: " + ", ".join(f"{k} {v * 1000:.1f} ms ({base / v:.2f}x)" for k, v in total.items()))
    if device.type == "cuda":
        print("peak device memory, MiB: " + ", ".join(f"{k} {v / 2**20:.0f}" for k, v in peak.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
