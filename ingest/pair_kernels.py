"""Fused Triton kernels for the one-hop rule: pair maxima and top-k without the per-pair maps.

The torch path (``ingest.influence.onehop`` + ``top_inputs``) writes, for a k x k
conv, every per-pair map ``W[j, i] * X[i]`` (B x J x I x positions) before taking
its maximum, and then sorts. Here:

* ``pair_maxima``: one program per block of (image b, input i) pairs (a single pair on
  a GPU, many in the interpreter) and block of outputs j walks the output positions in
  blocks; per position the sum over kernel taps is accumulated
  in registers, one fused multiply-add per tap in tap order (dy, then dx, as
  ``F.unfold`` lays them out), and only the running maximum over positions is kept.
  What leaves the chip is (B, J, I): the pair maps never exist in memory.
  Any stride, dilation and zero padding, symmetric or not (timm's TF "same"
  padding is passed as its asymmetric pads).
* ``top_inputs``: the ``k`` largest of each row of (rows, I) values, ties to the
  higher input index (k passes of max, then the largest index holding it: Summit's
  rule, as ``ingest.influence.top_inputs``), and the
  k-th value. For 1x1 kernels the values ``max(K, 0) * max X + min(K, 0) * min X``
  are computed inside the same kernel from the per-channel extrema
  (``top_inputs_1x1``), so the (B, J, I) contributions are never written either.

Float agreement with the torch path: per-position sums are one FMA per tap in tap
order, which is what MKL's fp32 GEMM does for these shapes on the CPU (bit-equal
maxima, tested); the 1x1 value is ``fma(min K, min X, max K * max X)``, exactly what
torch's ``addcmul`` computes. The top-k rule is the torch path's, so equal values
give equal counts, ties included. Where a BLAS sums the taps in another order (MKL
fp64, cuBLAS) maxima may differ in the last bits (see README, "GPU vs CPU").

The kernels run compiled on a CUDA device, or on CPU tensors under Triton's
interpreter (``TRITON_INTERPRET=1`` set before this module is imported): the
tests check them that way on machines without a GPU.
"""

from __future__ import annotations

import torch
import triton
import triton.language as tl
from summit.ingest.devices import triton_interpreting

# True when this module's kernels were built by Triton's interpreter (CPU tensors, numpy): decided
# when the module is imported, as ``triton.jit`` decides it.
INTERPRETED = triton_interpreting()
# Rows longer than this (inputs per output) go to torch.topk instead of the register top-k.
MAX_TOPK_INPUTS = 8192
DTYPES = (torch.float32, torch.float64)


@triton.jit
def _pair_max_kernel(
    x_ptr, w_ptr, out_ptr,
    pairs, n_in, n_out, height, width, out_w, length,
    sxb, sxc, sxh, sxw,
    stride_h, stride_w, pad_top, pad_left, dil_h, dil_w,
    KH: tl.constexpr, KW: tl.constexpr, BLOCK_BI: tl.constexpr, BLOCK_J: tl.constexpr, BLOCK_P: tl.constexpr,
):
    # one program: BLOCK_BI (image, input) pairs bi = b * n_in + i, times BLOCK_J outputs j
    bi = tl.program_id(0) * BLOCK_BI + tl.arange(0, BLOCK_BI)
    bi_ok = bi < pairs
    b = (bi // n_in).to(tl.int64)
    i = bi % n_in
    j = tl.program_id(1) * BLOCK_J + tl.arange(0, BLOCK_J)
    j_ok = j < n_out
    x_base = (b * sxb + i.to(tl.int64) * sxc)[:, None, None]  # (BI, 1, 1)
    w_base = (j * (n_in * KH * KW))[None, :, None] + (i * (KH * KW))[:, None, None]  # (BI, J, 1)
    w_ok = bi_ok[:, None, None] & j_ok[None, :, None]
    best = tl.full([BLOCK_BI, BLOCK_J], float("-inf"), dtype=out_ptr.dtype.element_ty)
    for p0 in range(0, length, BLOCK_P):
        pos = p0 + tl.arange(0, BLOCK_P)
        p_ok = pos < length
        oy = pos // out_w
        ox = pos % out_w
        acc = tl.zeros([BLOCK_BI, BLOCK_J, BLOCK_P], dtype=out_ptr.dtype.element_ty)
        for dy in tl.static_range(KH):
            iy = oy * stride_h + dy * dil_h - pad_top
            y_ok = p_ok & (iy >= 0) & (iy < height)
            for dx in tl.static_range(KW):
                ix = ox * stride_w + dx * dil_w - pad_left
                ok = y_ok & (ix >= 0) & (ix < width)
                xv = tl.load(x_ptr + x_base + (iy * sxh + ix * sxw)[None, None, :],
                             mask=bi_ok[:, None, None] & ok[None, None, :], other=0.0)  # zero padding
                wv = tl.load(w_ptr + w_base + (dy * KW + dx), mask=w_ok, other=0.0)
                shape = [BLOCK_BI, BLOCK_J, BLOCK_P]
                acc = tl.fma(tl.broadcast_to(wv, shape), tl.broadcast_to(xv, shape), acc)  # one rounding per tap
        acc = tl.where(p_ok[None, None, :], acc, float("-inf"))
        best = tl.maximum(best, tl.max(acc, axis=2))
    out = (b * n_out * n_in + i)[:, None] + (j * n_in)[None, :]
    tl.store(out_ptr + out, best, mask=bi_ok[:, None] & j_ok[None, :])


@triton.jit
def _topk_kernel(
    val_ptr, kp_ptr, kn_ptr, mx_ptr, mn_ptr, idx_ptr, kth_ptr,
    rows, n, n_out,
    K: tl.constexpr, BLOCK_R: tl.constexpr, BLOCK_N: tl.constexpr, FROM_SPLIT: tl.constexpr,
):
    r = tl.program_id(0) * BLOCK_R + tl.arange(0, BLOCK_R)
    r_ok = r < rows
    cols = tl.arange(0, BLOCK_N)
    ok = r_ok[:, None] & (cols < n)[None, :]
    r64 = r.to(tl.int64)
    if FROM_SPLIT:  # 1x1 kernel: value = max(K,0) * max X + min(K,0) * min X, as torch's addcmul rounds it
        b = r64 // n_out
        j = r64 % n_out
        kp = tl.load(kp_ptr + j[:, None] * n + cols[None, :], mask=ok, other=0.0)
        kn = tl.load(kn_ptr + j[:, None] * n + cols[None, :], mask=ok, other=0.0)
        mx = tl.load(mx_ptr + b[:, None] * n + cols[None, :], mask=ok, other=0.0)
        mn = tl.load(mn_ptr + b[:, None] * n + cols[None, :], mask=ok, other=0.0)
        v = tl.fma(kn, mn, kp * mx)
    else:
        v = tl.load(val_ptr + r64[:, None] * n + cols[None, :], mask=ok, other=0.0)
    v = tl.where(v != v, float("inf"), v)  # NaN ranks first, as in torch.topk
    v = tl.where(ok, v, float("-inf"))
    top = tl.max(v, axis=1)
    for t in tl.static_range(K):
        top = tl.max(v, axis=1)
        pick = tl.max(tl.where(v == top[:, None], cols[None, :], -1), axis=1)  # ties: higher index (Summit)
        tl.store(idx_ptr + r64 * K + t, pick.to(tl.int64), mask=r_ok)
        v = tl.where(cols[None, :] == pick[:, None], float("-inf"), v)
    tl.store(kth_ptr + r64, top, mask=r_ok)


def _pow2(n: int) -> int:
    return 1 << max(0, int(n) - 1).bit_length()


def supported(x: torch.Tensor) -> bool:
    """Whether the kernels can take ``x``: fp32/fp64, on CUDA (or any device under the interpreter)."""
    return x.dtype in DTYPES and (x.device.type == "cuda" or INTERPRETED)


def pair_maxima(
    x: torch.Tensor,
    kernel: torch.Tensor,
    stride: tuple[int, int],
    pads: tuple[int, int, int, int],
    dilation: tuple[int, int],
    blocks: tuple[int, int, int] | None = None,
    num_warps: int = 4,
) -> torch.Tensor:
    """out[b, j, i] = max over output positions of (x[b, i] conv kernel[j, i]); ``pads`` = (top, bottom, left, right).

    ``blocks``: (image-input pairs, outputs, positions) per program, powers of two (default: a
    choice per device; bench/bench_pair_maps.py compares others).
    """
    b, n_in, height, width = x.shape
    n_out, k_in, kh, kw = kernel.shape
    if k_in != n_in:
        raise ValueError(f"kernel takes {k_in} input channels, the feature map has {n_in}")
    top, bottom, left, right = pads
    out_h = (height + top + bottom - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    out_w = (width + left + right - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    out = torch.empty(b, n_out, n_in, dtype=x.dtype, device=x.device)
    length = out_h * out_w
    if length <= 0:
        raise ValueError(f"a {kh}x{kw} kernel leaves no output position on a {height}x{width} map")
    w = kernel.to(x.dtype).contiguous()
    if blocks is None:
        if INTERPRETED:  # numpy runs one program at a time: few, large programs
            block_j, block_p = min(_pow2(n_out), 256), min(_pow2(length), 1024)
            blocks = (max(1, min(_pow2(b * n_in), (1 << 20) // (block_j * block_p))), block_j, block_p)
        else:
            blocks = (1, min(64, max(16, _pow2(n_out))), min(128, max(16, _pow2(length))))
    block_bi, block_j, block_p = blocks
    grid = (triton.cdiv(b * n_in, block_bi), triton.cdiv(n_out, block_j))
    _pair_max_kernel[grid](
        x, w, out, b * n_in, n_in, n_out, height, width, out_w, length, *x.stride(),
        stride[0], stride[1], top, left, dilation[0], dilation[1],
        KH=kh, KW=kw, BLOCK_BI=block_bi, BLOCK_J=block_j, BLOCK_P=block_p, num_warps=num_warps,
    )
    return out


def _topk_launch(
    rows: int, n: int, k: int, like: torch.Tensor, values: torch.Tensor | None = None,
    split: tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor] | None = None, n_out: int = 1,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Launch the top-k kernel on ``values`` (rows, n), or on the 1x1 ``split`` (kp, kn, mx, mn)."""
    idx = torch.empty(rows, k, dtype=torch.int64, device=like.device)
    kth = torch.empty(rows, dtype=like.dtype, device=like.device)
    if rows == 0:
        return idx, kth
    block_n = max(16, _pow2(n))
    budget = (1 << 18) if INTERPRETED else 4096  # elements of one program's tile
    block_r = max(1, min(_pow2(rows), budget // block_n))
    kp, kn, mx, mn = split if split is not None else (like, like, like, like)
    _topk_kernel[(triton.cdiv(rows, block_r),)](
        like if values is None else values, kp, kn, mx, mn, idx, kth, rows, n, n_out,
        K=k, BLOCK_R=block_r, BLOCK_N=block_n, FROM_SPLIT=split is not None,
        num_warps=8 if block_n * block_r >= 8192 else 4,
    )
    return idx, kth


def top_inputs(values: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Indices (..., k) of the ``k`` largest values along the last dim (ties: higher index) and the k-th value."""
    n = values.shape[-1]
    k = min(k, n)
    lead = values.shape[:-1]
    flat = values.reshape(-1, n).contiguous()
    idx, kth = _topk_launch(flat.shape[0], n, k, flat, values=flat)
    return idx.view(*lead, k), kth.view(lead)


def top_inputs_1x1(
    mx: torch.Tensor, mn: torch.Tensor, kp: torch.Tensor, kn: torch.Tensor, k: int,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``top_inputs`` of ``kp * mx + kn * mn`` (B, J, I) for per-channel extrema (B, I) and split kernel (J, I)."""
    b, n = mx.shape
    n_out = kp.shape[0]
    k = min(k, n)
    mx, mn = mx.contiguous(), mn.contiguous()
    split = (kp.to(mx.dtype).contiguous(), kn.to(mx.dtype).contiguous(), mx, mn)
    idx, kth = _topk_launch(b * n_out, n, k, mx, split=split, n_out=n_out)
    return idx.view(b, n_out, k), kth.view(b, n_out)
