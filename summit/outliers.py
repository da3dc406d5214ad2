"""Channels a model's counts and graphs leave out by default (setting ``exclude_outliers``).

Summit zeroes five channels of Lucid's InceptionV1 before selecting activations
and removes them from every class graph (activation-matrices.ipynb,
attribution-graph.ipynb ``outlier_nodes``): ``mixed3a`` 67 and 190, ``mixed3b``
390, 399 and 412. ``default_excluded_channels`` gives them for any artifact of
that architecture, in the layer names the artifact uses: Lucid's ``mixed3a`` /
``mixed3b`` (imported Summit data) or torchvision's ``inception3a`` /
``inception3b`` (same branch layout, so the same channel positions). Note that
torchvision's GoogLeNet weights were trained separately from Lucid's: the
positions carry over, whether those channels are outliers there too is not
known (docs/method.md). Ingest and ``summit import-summit`` both call this.
"""

from __future__ import annotations

from collections.abc import Iterable

from summit.ids import neuron_id
from summit.inception import TORCHVISION_TO_LUCID

# Summit's outlier channels, by Lucid InceptionV1 layer name.
INCEPTION_V1_OUTLIERS: dict[str, tuple[int, ...]] = {"mixed3a": (67, 190), "mixed3b": (390, 399, 412)}
# The same layers under torchvision's GoogLeNet module names.
LUCID_TO_TORCHVISION: dict[str, str] = {lucid: name for name, lucid in TORCHVISION_TO_LUCID.items()}
# Model names (lower case) that are InceptionV1: this project's built-in and Lucid's.
INCEPTION_V1_MODELS = frozenset({"googlenet", "inceptionv1", "inception_v1", "lucid:inceptionv1",
                                 "torchvision:googlenet"})


def is_inception_v1(model_name: str) -> bool:
    return model_name.strip().lower() in INCEPTION_V1_MODELS


def default_excluded_channels(model_name: str, layers: Iterable[str]) -> tuple[str, ...]:
    """Neuron ids excluded by default for ``model_name`` with neuron ``layers`` (empty if none known)."""
    if not is_inception_v1(model_name):
        return ()
    present = set(layers)
    out: list[str] = []
    for lucid, channels in INCEPTION_V1_OUTLIERS.items():
        for name in (lucid, LUCID_TO_TORCHVISION[lucid]):
            if name in present:
                out.extend(neuron_id(name, c) for c in channels)
    return tuple(out)


def excluded_channels(model_name: str, layers: Iterable[str], extra: Iterable[str] = (),
                      *, outliers: bool = True) -> tuple[str, ...]:
    """The channels a run excludes: the model's defaults (when ``outliers``) then ``extra``, without repeats."""
    layers = list(layers)
    chosen = [*(default_excluded_channels(model_name, layers) if outliers else ()), *extra]
    return tuple(dict.fromkeys(chosen))
