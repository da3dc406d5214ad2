"""Datasets: three layouts, wnid label mapping, corrupt files, order, shards, fingerprints."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from summit.ingest.data import collate, make_loader, open_dataset, read_synsets
from summit.ingest.models import imagenet_classes
from torch.utils.data import DataLoader

from summit.errors import BadInput, NotFound

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
WNIDS = ["n00000001", "n00000002", "n00000003", "n00000004"]
MODEL_WNIDS = ["n00000003", "n00000001", "n00000004", "n00000002"]  # the model's own order, not sorted


def to_tensor(image: Image.Image) -> torch.Tensor:
    return torch.from_numpy(np.asarray(image.resize((4, 4)), dtype=np.float32)).permute(2, 0, 1)


def jpeg(path: Path, shade: int, size: tuple[int, int] = (12, 9)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (shade, 255 - shade, 40)).save(path, "JPEG")
    return path


def corrupt(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xff\xd8\xff\xe0 this is not really a jpeg")
    return path


def truncated(path: Path) -> Path:
    jpeg(path, 99, size=(64, 64))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.fixture
def folders(tmp_path):
    root = tmp_path / "folders"
    for k, wnid in enumerate(WNIDS[:3]):
        for i in range(3):
            jpeg(root / wnid / f"img{i}.JPEG", 20 * k + i)
    corrupt(root / WNIDS[1] / "img9_bad.JPEG")
    truncated(root / WNIDS[2] / "img8_cut.JPEG")
    (root / WNIDS[0] / "notes.txt").write_text("not an image")
    return root


def test_class_folders_map_labels_by_wnid(folders):
    data = open_dataset(folders, output_wnids=MODEL_WNIDS, transform=to_tensor)
    assert data.layout == "class_folders"
    assert len(data) == 11
    assert [s.relpath for s in data.samples] == sorted(s.relpath for s in data.samples)
    assert [s.sample_index for s in data.samples] == list(range(11))
    for sample in data.samples:
        assert MODEL_WNIDS[sample.label] == sample.wnid == sample.relpath.split("/")[0]
    assert data.classes == [(0, "n00000003", "n00000003"), (1, "n00000001", "n00000001"),
                            (3, "n00000002", "n00000002")]
    assert data.class_counts() == {0: 4, 1: 3, 3: 4}


def test_corrupt_and_truncated_images_are_skipped_and_reported(folders):
    data = open_dataset(folders, output_wnids=MODEL_WNIDS, transform=to_tensor)
    bad = {s.sample_index for s in data.samples if "bad" in s.relpath or "cut" in s.relpath}
    assert len(bad) == 2
    item = data[next(iter(bad))]
    assert item.image is None
    seen, skipped = [], []
    for batch in DataLoader(data, batch_size=4, num_workers=0, collate_fn=collate):
        assert batch.images.shape[0] == len(batch) == len(batch.sample_indices)
        seen += batch.sample_indices.tolist()
        skipped += batch.skipped
    assert set(skipped) == bad
    assert sorted(seen + skipped) == list(range(11))
    all_bad = collate([data[i] for i in sorted(bad)])
    assert len(all_bad) == 0
    assert all_bad.skipped == sorted(bad)


def test_dataloader_workers_give_the_same_batches(folders):
    data = open_dataset(folders, output_wnids=MODEL_WNIDS, transform=to_tensor)
    one = [b.sample_indices.tolist() for b in DataLoader(data, batch_size=3, num_workers=0, collate_fn=collate)]
    two = [b.sample_indices.tolist() for b in DataLoader(data, batch_size=3, num_workers=2, collate_fn=collate)]
    assert one == two


def test_make_loader_keeps_order_and_raw_images_without_transform(folders):
    data = open_dataset(folders, output_wnids=MODEL_WNIDS, transform=None)
    batches = list(make_loader(data, batch_size=1, workers=0))
    assert [b.sample_indices.tolist() for b in batches if len(b)] == [[i] for i in range(11) if data[i].image is not None]
    first = batches[0].images[0]
    assert first.dtype == torch.uint8
    assert tuple(first.shape) == (3, 9, 12)


def test_nested_train_folder(tmp_path):
    for wnid in WNIDS[:2]:
        jpeg(tmp_path / "imagenet" / "train" / wnid / "a.JPEG", 10)
    data = open_dataset(tmp_path / "imagenet", output_wnids=MODEL_WNIDS, transform=None)
    assert [s.relpath for s in data.samples] == ["n00000001/a.JPEG", "n00000002/a.JPEG"]
    assert data.root == tmp_path / "imagenet" / "train"


def write_list(root: Path, synsets: list[str], lines: list[str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "synset_words.txt").write_text("".join(f"{w} name of {w}, other name\n" for w in synsets))
    (root / "dataset.txt").write_text("".join(line + "\n" for line in lines))
    return root


def test_list_file_with_shuffled_synsets(tmp_path):
    synsets = WNIDS[:]
    random.Random(3).shuffle(synsets)
    root = tmp_path / "listed"
    lines = []
    for i in range(8):
        jpeg(root / "data" / f"x{i}.JPEG", i * 10)
        lines.append(f"./data/x{i}.JPEG, {i % 4}")
    write_list(root, synsets, list(reversed(lines)))
    data = open_dataset(root, output_wnids=MODEL_WNIDS, transform=to_tensor)
    assert data.layout == "list"
    assert [s.relpath for s in data.samples] == [f"data/x{i}.JPEG" for i in range(8)]
    for i, sample in enumerate(data.samples):
        assert sample.wnid == synsets[i % 4]
        assert MODEL_WNIDS[sample.label] == synsets[i % 4]
    assert {w: n for _, w, n in data.classes}[synsets[0]] == f"name of {synsets[0]}"
    # the list file itself can be given, and the model's names win when passed
    direct = open_dataset(root / "dataset.txt", output_wnids=MODEL_WNIDS, transform=to_tensor,
                          output_names=["three", "one", "four", "two"])
    assert direct.samples == data.samples
    assert direct.fingerprint == data.fingerprint
    assert ("n00000001", "one") in {(w, n) for _, w, n in direct.classes}
    assert data[3].image is not None
    assert data[3].label == MODEL_WNIDS.index(synsets[3])
    # Caffe-style "<path> <label>" lines (no comma) are read too
    (root / "dataset.txt").write_text("".join(line.replace(",", "") + "\n" for line in lines))
    assert open_dataset(root, output_wnids=MODEL_WNIDS, transform=None).samples == data.samples


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("./data/x0.JPEG", r"dataset.txt:2: expected '<path>, <label>'"),
        ("./data/x0.JPEG, one", r"dataset.txt:2: expected '<path>, <label>'"),
        ("./data/x0.JPEG, 4", r"dataset.txt:2: label 4 is outside 0..3"),
        ("../outside.JPEG, 1", r"dataset.txt:2: image path '../outside.JPEG' must stay inside"),
        ("./data/x1.JPEG, 2", r"image data/x1.JPEG is listed twice with labels n00000002 and n00000003"),
    ],
)
def test_bad_list_file_lines_name_file_and_line(tmp_path, line, error):
    root = write_list(tmp_path / "bad", WNIDS, ["./data/x1.JPEG, 1", line])
    with pytest.raises(BadInput, match=error):
        open_dataset(root, output_wnids=MODEL_WNIDS, transform=None)


def test_list_file_needs_valid_synsets(tmp_path):
    root = write_list(tmp_path / "s", WNIDS, ["./a.JPEG, 0"])
    (root / "synset_words.txt").write_text("n00000001 one\nbanana two\n")
    with pytest.raises(BadInput, match=r"synset_words.txt:2: expected '<wnid> <names>'"):
        open_dataset(root, output_wnids=MODEL_WNIDS, transform=None)
    (root / "synset_words.txt").unlink()
    with pytest.raises(NotFound, match=r"needs synset_words\.txt beside it"):
        open_dataset(root, output_wnids=MODEL_WNIDS, transform=None)


def test_flat_wnid_files(tmp_path):
    root = tmp_path / "flat"
    jpeg(root / "n00000002_sea_snake.JPEG", 1)
    jpeg(root / "n00000004_crane.JPEG", 2)
    corrupt(root / "n00000001_tench.JPEG")
    (root / "SOURCE.txt").write_text("where these came from")
    data = open_dataset(root, output_wnids=MODEL_WNIDS, transform=to_tensor)
    assert data.layout == "flat"
    assert [(s.relpath, s.label) for s in data.samples] == [
        ("n00000001_tench.JPEG", 1), ("n00000002_sea_snake.JPEG", 3), ("n00000004_crane.JPEG", 2)]
    assert data.classes == [(1, "n00000001", "tench"), (2, "n00000004", "crane"), (3, "n00000002", "sea snake")]
    assert data[0].image is None
    assert data[1].image is not None
    jpeg(root / "holiday.JPEG", 3)
    with pytest.raises(BadInput, match=r"cannot tell the class of holiday\.JPEG"):
        open_dataset(root, output_wnids=MODEL_WNIDS, transform=None)


def test_missing_empty_and_unmapped(tmp_path):
    with pytest.raises(NotFound, match="does not exist"):
        open_dataset(tmp_path / "nope", output_wnids=MODEL_WNIDS, transform=None)
    (tmp_path / "empty").mkdir()
    with pytest.raises(BadInput, match="holds no images"):
        open_dataset(tmp_path / "empty", output_wnids=MODEL_WNIDS, transform=None)
    jpeg(tmp_path / "mixed" / "n00000001" / "a.JPEG", 1)
    jpeg(tmp_path / "mixed" / "n09999999" / "b.JPEG", 2)
    jpeg(tmp_path / "mixed" / "n09999999" / "c.JPEG", 3)
    data = open_dataset(tmp_path / "mixed", output_wnids=MODEL_WNIDS, transform=None)
    assert [s.wnid for s in data.samples] == ["n00000001"]
    assert data.unmapped == {"n09999999": 2}
    assert data.describe()["unmapped_images"] == 2
    with pytest.raises(BadInput, match="none of its 3 images has a class the model outputs"):
        open_dataset(tmp_path / "mixed", output_wnids=["n00000007"], transform=None)
    with pytest.raises(BadInput, match="limit must be at least 1"):
        open_dataset(tmp_path / "mixed", output_wnids=MODEL_WNIDS, transform=None, limit=0)


def test_shards_partition_limit_and_reopen(folders):
    data = open_dataset(folders, output_wnids=MODEL_WNIDS, transform=to_tensor)
    for world in (1, 2, 3, 4, 11, 13):
        parts = [[s.sample_index for s in data.shard(rank, world).samples] for rank in range(world)]
        flat = [i for part in parts for i in part]
        assert sorted(flat) == list(range(len(data)))
        assert len(flat) == len(set(flat))
    with pytest.raises(BadInput, match="shard rank 3 of world size 3"):
        data.shard(3, 3)
    first = open_dataset(folders, output_wnids=MODEL_WNIDS, transform=to_tensor, limit=4)
    assert first.samples == data.samples[:4]
    assert data.limit(4).samples == first.samples
    shard = data.shard(1, 3)
    sample = shard.samples[2]
    assert shard.sample(sample.sample_index) == sample
    image = shard.open_image(sample.sample_index)
    assert image.mode == "RGB"
    assert image.size == (12, 9)
    with pytest.raises(NotFound, match="no sample with index 0"):
        shard.sample(0)


def test_fingerprint_is_stable_and_sensitive(folders):
    a = open_dataset(folders, output_wnids=MODEL_WNIDS, transform=None).fingerprint
    assert a == open_dataset(folders, output_wnids=list(reversed(MODEL_WNIDS)), transform=None).fingerprint
    jpeg(folders / WNIDS[0] / "img0.JPEG", 0, size=(30, 30))  # same name, new content size
    b = open_dataset(folders, output_wnids=MODEL_WNIDS, transform=None).fingerprint
    assert b != a
    (folders / WNIDS[0] / "img0.JPEG").rename(folders / WNIDS[1] / "img0.JPEG")  # relabelled
    assert open_dataset(folders, output_wnids=MODEL_WNIDS, transform=None).fingerprint not in {a, b}


# --- the shared real data ----------------------------------------------------------------------

def test_shared_val_list_and_synsets_agree_with_shipped_classes():
    wnids, names = imagenet_classes()
    val = SHARED / "imagenet-val-1300"
    assert [w for w, _ in read_synsets(val / "synset_words.txt")] == list(wnids)
    data = open_dataset(val, output_wnids=wnids, transform=None, output_names=names)
    assert len(data) == 1300
    assert len(data.classes) == 725
    labels = {}
    for line in (val / "dataset.txt").read_text().splitlines():
        path, label = line.split(",")
        labels[path.strip().removeprefix("./")] = int(label)
    assert all(labels[s.relpath] == s.label for s in data.samples)


def test_shared_flat_samples_map_one_per_class():
    wnids, _ = imagenet_classes()
    data = open_dataset(SHARED / "imagenet-samples-1000", output_wnids=wnids, transform=None)
    assert data.layout == "flat"
    assert len(data) == 1000
    assert [s.label for s in data.samples] == list(range(1000))
