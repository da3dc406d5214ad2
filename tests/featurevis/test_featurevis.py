"""Feature visualisation on tiny seeded CNNs: optimisation, determinism, batch invariance, hooks."""

from collections import OrderedDict

import pytest
import torch
from summit.ingest.featurevis import (
    FeatureVisConfig,
    Target,
    capture_layers,
    channel_objectives,
    diversity_penalty,
    render,
    target_seed,
)
from summit.ingest.fourier import init_spectrum, spectrum_scale, spectrum_to_image
from torch import nn

from summit.errors import BadInput


def tiny_cnn(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    model = nn.Sequential(OrderedDict(
        conv1=nn.Conv2d(3, 6, 3, padding=1), bn1=nn.BatchNorm2d(6), relu1=nn.ReLU(),
        pool=nn.MaxPool2d(2),
        conv2=nn.Conv2d(6, 5, 3, padding=1), relu2=nn.ReLU(),
        gap=nn.AdaptiveAvgPool2d(1), flat=nn.Flatten(), fc=nn.Linear(5, 4),
    ))
    with torch.no_grad():  # non-trivial BatchNorm statistics (eval mode uses them per image)
        model.bn1.running_mean.uniform_(-0.2, 0.2)
        model.bn1.running_var.uniform_(0.5, 2.0)
        model.bn1.bias.fill_(0.3)  # every channel alive on a grey image, so every one has a gradient
        model.conv2.bias.fill_(0.3)
    return model.eval()


def normalize(x: torch.Tensor) -> torch.Tensor:
    return (x - 0.45) / 0.25


CFG = FeatureVisConfig(steps=16, size=32, lr=0.1, seed=7)
ALL = [Target(f"relu1:{c}") for c in range(6)] + [Target(f"relu2:{c}") for c in range(5)]


def test_objective_rises_above_start_and_random_image():
    model = tiny_cnn()
    start = render(model, normalize, ALL, FeatureVisConfig(steps=0, size=32, seed=7))
    end = render(model, normalize, ALL, FeatureVisConfig(steps=48, size=32, lr=0.1, seed=7))
    random_images = torch.rand((len(ALL), 3, 32, 32), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        random_obj, _ = channel_objectives(model, normalize, random_images, ALL)
    for b in range(len(ALL)):
        assert end.objectives[b] > start.objectives[b] + 0.05
        assert end.objectives[b] > float(random_obj[b]) + 0.05


def test_images_have_size_and_range():
    out = render(tiny_cnn(), normalize, [Target("relu1:0"), Target("relu2:3")], CFG)
    assert out.images.shape == (2, 3, 32, 32)
    assert out.images.dtype == torch.float32
    assert float(out.images.min()) >= 0.0
    assert float(out.images.max()) <= 1.0
    assert float(out.images.std()) > 0.01  # not a flat grey


def test_same_seed_same_image_other_seed_other_image():
    model = tiny_cnn()
    targets = [Target("relu2:1")]
    a = render(model, normalize, targets, CFG)
    b = render(model, normalize, targets, CFG)
    c = render(model, normalize, targets, FeatureVisConfig(steps=16, size=32, lr=0.1, seed=8))
    assert torch.equal(a.images, b.images)
    assert a.objectives == b.objectives
    assert not torch.allclose(a.images, c.images, atol=1e-3)


@pytest.mark.filterwarnings("ignore:TF32 acceleration")
def test_batch_equals_one_by_one_exactly_with_a_batch_invariant_conv():
    """Nothing in the loop mixes images: with the reference conv kernels the results are bit-identical."""
    model = tiny_cnn()
    targets = [Target("relu2:0"), Target("relu1:3"), Target("relu2:4"), Target("relu1:5")]
    with torch.backends.mkldnn.flags(enabled=False):
        together = render(model, normalize, targets, CFG)
        for b, target in enumerate(targets):
            alone = render(model, normalize, [target], CFG)
            assert torch.equal(together.images[b], alone.images[0])
            assert together.objectives[b] == pytest.approx(alone.objectives[0], rel=1e-6)


def test_batch_equals_one_by_one_to_rounding_with_default_kernels():
    """oneDNN picks kernels by batch size, so only rounding differs; Adam amplifies it over many steps."""
    model = tiny_cnn()
    targets = [Target("relu2:0"), Target("relu1:3"), Target("relu2:4")]
    cfg = FeatureVisConfig(steps=2, size=32, lr=0.1, seed=7)
    together = render(model, normalize, targets, cfg)
    for b, target in enumerate(targets):
        alone = render(model, normalize, [target], cfg)
        torch.testing.assert_close(together.images[b], alone.images[0], atol=1e-4, rtol=0)


def test_seed_depends_on_seed_neuron_and_variant_only():
    assert target_seed(0, Target("a:1")) == target_seed(0, Target("a:1"))
    assert len({target_seed(0, Target("a:1")), target_seed(1, Target("a:1")),
                target_seed(0, Target("a:2")), target_seed(0, Target("a:1", 1))}) == 4


def test_fourier_image_is_valid_and_per_image():
    gen = torch.Generator().manual_seed(0)
    spectra = torch.stack([init_spectrum(16, gen), init_spectrum(16, gen)])
    scale = spectrum_scale(16, 16)
    both = spectrum_to_image(spectra, 16, scale)
    assert both.shape == (2, 3, 16, 16)
    torch.testing.assert_close(both[1:], spectrum_to_image(spectra[1:], 16, scale))
    # Zero spectrum is mid-grey: sigmoid(0) = 0.5 everywhere.
    torch.testing.assert_close(spectrum_to_image(torch.zeros(1, 3, 16, 9, 2), 16, scale),
                               torch.full((1, 3, 16, 16), 0.5))


def test_diversity_penalty_literals():
    ones = torch.ones(2, 3, 2, 2)
    # Two identical images: cosine 1 each way -> (1 + 1) / 2 = 1.
    same = diversity_penalty({"l": ones}, [Target("l:0", 1), Target("l:0", 2)])
    assert float(same) == pytest.approx(1.0)
    orth = torch.zeros(2, 2, 1, 1)
    orth[0, 0] = 1.0
    orth[1, 1] = 1.0
    assert float(diversity_penalty({"l": orth}, [Target("l:0", 1), Target("l:0", 2)])) == pytest.approx(0.0)
    # Plain images (variant 0) never enter the term.
    assert float(diversity_penalty({"l": ones}, [Target("l:0"), Target("l:1")])) == 0.0


def test_variants_differ_from_each_other():
    model = tiny_cnn()
    cfg = FeatureVisConfig(steps=12, size=32, seed=3, diversity=5.0)
    out = render(model, normalize, [Target("relu2:1", 1), Target("relu2:1", 2)], cfg)
    assert not torch.allclose(out.images[0], out.images[1], atol=1e-2)


def test_hooks_removed_after_error_and_after_early_stop():
    model = tiny_cnn()
    model.fc = nn.Linear(7, 4)  # wrong shape: a forward through fc raises
    x = torch.rand(1, 3, 16, 16)
    outputs = capture_layers(model, ["relu1"], x)  # stops before fc
    assert outputs["relu1"].shape == (1, 6, 16, 16)
    with pytest.raises(RuntimeError):
        capture_layers(model, ["relu1", "fc"], x)  # fc never returns: the forward raises
    with pytest.raises(BadInput, match="never ran"):
        capture_layers(_Skipper(), ["used", "unused"], x)
    for mod in [*model.modules(), *_Skipper().modules()]:
        assert not mod._forward_hooks
    torch.testing.assert_close(capture_layers(model, ["relu2"], x)["relu2"],
                               model.relu2(model.conv2(model.pool(model.relu1(model.bn1(model.conv1(x)))))))


class _Skipper(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.used = nn.ReLU()
        self.unused = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.used(x)


def test_unknown_layer_and_channel_are_bad_input():
    model = tiny_cnn()
    with pytest.raises(BadInput, match="no layer"):
        render(model, normalize, [Target("nope:0")], FeatureVisConfig(steps=1, size=16))
    with pytest.raises(BadInput, match="has 6 channels"):
        render(model, normalize, [Target("relu1:9")], FeatureVisConfig(steps=1, size=16))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA (runs where a GPU is present)")
def test_render_on_gpu_matches_cpu_for_a_few_steps():
    targets = [Target("relu2:0"), Target("relu1:3")]
    cfg = FeatureVisConfig(steps=2, size=32, lr=0.1, seed=7)
    cpu = render(tiny_cnn(), normalize, targets, cfg)
    gpu = render(tiny_cnn().cuda(), normalize, targets, cfg, device="cuda")
    torch.testing.assert_close(cpu.images, gpu.images, atol=1e-3, rtol=0)
