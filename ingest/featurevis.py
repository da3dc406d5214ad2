"""Feature visualisation: images optimised to maximise one channel's mean activation (METHOD.md 6).

Many neurons are optimised together, one image per neuron in the batch
dimension. Everything that touches a batch is per image (Fourier
parameterisation, random jitter/scale/rotation, elementwise Adam, the model in
eval mode) and the loss is the sum of each image's own objective, so an image
gets exactly the gradient it would get alone. Each image draws its initial
spectrum and its per-step transforms from its own generator, seeded from
``(seed, neuron id, variant)``: batching or resuming does not change results.

Optional diversity variants: the images of one neuron with ``variant > 0`` are
optimised jointly with lucid's diversity term (minus the mean pairwise cosine
similarity of their Gram matrices at the neuron's layer).
"""

from __future__ import annotations

import contextlib
import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from summit.ingest.fourier import init_spectrum, spectrum_scale, spectrum_to_image
from torch import nn

from summit.errors import BadInput
from summit.ids import parse_neuron_id

# lucid's standard transforms: pad 12 (grey), jitter 8, scale 0.9..1.1, rotate -10..10 deg, jitter 4.
PAD = 12
JITTER = (8, 4)
SCALES = tuple(1 + (i - 5) / 50 for i in range(11))
ANGLES = tuple(range(-10, 11)) + (0,) * 5


@dataclass(frozen=True)
class FeatureVisConfig:
    """Optimisation parameters (defaults from settings: featurevis_*, seed)."""

    steps: int = 512
    size: int = 128
    lr: float = 0.05
    seed: int = 0
    diversity: float = 1.0
    decay_power: float = 1.0
    init_sd: float = 0.01

    def __post_init__(self) -> None:
        if self.steps < 0:
            raise BadInput(f"featurevis steps must be >= 0, got {self.steps}")
        if self.size < 16:
            raise BadInput(f"featurevis size must be >= 16 pixels, got {self.size}")
        if self.lr <= 0:
            raise BadInput(f"featurevis learning rate must be > 0, got {self.lr}")


@dataclass(frozen=True)
class Target:
    """One image to render: a neuron and a variant (0 = plain; >0 = diversity group member)."""

    neuron_id: str
    variant: int = 0


@dataclass
class Rendered:
    """Rendered images (B, 3, size, size) float in [0, 1] on CPU and their final objectives."""

    images: torch.Tensor
    objectives: list[float]


def target_seed(seed: int, target: Target) -> int:
    """A 63-bit seed for one image, derived from (seed, neuron id, variant) only."""
    digest = hashlib.sha256(f"{seed}|{target.neuron_id}|{target.variant}".encode()).digest()
    return int.from_bytes(digest[:8], "little") & ((1 << 63) - 1)


class _Stop(Exception):
    """Raised by a hook once every needed layer output is captured (skips the rest of the model)."""


def capture_layers(module: nn.Module, layers: Sequence[str], images: torch.Tensor) -> dict[str, torch.Tensor]:
    """Run ``module`` on ``images`` and return the outputs of ``layers``; stops after the last one.

    Hooks are removed in ``finally``, also when the forward raises.
    """
    modules = dict(module.named_modules())
    wanted = list(dict.fromkeys(layers))
    missing = [name for name in wanted if name not in modules]
    if missing:
        raise BadInput(f"model has no layer(s) {', '.join(missing)}")
    outputs: dict[str, torch.Tensor] = {}
    handles = []

    def make_hook(name: str) -> Callable[..., None]:
        def hook(_mod: nn.Module, _inp: object, out: torch.Tensor) -> None:
            if name not in outputs:
                outputs[name] = out
            if len(outputs) == len(wanted):
                raise _Stop

        return hook

    try:
        for name in wanted:
            handles.append(modules[name].register_forward_hook(make_hook(name)))
        with contextlib.suppress(_Stop):
            module(images)
    finally:
        for handle in handles:
            handle.remove()
    if len(outputs) != len(wanted):
        raise BadInput(f"layer(s) {', '.join(n for n in wanted if n not in outputs)} never ran in forward")
    return outputs


def channel_objectives(
    module: nn.Module,
    normalize: Callable[[torch.Tensor], torch.Tensor],
    images: torch.Tensor,
    targets: Sequence[Target],
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """Mean activation of each image's own target channel, shape (B,), and the captured layer outputs."""
    parsed = [parse_neuron_id(t.neuron_id) for t in targets]
    outputs = capture_layers(module, [layer for layer, _ in parsed], normalize(images))
    values = []
    for b, (layer, channel) in enumerate(parsed):
        out = outputs[layer]
        if out.dim() != 4:
            raise BadInput(f"layer {layer!r} output is {out.dim()}-D; feature visualisation needs 4-D maps")
        if channel >= out.shape[1]:
            raise BadInput(f"neuron {targets[b].neuron_id!r}: layer {layer!r} has {out.shape[1]} channels")
        values.append(out[b, channel].mean())
    return torch.stack(values), outputs


def diversity_penalty(outputs: dict[str, torch.Tensor], targets: Sequence[Target]) -> torch.Tensor:
    """Sum over diversity groups of the mean pairwise cosine similarity of their Gram matrices."""
    groups: dict[str, list[int]] = {}
    for b, t in enumerate(targets):
        if t.variant > 0:
            groups.setdefault(t.neuron_id, []).append(b)
    total = torch.zeros(())
    for neuron, members in groups.items():
        if len(members) < 2:
            continue
        layer, _ = parse_neuron_id(neuron)
        acts = outputs[layer][members]
        flat = acts.flatten(2)  # (K, C, HW)
        grams = flat @ flat.transpose(1, 2)
        grams = F.normalize(grams.flatten(1), dim=1, eps=1e-10)
        sims = grams @ grams.T
        k = len(members)
        total = total.to(sims.device) + (sims.sum() - sims.diagonal().sum()) / k
    return total


def random_affine(generators: Sequence[torch.Generator], size: int) -> torch.Tensor:
    """Per-image affine matrices (B, 2, 3) for jitter, scale and rotation; one draw set per image."""
    padded = size + 2 * PAD
    thetas = []
    for gen in generators:
        draws = torch.randint(0, 1 << 30, (6,), generator=gen).tolist()
        jx = draws[0] % JITTER[0] - JITTER[0] // 2 + draws[1] % JITTER[1] - JITTER[1] // 2
        jy = draws[2] % JITTER[0] - JITTER[0] // 2 + draws[3] % JITTER[1] - JITTER[1] // 2
        scale = SCALES[draws[4] % len(SCALES)]
        angle = math.radians(ANGLES[draws[5] % len(ANGLES)])
        cos, sin = math.cos(angle) / scale, math.sin(angle) / scale
        # grid_sample maps output coordinates to input coordinates in [-1, 1] units.
        thetas.append([[cos, -sin, 2 * jx / padded], [sin, cos, 2 * jy / padded]])
    return torch.tensor(thetas, dtype=torch.float32)


def transform(images: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
    """Pad with grey and warp each image by its own affine matrix (bilinear)."""
    padded = F.pad(images - 0.5, (PAD, PAD, PAD, PAD), value=0.0)
    grid = F.affine_grid(theta.to(images.device, images.dtype), list(padded.shape), align_corners=False)
    return F.grid_sample(padded, grid, mode="bilinear", padding_mode="zeros", align_corners=False) + 0.5


def render(
    module: nn.Module,
    normalize: Callable[[torch.Tensor], torch.Tensor],
    targets: Sequence[Target],
    config: FeatureVisConfig,
    device: torch.device | str = "cpu",
) -> Rendered:
    """Optimise one image per target together; return the images and their final objectives.

    The final objective is measured on the untransformed final image.
    """
    if not targets:
        return Rendered(torch.zeros((0, 3, config.size, config.size)), [])
    device = torch.device(device)
    module.eval()
    generators = []
    spectra = []
    for target in targets:
        gen = torch.Generator().manual_seed(target_seed(config.seed, target))
        generators.append(gen)
        spectra.append(init_spectrum(config.size, gen, config.init_sd))
    spectrum = torch.stack(spectra).to(device).requires_grad_(True)
    scale = spectrum_scale(config.size, config.size, config.decay_power).to(device)
    optimizer = torch.optim.Adam([spectrum], lr=config.lr)
    use_diversity = config.diversity != 0 and any(t.variant > 0 for t in targets)
    for _ in range(config.steps):
        optimizer.zero_grad(set_to_none=True)
        images = spectrum_to_image(spectrum, config.size, scale)
        warped = transform(images, random_affine(generators, config.size))
        objective, outputs = channel_objectives(module, normalize, warped, targets)
        loss = -objective.sum()
        if use_diversity:
            loss = loss + config.diversity * diversity_penalty(outputs, targets).to(loss.device)
        (grad,) = torch.autograd.grad(loss, [spectrum])
        spectrum.grad = grad
        optimizer.step()
    with torch.no_grad():
        images = spectrum_to_image(spectrum, config.size, scale)
        final, _ = channel_objectives(module, normalize, images, targets)
    return Rendered(images.detach().cpu(), [float(v) for v in final.cpu()])


def to_uint8(image: torch.Tensor) -> torch.Tensor:
    """(3, H, W) float in [0, 1] -> (H, W, 3) uint8."""
    return (image.clamp(0, 1) * 255).round().to(torch.uint8).permute(1, 2, 0).contiguous()
