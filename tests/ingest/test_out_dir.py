"""`--out` is checked before the first image; skipped images are listed by path and reason (issue 20)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from summit.ingest.data import collate, open_dataset
from summit.ingest.out_dir import CHECKPOINT_DIR, prepare_out
from summit.ingest.pipeline import IngestOptions, World, run_ingest

from summit.cli import main
from summit.errors import BadInput
from summit.settings import resolve
from tests.ingest.test_data import MODEL_WNIDS, jpeg, to_tensor, truncated
from tests.ingest.tiny import ConvChain, loaded

SHARED_VAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "imagenet-val-1300"
UNWRITABLE = Path("/sys/summit-test-out")  # refused even to root
BAD = [f"{MODEL_WNIDS[0]}/img7_bad.JPEG", f"{MODEL_WNIDS[1]}/img8_cut.JPEG"]


def test_new_or_empty_folder_is_accepted(tmp_path: Path) -> None:
    prepare_out(tmp_path / "new" / "deeper")
    assert (tmp_path / "new" / "deeper").is_dir()
    assert list((tmp_path / "new" / "deeper").iterdir()) == []  # the write probe is gone
    prepare_out(tmp_path / "new" / "deeper")


def test_unwritable_folders_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(BadInput, match=r"a-file is a file, not a folder"):
        prepare_out(tmp_path / "a-file" / "out")
    with pytest.raises(BadInput, match=r"a-file is a file, not a folder"):
        prepare_out(tmp_path / "a-file")
    with pytest.raises(BadInput, match=r"is not writable"):
        prepare_out(UNWRITABLE)


def test_unrelated_folder_needs_force_and_keeps_its_files(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "manifest.json").write_text('{"mine": true}')
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(BadInput, match=r"is not empty \(manifest.json, notes.txt\).*--force"):
        prepare_out(out)
    with pytest.raises(BadInput, match=r"finished artifact and no interrupted run.*--force"):
        prepare_out(out, resume=True)
    assert (out / "manifest.json").read_text() == '{"mine": true}'
    (out / "classes.parquet").write_bytes(b"old")
    (out / "media" / "examples").mkdir(parents=True)
    prepare_out(out, force=True)
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]  # the artifact's files went, the rest stayed


def test_resume_needs_an_interrupted_run(tmp_path: Path) -> None:
    out = tmp_path / "run"
    (out / "other").mkdir(parents=True)
    with pytest.raises(BadInput, match=r"holds no interrupted run"):
        prepare_out(out, resume=True)
    (out / CHECKPOINT_DIR).mkdir()
    prepare_out(out, resume=True)


def test_cli_checks_out_before_loading_the_model(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import summit.ingest.models

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model was loaded before --out was checked")

    monkeypatch.setattr(summit.ingest.models, "load_model", never)
    (tmp_path / "a-file").write_text("x")
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "manifest.json").write_text('{"someone": "else"}')
    for out, message in ((tmp_path / "a-file" / "out", "is a file, not a folder"),
                         (UNWRITABLE, "is not writable"),
                         (foreign, "is not empty (manifest.json)")):
        code = main(["ingest", "--model", "efficientnet_lite0", "--data", str(SHARED_VAL), "--out", str(out)])
        err = capsys.readouterr().err
        assert code == 2, err
        assert message in err
        assert "Traceback" not in err
    assert (foreign / "manifest.json").read_text() == '{"someone": "else"}'


def image_folders(root: Path) -> Path:
    for k, wnid in enumerate(MODEL_WNIDS[:2]):
        for i in range(3):
            jpeg(root / wnid / f"img{i}.JPEG", 30 * k + i)
    (root / MODEL_WNIDS[0] / "img7_bad.JPEG").write_bytes(b"not an image at all")
    truncated(root / MODEL_WNIDS[1] / "img8_cut.JPEG")
    return root


def test_item_and_batch_carry_the_reason(tmp_path: Path) -> None:
    data = open_dataset(image_folders(tmp_path / "images"), output_wnids=MODEL_WNIDS, transform=to_tensor)
    bad = [i for i in range(len(data)) if data[i].image is None]
    assert sorted(data.sample(i).relpath for i in bad) == sorted(BAD)
    batch = collate([data[i] for i in range(len(data))])
    assert sorted(batch.reasons) == bad
    assert all(reason.split(":")[0].endswith(("Error", "Exception")) for reason in batch.reasons.values())
    assert str(tmp_path) not in "".join(batch.reasons.values())  # no absolute paths in the manifest


def test_manifest_lists_skipped_images_by_path_and_reason(tmp_path: Path) -> None:
    data = open_dataset(image_folders(tmp_path / "images"), output_wnids=MODEL_WNIDS, transform=to_tensor)
    model = loaded(ConvChain(classes=4), ["body.c1", "body.c2", "body.c3"], 4, 4)
    model.output_wnids[:] = MODEL_WNIDS
    settings = resolve({"workers": 0, "device": "cpu", "batch_size": 3}, environ={})
    torch.manual_seed(0)
    out = tmp_path / "artifact"
    run_ingest(model, data, settings, IngestOptions(out, progress=False, write_examples=False), world=World())
    dataset = json.loads((out / "manifest.json").read_text())["dataset"]
    assert dataset["skipped_images"] == 2
    listed = {entry["path"]: entry["reason"] for entry in dataset["skipped"]}
    assert sorted(listed) == sorted(BAD)
    assert listed[BAD[0]] == f"UnidentifiedImageError: cannot identify image file '{BAD[0]}'"
    assert "truncated" in listed[BAD[1]].lower()
    with pytest.raises(BadInput, match="is not empty"):  # the same run again needs --force ...
        run_ingest(model, data, settings, IngestOptions(out, progress=False, write_examples=False), world=World())
    run_ingest(model, data, settings, IngestOptions(out, progress=False, write_examples=False, force=True),
               world=World())  # ... and then succeeds
    assert json.loads((out / "manifest.json").read_text())["dataset"]["skipped_images"] == 2
