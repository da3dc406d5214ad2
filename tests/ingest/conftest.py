"""Without a GPU, Triton kernels run in Triton's interpreter (numpy, CPU tensors), so CI checks them everywhere.

``triton.jit`` decides compiled or interpreted when a kernel module is imported,
so the variable is set here, before any test imports ``summit.ingest.pair_kernels``.
"""

from __future__ import annotations

import os

import torch

if not torch.cuda.is_available():
    os.environ.setdefault("TRITON_INTERPRET", "1")
