"""Fourier-space image parameterisation with decorrelated colour (as in lucid / lucent).

An image batch is held as a complex spectrum per colour channel. Each frequency
is scaled by ``1 / max(f, 1/size) ** decay_power`` so low frequencies dominate,
the inverse real FFT gives a decorrelated-colour image, a fixed 3x3 matrix (the
square root of ImageNet's colour correlation, lucid's numbers) maps it to RGB,
and a sigmoid brings it to [0, 1]. Every operation is per image: nothing mixes
the images of a batch.
"""

from __future__ import annotations

import torch

# lucid's ``color_correlation_svd_sqrt`` (square root of ImageNet's colour covariance).
COLOR_CORRELATION_SVD_SQRT = torch.tensor(
    [[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]], dtype=torch.float32
)
COLOR_CORRELATION = COLOR_CORRELATION_SVD_SQRT / COLOR_CORRELATION_SVD_SQRT.norm(dim=0).max()
# Divides the inverse FFT so that the initial image is not saturated (lucid's "magic" 4).
SPECTRUM_SCALE_DIVISOR = 4.0


def rfft2d_freqs(height: int, width: int) -> torch.Tensor:
    """Frequency magnitudes of a real 2-D FFT of shape (height, width // 2 + 1)."""
    fy = torch.fft.fftfreq(height)[:, None]
    fx = torch.fft.rfftfreq(width)[None, :]
    return torch.sqrt(fx * fx + fy * fy)


def spectrum_scale(height: int, width: int, decay_power: float = 1.0) -> torch.Tensor:
    """Per-frequency scale ``1 / max(f, 1/max(h, w)) ** decay_power``, shape (1, 1, h, w//2+1, 1)."""
    freqs = rfft2d_freqs(height, width)
    scale = 1.0 / torch.clamp(freqs, min=1.0 / max(height, width)) ** decay_power
    return scale[None, None, :, :, None]


def init_spectrum(size: int, generator: torch.Generator, sd: float = 0.01) -> torch.Tensor:
    """Random initial spectrum of one image: (3, size, size // 2 + 1, 2) real/imaginary parts."""
    return torch.randn((3, size, size // 2 + 1, 2), generator=generator) * sd


def spectrum_to_image(spectrum: torch.Tensor, size: int, scale: torch.Tensor) -> torch.Tensor:
    """Map spectra (B, 3, size, size//2+1, 2) to RGB images (B, 3, size, size) in [0, 1]."""
    scaled = torch.view_as_complex((spectrum * scale).contiguous())
    image = torch.fft.irfftn(scaled, s=(size, size), norm="ortho") / SPECTRUM_SCALE_DIVISOR
    return to_valid_rgb(image)


def to_valid_rgb(image: torch.Tensor) -> torch.Tensor:
    """Decorrelated colour (B, 3, H, W) -> RGB in [0, 1] via the colour matrix and a sigmoid."""
    matrix = COLOR_CORRELATION.to(device=image.device, dtype=image.dtype)
    rgb = torch.einsum("bchw,dc->bdhw", image, matrix)
    return torch.sigmoid(rgb)
