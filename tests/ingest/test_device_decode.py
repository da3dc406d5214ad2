"""decode gpu: Pillow's resize and crop as tensor maths, and the device-side stream, against the Pillow loader.

Without a GPU everything but nvjpeg runs here on the CPU: torchvision's CPU
``decode_jpeg`` (libjpeg-turbo, as Pillow) decodes, so the device path must give
the Pillow loader's tensors and counts bit for bit.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from summit.ingest.data import collate, open_dataset
from summit.ingest.device_decode import (
    DeviceDecoder,
    EncodedImages,
    collate_encoded,
    device_decodable,
    jpeg_components,
    resolve_decoder,
)
from summit.ingest.model_spec import LoadedModel
from summit.ingest.models import imagenet_classes
from summit.ingest.pipeline import RunState, build_ingestor, stream
from summit.ingest.preprocess import Preprocess, crop_box, resized_size, torchvision_style
from summit.ingest.resample import resize_crop

from summit.errors import BadInput
from summit.settings import resolve
from tests.ingest.tiny import ConvChain, randomize_bn

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"  # real ImageNet images, in the repository
REAL = sorted((DEMO / "images").glob("*.JPEG"))[:12]
CPU = torch.device("cpu")


@pytest.mark.parametrize("interpolation", ["bilinear", "bicubic"])
def test_resize_and_crop_equal_pillow_pixel_for_pixel(interpolation):
    resample = {"bilinear": Image.Resampling.BILINEAR, "bicubic": Image.Resampling.BICUBIC}[interpolation]
    images = [Image.open(p).convert("RGB") for p in REAL[:6]]
    images += [images[0].resize((500, 375)), images[1].resize((333, 500))]  # ImageNet's common shapes
    images.append(images[2].resize((97, 300)))  # tall, upscaled below
    images.append(images[3].resize((256, 300)))  # short side already 256: cropped only
    checked = 0
    for image in images:
        pixels = torch.from_numpy(np.asarray(image, dtype=np.uint8).copy()).permute(2, 0, 1)
        for short, crop in ((256, 224), (232, 224), (299, 299), (300, 288), (40, 31)):
            size = resized_size(image.width, image.height, short)
            box = crop_box(size[0], size[1], crop)
            resized = image.resize(size, resample) if size != image.size else image
            expected = torch.from_numpy(np.asarray(resized.crop(box), dtype=np.float64).copy()).permute(2, 0, 1)
            assert torch.equal(resize_crop(pixels, size, box, interpolation), expected), (image.size, short, crop)
            checked += 1
    assert checked == 50


def test_crop_outside_the_resized_image_is_refused():
    with pytest.raises(ValueError, match="not inside"):
        resize_crop(torch.zeros(3, 10, 10, dtype=torch.uint8), (8, 8), (0, 0, 9, 9), "bilinear")
    with pytest.raises(ValueError, match="not emulated"):
        resize_crop(torch.zeros(3, 10, 10, dtype=torch.uint8), (8, 8), (0, 0, 8, 8), "lanczos")


def write_odd_images(root: Path) -> dict[str, Path]:
    """Real JPEGs plus every kind the device decoder must hand to Pillow or skip, in wnid folders."""
    wnid = "n01440764"
    folder = root / wnid
    folder.mkdir(parents=True)
    paths = {}
    for n, src in enumerate(REAL[:5]):
        paths[f"real{n}"] = Path(shutil.copy(src, folder / f"real{n}.JPEG"))
    base = Image.open(REAL[5]).convert("RGB")
    base.convert("L").save(folder / "grey.JPEG", "JPEG")
    base.convert("CMYK").save(folder / "cmyk.JPEG", "JPEG")
    base.save(folder / "png.png", "PNG")
    base.save(folder / "progressive.JPEG", "JPEG", progressive=True)
    (folder / "bad.JPEG").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    data = (folder / "real0.JPEG").read_bytes()
    (folder / "cut.JPEG").write_bytes(data[: len(data) // 2])
    for name in ("grey", "cmyk", "progressive", "bad", "cut"):
        paths[name] = folder / f"{name}.JPEG"
    paths["png"] = folder / "png.png"
    return paths


def test_jpeg_headers_decide_who_decodes(tmp_path):
    paths = write_odd_images(tmp_path)
    assert jpeg_components(paths["real0"].read_bytes()) == 3
    assert jpeg_components(paths["grey"].read_bytes()) == 1
    assert jpeg_components(paths["cmyk"].read_bytes()) == 4
    assert jpeg_components(paths["png"].read_bytes()) is None
    assert device_decodable(paths["real0"].read_bytes())
    assert device_decodable(paths["progressive"].read_bytes())
    assert not device_decodable(paths["cmyk"].read_bytes())  # Pillow's CMYK conversion, in the worker
    assert not device_decodable(paths["cut"].read_bytes())  # truncated: Pillow decides (it refuses)


def lite0_like() -> Preprocess:
    return Preprocess(resize=256, crop=224, interpolation="bicubic", offset=(127.0,) * 3, scale=(128.0,) * 3)


@pytest.mark.parametrize("preprocess", [lite0_like(), torchvision_style(256, 224, "bilinear", (0.485, 0.456, 0.406),
                                                                        (0.229, 0.224, 0.225))])
def test_device_decoder_gives_the_pillow_loaders_batch(tmp_path, preprocess):
    paths = write_odd_images(tmp_path)
    wnids, _ = imagenet_classes()
    ds = open_dataset(tmp_path, output_wnids=wnids, transform=preprocess)
    assert len(ds) == len(paths)
    expected = collate([ds[i] for i in range(len(ds))])
    encoded = EncodedImages(ds)
    kinds = [encoded[i].data.ndim if encoded[i].data is not None else None for i in range(len(ds))]
    assert kinds.count(1) == 7  # five real JPEGs, the grey and the progressive one go to the decoder as bytes
    assert kinds.count(3) == 2  # CMYK and PNG: Pillow's pixels from the worker
    got = DeviceDecoder(preprocess, CPU)(collate_encoded([encoded[i] for i in range(len(ds))]))
    assert sorted(got.skipped) == sorted(expected.skipped)
    assert len(expected.skipped) == 2
    assert sorted(got.reasons) == sorted(got.skipped)  # each skipped image says why (issue 20)
    assert all(reason.split(":")[0].endswith("Error") for reason in got.reasons.values()), got.reasons
    assert torch.equal(got.sample_indices, expected.sample_indices)
    assert torch.equal(got.labels, expected.labels)
    assert got.images.dtype == expected.images.dtype == torch.float32
    assert torch.equal(got.images, expected.images)


def test_whole_stream_with_the_device_decoder_gives_identical_counts(tmp_path):
    write_odd_images(tmp_path)
    wnids, names = imagenet_classes()
    preprocess = Preprocess(resize=24, crop=16, interpolation="bilinear", offset=(120.0,) * 3, scale=(60.0,) * 3)
    torch.manual_seed(0)
    model = randomize_bn(ConvChain(classes=len(wnids))).eval()
    lm = LoadedModel("chain", model, ["body.c1", "body.c2", "body.c3"], list(wnids), list(names), preprocess,
                     preprocess.normalize, 16)
    ds = open_dataset(tmp_path, output_wnids=wnids, transform=preprocess)
    states = {}
    for name, decoder in (("pillow", None), ("device", DeviceDecoder(preprocess, CPU))):
        settings = resolve({"workers": 0, "device": "cpu", "batch_size": 4, "influence_topk": 2}, environ={})
        ing = build_ingestor(lm, settings, CPU)
        run = stream(ing, ds, list(range(len(ds))), RunState(torch.zeros(len(ds), dtype=torch.bool)), settings,
                     progress=False, decoder=decoder)
        assert len(run.skipped) == 2
        assert run.images == len(ds) - 2
        states[name] = (ing.state_dict(), sorted(run.skipped))
    (a, skipped_a), (b, skipped_b) = states["pillow"], states["device"]
    assert skipped_a == skipped_b
    assert int(a["classes"]["images"].sum()) == len(ds) - 2
    for part in ("acts", "examples", "direct"):
        for key, value in a[part].items():
            for field, tensor in value.items():
                assert torch.equal(b[part][key][field], tensor), (part, key, field)


def test_decode_setting_resolves_per_device_and_preprocessing(tmp_path):
    write_odd_images(tmp_path)
    wnids, _ = imagenet_classes()
    ds = open_dataset(tmp_path, output_wnids=wnids, transform=lite0_like())
    cuda = torch.device("cuda", 0)  # only named: resolving does not touch it
    assert resolve_decoder("cpu", ds, cuda) is None
    assert resolve_decoder("auto", ds, CPU) is None  # the CPU keeps the Pillow loader
    with pytest.raises(BadInput, match="decode gpu: needs a CUDA device"):
        resolve_decoder("gpu", ds, CPU)
    odd = open_dataset(tmp_path, output_wnids=wnids, transform=lambda image: image)
    assert resolve_decoder("auto", odd, cuda) is None  # not the standard preprocessing: the CPU loader
    with pytest.raises(BadInput, match="not the standard resize-crop-normalise"):
        resolve_decoder("gpu", odd, cuda)
    lanczos = open_dataset(tmp_path, output_wnids=wnids, transform=Preprocess(
        resize=256, crop=224, interpolation="lanczos", offset=(0.0,) * 3, scale=(1.0,) * 3))
    with pytest.raises(BadInput, match="lanczos"):
        resolve_decoder("gpu", lanczos, cuda)
    with pytest.raises(BadInput, match="decode"):
        resolve({"decode": "nvjpeg"}, environ={})


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA (nvjpeg; runs where a GPU is present)")
def test_on_the_gpu_resize_is_exact_and_nvjpeg_close_to_libjpeg(tmp_path):
    write_odd_images(tmp_path)
    wnids, _ = imagenet_classes()
    preprocess = lite0_like()
    ds = open_dataset(tmp_path, output_wnids=wnids, transform=preprocess)
    gpu = DeviceDecoder(preprocess, torch.device("cuda"))
    pixels = torch.from_numpy(np.asarray(Image.open(REAL[0]).convert("RGB").resize((500, 375)), dtype=np.uint8).copy())
    pixels = pixels.permute(2, 0, 1)
    # the resize maths: integer sums in float64, exact on any device
    assert torch.equal(gpu.geometric(pixels.cuda()).cpu(), DeviceDecoder(preprocess, CPU).geometric(pixels))
    encoded = EncodedImages(ds)
    got = gpu(collate_encoded([encoded[i] for i in range(len(ds))]))
    expected = collate([ds[i] for i in range(len(ds))])
    assert sorted(got.skipped) == sorted(expected.skipped)
    assert torch.equal(got.sample_indices, expected.sample_indices)
    diff = ((got.images.cpu() - expected.images) * 128.0).abs()  # 0-255 units
    # nvjpeg's IDCT and chroma upsampling round differently from libjpeg-turbo's: small differences only
    assert diff.mean().item() < 1.0, diff.mean().item()
    assert (diff > 8).float().mean().item() < 0.01
