"""The fused Triton kernels of the one-hop rule give the torch path's numbers and counts.

Without a GPU they run in Triton's interpreter (tests/ingest/conftest.py sets
TRITON_INTERPRET=1), with one: compiled, on the GPU. Compared here:

* pair maxima, bit for bit, with a torch reference that sums the taps in the same
  order with one fused multiply-add each (the kernel's defined order), and with the
  torch path (im2col + BLAS) to within the rounding of a k*k-term sum;
* the top-k (ties to the higher input index, Summit's rule) with the torch path's ``top_inputs``,
  on values full of exact ties;
* whole ingests (every accumulator) of the hand-set models, a GoogLeNet with seeded
  weights and EfficientNet-Lite0 with its real weights, on real images.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from summit.ingest import pair_kernels
from summit.ingest.devices import resolve_influence_kernel
from summit.ingest.influence import (
    Geometry,
    conv_geometry,
    onehop,
    onehop_top,
    same_pads,
    split_1x1,
    top_inputs,
)
from summit.ingest.pipeline import RunState, build_ingestor, stream
from torch import nn

from summit.errors import BadInput
from summit.settings import resolve
from tests.ingest.models_zoo import ZOO, build, random_images
from tests.ingest.tiny import TensorImages, flat, loaded, randomize_bn

DEVICE = torch.device("cuda" if torch.cuda.is_available() else "cpu")
DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"  # real ImageNet images, in the repository


def fma_reference(x: torch.Tensor, kernel: torch.Tensor, stride: tuple[int, int], pads: tuple[int, int, int, int],
                  dilation: tuple[int, int]) -> torch.Tensor:
    """(B, J, I) pair maxima with the taps summed in order, one FMA each (torch.addcmul rounds once)."""
    top, bottom, left, right = pads
    xp = F.pad(x, (left, right, top, bottom))
    kh, kw = kernel.shape[-2:]
    cols = F.unfold(xp, (kh, kw), dilation=dilation, stride=stride)  # (B, I*k2, L)
    b, n_in = x.shape[:2]
    cols = cols.view(b, 1, n_in, kh * kw, -1)
    w = kernel.reshape(kernel.shape[0], n_in, kh * kw)[None, :, :, :, None]  # (1, J, I, k2, 1)
    acc = torch.zeros(b, kernel.shape[0], n_in, cols.shape[-1], dtype=x.dtype, device=x.device)
    for t in range(kh * kw):
        acc = torch.addcmul(acc, w[:, :, :, t], cols[:, :, :, t])
    return acc.amax(-1)


def as_sets(idx: torch.Tensor) -> torch.Tensor:
    return idx.sort(dim=-1).values


GEOMETRIES = [  # kernel, stride, (top, bottom, left, right), dilation
    (3, 1, (1, 1, 1, 1), 1),  # GoogLeNet's, ResNet's 3x3
    (3, 2, (1, 1, 1, 1), 1),  # ResNet's stride-2 3x3
    (5, 1, (2, 2, 2, 2), 1),
    (5, 2, (1, 2, 1, 2), 1),  # TF 'same', stride 2: asymmetric
    (3, 1, (2, 2, 2, 2), 2),  # dilated
    (3, 2, (0, 1, 0, 1), 1),  # TF 'same' 3x3 stride 2 on an even map
]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize(("k", "stride", "pads", "dilation"), GEOMETRIES)
def test_pair_maxima_are_the_fma_reference_bit_for_bit(dtype, k, stride, pads, dilation):
    gen = torch.Generator().manual_seed(k * 10 + stride)
    x = torch.relu(torch.randn(3, 5, 10, 9, generator=gen, dtype=dtype)).to(DEVICE)
    kernel = torch.randn(6, 5, k, k, generator=gen, dtype=dtype).to(DEVICE)
    got = pair_kernels.pair_maxima(x, kernel, (stride, stride), pads, (dilation, dilation))
    assert torch.equal(got, fma_reference(x, kernel, (stride, stride), pads, (dilation, dilation)))
    # several programs along every axis, and partial blocks (3 * 5 pairs, 6 outputs, positions)
    tiled = pair_kernels.pair_maxima(x, kernel, (stride, stride), pads, (dilation, dilation), blocks=(8, 4, 32))
    assert torch.equal(tiled, got)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize(("k", "stride", "padding", "dilation"), [(3, 1, 1, 1), (3, 2, 1, 1), (5, 1, 2, 2)])
def test_pair_maxima_agree_with_the_torch_path(dtype, k, stride, padding, dilation):
    torch.manual_seed(k + stride)
    conv = nn.Conv2d(7, 9, k, stride=stride, padding=padding, dilation=dilation, bias=False).to(dtype)
    x = torch.relu(torch.randn(4, 7, 11, 11, dtype=dtype)).to(DEVICE)
    w = conv.weight.detach().to(DEVICE)
    pads = (padding,) * 4
    got = pair_kernels.pair_maxima(x, w, (stride, stride), pads, (dilation, dilation))
    expected = onehop(x, w, conv_geometry(conv))
    # the BLAS may sum the k*k taps in another order: a few units in the last place at most
    eps = torch.finfo(dtype).eps
    assert ((got - expected).abs() <= 4 * k * k * eps * expected.abs().clamp_min(1.0)).all()
    idx_t, kth_t = onehop_top(x, w, conv_geometry(conv), 3, engine="triton")
    idx_r, kth_r = onehop_top(x, w, conv_geometry(conv), 3, engine="torch")
    assert torch.equal(as_sets(idx_t), as_sets(idx_r))
    torch.testing.assert_close(kth_t, kth_r, rtol=4 * k * k * eps, atol=0)


def test_conv2d_same_goes_through_its_asymmetric_pads():
    from timm.layers import create_conv2d

    torch.manual_seed(3)
    conv = create_conv2d(4, 5, 3, stride=2, padding="same").double()
    assert type(conv).__name__ == "Conv2dSame"
    g = conv_geometry(conv)
    x = torch.randn(2, 4, 8, 8, dtype=torch.float64)
    assert same_pads((8, 8), (3, 3), g) == (0, 1, 0, 1)  # TF pads the far side only
    maxima = pair_kernels.pair_maxima(x.to(DEVICE), conv.weight.detach().to(DEVICE), g.stride,
                                      same_pads((8, 8), (3, 3), g), g.dilation).cpu()
    for j, i in itertools.product(range(5), range(4)):  # the real module on one channel and one kernel slice
        single = create_conv2d(1, 1, 3, stride=2, padding="same").double()
        single.weight.data.copy_(conv.weight[j : j + 1, i : i + 1])
        expected = single(x[:, i : i + 1]).detach().flatten(1).amax(1)
        assert torch.allclose(maxima[:, j, i], expected, rtol=1e-13, atol=0)
    idx_t, _ = onehop_top(x.to(DEVICE), conv.weight.detach().to(DEVICE), g, 2, engine="triton")
    idx_r, _ = onehop_top(x, conv.weight.detach(), g, 2, engine="torch")
    assert torch.equal(as_sets(idx_t).cpu(), as_sets(idx_r))


def test_top_k_ties_go_to_the_higher_index_as_in_the_torch_path():
    values = torch.tensor([
        [0.0, 1.0, 1.0, 1.0, 0.5],  # a tie across the k-th place
        [2.0, 0.0, 0.0, 0.0, 0.0],
        [0.0, -0.0, 0.0, -0.0, 0.0],  # signed zeros are equal
        [3.0, 3.0, 3.0, 3.0, 3.0],
        [-1.0, -2.0, -1.0, -3.0, -1.0],
    ])
    for k in range(1, 6):
        idx, kth = pair_kernels.top_inputs(values.to(DEVICE), k)
        ref_idx, ref_kth = top_inputs(values, k)
        assert torch.equal(as_sets(idx).cpu(), as_sets(ref_idx)), k
        assert torch.equal(kth.cpu(), ref_kth), k
    idx, _ = pair_kernels.top_inputs(values.to(DEVICE), 2)
    assert as_sets(idx).cpu().tolist() == [[2, 3], [0, 4], [3, 4], [3, 4], [2, 4]]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_top_k_on_values_full_of_ties_equals_the_torch_path(dtype):
    gen = torch.Generator().manual_seed(7)
    for n, rows in ((5, 40), (37, 300), (300, 9)):
        values = torch.randint(-3, 4, (rows, n), generator=gen).to(dtype)  # seven distinct values: ties everywhere
        for k in (1, 3, 5, n):
            idx, kth = pair_kernels.top_inputs(values.to(DEVICE), k)
            ref_idx, ref_kth = top_inputs(values, k)
            assert torch.equal(as_sets(idx).cpu(), as_sets(ref_idx)), (n, k)
            assert torch.equal(kth.cpu(), ref_kth), (n, k)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize(("stride", "padding", "same"), [(1, 0, False), (2, 0, False), (1, 1, False), (2, 0, True)])
def test_1x1_fused_top_k_equals_the_torch_path_exactly(dtype, stride, padding, same):
    gen = torch.Generator().manual_seed(stride + 2 * padding)
    x = (torch.relu(torch.randn(6, 40, 7, 7, generator=gen, dtype=dtype)) - 0.2).to(DEVICE)
    x[:, 5:9] = 0.0  # dead channels: contributions of exactly zero, tied
    kernel = torch.randn(24, 40, 1, 1, generator=gen, dtype=dtype).to(DEVICE)
    kernel[3, :12] = 0.0
    g = Geometry((stride, stride), (padding, padding), (1, 1), same)
    split = split_1x1(kernel)
    for k in (1, 5, 40):
        idx_t, kth_t = onehop_top(x, kernel, g, k, split, engine="triton")
        idx_r, kth_r = onehop_top(x, kernel, g, k, split, engine="torch")
        assert torch.equal(as_sets(idx_t), as_sets(idx_r)), k
        assert torch.equal(kth_t, kth_r), k  # the same float: fma(min K, min X, max K * max X) both ways


def test_inputs_beyond_the_register_top_k_fall_back_to_torch(monkeypatch):
    monkeypatch.setattr(pair_kernels, "MAX_TOPK_INPUTS", 4)
    gen = torch.Generator().manual_seed(2)
    x = torch.randn(2, 6, 5, 5, generator=gen).to(DEVICE)
    kernel = torch.randn(3, 6, 3, 3, generator=gen).to(DEVICE)
    g = Geometry((1, 1), (1, 1), (1, 1))
    idx_t, kth_t = onehop_top(x, kernel, g, 2, engine="triton")
    idx_r, kth_r = onehop_top(x, kernel, g, 2, engine="torch")
    assert torch.equal(idx_t, idx_r)
    assert torch.equal(kth_t, kth_r)


# --- whole ingests ------------------------------------------------------------------------------


def ingest_state(lm, images: torch.Tensor, labels: list[int], kernel: str, batch: int, **method) -> dict:
    settings = resolve({"workers": 0, "device": DEVICE.type, "batch_size": batch, "influence_kernel": kernel,
                        **method}, environ={})
    ing = build_ingestor(lm, settings, DEVICE)
    assert ing.kernel == kernel
    n = len(labels)
    stream(ing, TensorImages(images, labels), list(range(n)), RunState(torch.zeros(n, dtype=torch.bool)), settings,
           progress=False)
    return flat(ing.state_dict())


def assert_same_state(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    assert any(k.startswith(("direct/", "hop_counts/")) and v.numel() for k, v in a.items())  # influence counted
    for key, value in a.items():
        assert torch.equal(b[key], value), key


@pytest.mark.parametrize("model", sorted(ZOO))
def test_hand_set_models_give_the_same_counts_with_either_kernel(model):
    lm = loaded(build(model, seed=5), ZOO[model][1], 3, 8)
    images, labels = random_images(10, seed=6), [(n * 5) % 3 for n in range(10)]
    method = {"influence_topk": 2, "activation_mass": 0.3, "examples_per_neuron": 2}
    torch_state = ingest_state(lm, images, labels, "torch", 4, **method)
    assert_same_state(torch_state, ingest_state(lm, images, labels, "triton", 4, **method))


def real_images(size: int, count: int) -> tuple[torch.Tensor, list[int]]:
    from summit.ingest.data import open_dataset
    from summit.ingest.models import imagenet_classes
    from summit.ingest.preprocess import torchvision_style

    wnids, _ = imagenet_classes()
    transform = torchvision_style(size, size, "bilinear", (0.485, 0.456, 0.406), (0.229, 0.224, 0.225))
    ds = open_dataset(DEMO, output_wnids=wnids, transform=transform, limit=count)
    items = [ds[i] for i in range(len(ds))]
    return torch.stack([it.image for it in items]), [it.label for it in items]


@pytest.mark.slow
def test_googlenet_shapes_give_the_same_counts_with_either_kernel():
    """torchvision's GoogLeNet (seeded weights, random BatchNorm statistics), 2 real images at 32 px:
    every 1x1 and 3x3 hop of the nine inception blocks, at GoogLeNet's channel counts."""
    from summit.ingest.models import GOOGLENET_LAYERS
    from torchvision.models import GoogLeNet

    torch.manual_seed(0)
    model = randomize_bn(GoogLeNet(num_classes=1000, aux_logits=False, init_weights=True), seed=1).eval()
    lm = loaded(model, GOOGLENET_LAYERS, 1000, 32, name="googlenet")
    images, labels = real_images(32, 2)
    torch_state = ingest_state(lm, images, labels, "torch", 2)
    assert_same_state(torch_state, ingest_state(lm, images, labels, "triton", 2))


@pytest.mark.slow
@pytest.mark.realmodel
def test_efficientnet_lite0_real_weights_real_images_same_counts():
    from summit.ingest.data import open_dataset
    from summit.ingest.models import load_model

    lite0 = load_model("efficientnet_lite0")
    ds = open_dataset(DEMO, output_wnids=lite0.output_wnids, transform=lite0.transform, limit=2)
    items = [ds[i] for i in range(len(ds))]
    images, labels = torch.stack([it.image for it in items]), [it.label for it in items]
    lm = loaded(lite0.module, lite0.layers, 1000, 224, name="efficientnet_lite0")
    torch_state = ingest_state(lm, images, labels, "torch", 2)
    assert_same_state(torch_state, ingest_state(lm, images, labels, "triton", 2))


# --- choosing the kernel ----------------------------------------------------------------------


def test_influence_kernel_setting_resolves_per_device(monkeypatch):
    cpu = torch.device("cpu")
    assert resolve_influence_kernel("torch", cpu) == "torch"
    assert resolve_influence_kernel("auto", cpu) == "torch"  # the CPU default stays the torch path
    assert resolve_influence_kernel("auto", torch.device("cuda", 0)) == "triton"
    monkeypatch.setenv("TRITON_INTERPRET", "1")
    assert resolve_influence_kernel("triton", cpu) == "triton"
    monkeypatch.setenv("TRITON_INTERPRET", "0")
    with pytest.raises(BadInput, match="needs a CUDA device"):
        resolve_influence_kernel("triton", cpu)
    with pytest.raises(BadInput, match="influence_kernel"):
        resolve({"influence_kernel": "cuda"}, environ={})


def test_auto_falls_back_to_torch_when_the_kernels_fail(monkeypatch, caplog):
    model = build("inception", seed=2)
    lm = loaded(model, ZOO["inception"][1], 3, 8)
    images, labels = random_images(6, seed=3), [0, 1, 2, 0, 1, 2]
    expected = ingest_state(lm, images, labels, "torch", 3)

    def broken(*_args, **_kwargs):
        raise RuntimeError("no kernel image is available for execution on the device")

    monkeypatch.setattr(pair_kernels, "pair_maxima", broken)
    monkeypatch.setattr(pair_kernels, "top_inputs_1x1", broken)
    settings = resolve({"workers": 0, "device": DEVICE.type, "batch_size": 3, "influence_kernel": "triton"},
                       environ={})
    asked = build_ingestor(lm, settings, DEVICE)
    with pytest.raises(RuntimeError, match="no kernel image"), asked.hooks():  # asked for triton: errors surface
        asked.process(images[:3], torch.tensor(labels[:3]), torch.arange(3))
    ing = build_ingestor(lm, settings, DEVICE)
    ing.kernel_fallback = True  # as built for influence_kernel auto on a GPU
    with caplog.at_level("WARNING"):
        stream(ing, TensorImages(images, labels), list(range(6)), RunState(torch.zeros(6, dtype=torch.bool)),
               settings, progress=False)
    assert ing.kernel == "torch"
    assert "triton influence kernels failed" in caplog.text
    assert_same_state(expected, flat(ing.state_dict()))


def test_the_manifest_names_the_kernel_that_ran(tmp_path):
    from tests.ingest.tiny import run_tiny

    model = build("chain", seed=1)
    images, labels = random_images(4, seed=2), [0, 1, 2, 0]
    auto = run_tiny(tmp_path, model, ZOO["chain"][1], images, labels, classes=3, name="auto", device=DEVICE.type)
    assert auto["manifest"]["ingest"]["influence_kernel"] == "auto"
    assert auto["manifest"]["influence_kernel"] == ("triton" if DEVICE.type == "cuda" else "torch")
    fused = run_tiny(tmp_path, model, ZOO["chain"][1], images, labels, classes=3, name="fused",
                     influence_kernel="triton", device=DEVICE.type)
    assert fused["manifest"]["influence_kernel"] == "triton"
    assert fused["influences"] == auto["influences"]
    assert fused["influences"]  # the chain's one-hop pairs were counted
