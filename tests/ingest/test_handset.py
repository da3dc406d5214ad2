"""Hand-set tiny CNNs: every A and I count below was worked out by hand and is written as a literal."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torchvision.models.googlenet import Inception

from summit.artifact import open_artifact, read_table
from tests.ingest.tiny import run_tiny


class HandSet(nn.Module):
    """x (RGB, blue unused) -> 1x1 conv W1 -> relu 'a' (3 ch) -> 1x1 conv W2 -> relu 'b' (2 ch) -> max -> linear."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 3, 1, bias=False)
        self.a = nn.ReLU()
        self.conv2 = nn.Conv2d(3, 2, 1, bias=False)
        self.b = nn.ReLU()
        self.head = nn.Linear(2, 2)
        with torch.no_grad():
            self.conv1.weight.copy_(torch.tensor([[1.0, 0, 0], [0, 1, 0], [1, 1, 0]])[:, :, None, None])
            self.conv2.weight.copy_(torch.tensor([[1.0, -1, 0], [0, 1, 1]])[:, :, None, None])
            self.head.weight.copy_(torch.tensor([[0.0, 1], [1, 0]]))
            self.head.bias.copy_(torch.tensor([0.0, 0.5]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.b(self.conv2(self.a(self.conv1(x)))).amax(dim=(2, 3)))


def handset_images() -> torch.Tensor:
    images = torch.zeros(3, 3, 2, 2, dtype=torch.float64)
    images[0, 0, 0, 0], images[0, 1, 1, 1] = 1, 2  # a maxima (1, 2, 2), b maxima (1, 4)
    images[1, 0, 0, 1], images[1, 1, 1, 0] = 3, 1  # a maxima (3, 1, 3), b maxima (3, 3)
    images[2] = 5  # "corrupt": never read
    return images


def test_handset_counts(tmp_path):
    got = run_tiny(tmp_path, HandSet().double(), ["a", "b"], handset_images(), [0, 1, 0], classes=2,
                   batch_size=2, corrupt={2}, examples=True, influence_topk=1, activation_mass=0.5,
                   graph_activation_mass=0.9, examples_per_neuron=2)
    # image 0 (class 0): p(a) = (.2, .4, .4) -> a:2, a:1 ; p(b) = (.2, .8) -> b:1
    # image 1 (class 1): p(a) = (3, 1, 3)/7 -> a:2, a:0 ; p(b) = (.5, .5) -> b:1 (tie: the higher channel)
    assert got["acts"] == {(0, "a:1"): 1, (0, "a:2"): 1, (0, "b:1"): 1,
                           (1, "a:0"): 1, (1, "a:2"): 1, (1, "b:1"): 1}
    # at mass 0.9 every channel of both images is taken (the last one crosses 0.9)
    assert got["graph_acts"] == {(c, n): 1 for c in (0, 1) for n in ("a:0", "a:1", "a:2", "b:0", "b:1")}
    assert got["sums"] == {(0, "a:0"): 1.0, (0, "a:1"): 2.0, (0, "a:2"): 2.0, (0, "b:0"): 1.0, (0, "b:1"): 4.0,
                           (1, "a:0"): 3.0, (1, "a:1"): 1.0, (1, "a:2"): 3.0, (1, "b:0"): 3.0, (1, "b:1"): 3.0}
    # one hop, top-1 input per output: image 0: b0 <- a0 (1 vs 0 vs 0), b1 <- a2 (2 = 2: tie, higher index)
    # image 1: b0 <- a0 (3), b1 <- a2 (3 > 1)
    assert got["influences"] == {(0, "a:0", "b:0"): 1, (0, "a:2", "b:1"): 1,
                                 (1, "a:0", "b:0"): 1, (1, "a:2", "b:1"): 1}
    classes = got["classes"]
    assert classes["images"].to_list() == [1, 1]
    assert classes["top1_correct"].to_list() == [1, 1]  # logits (4, 1.5) and (3, 3.5)
    hist = classes["prob_hist"].to_list()
    assert hist[0][18] == 1
    assert sum(hist[0]) == 1
    assert hist[1][12] == 1
    assert sum(hist[1]) == 1
    # both images are classified correctly, so the top-1 confidence is the true-class probability
    assert classes["top1_prob_hist"].to_list() == hist
    manifest = open_artifact(got["path"])
    assert manifest["dataset"]["skipped_images"] == 1
    assert manifest["dataset"]["images"] == 3
    assert [p["rule"] for p in manifest["influence"]] == ["onehop"]
    examples = read_table(got["path"], "examples").filter(neuron_id="a:0")
    assert examples["image"].to_list() == ["1", "0"]
    assert examples["score"].to_list() == [3.0, 1.0]
    for media in read_table(got["path"], "examples")["media"]:
        assert (got["path"] / "media" / media).stat().st_size > 0


class HandInception(nn.Module):
    """relu 'a' (the RGB input; blue stays 0) -> Inception 'inc' with one channel per branch."""

    def __init__(self) -> None:
        super().__init__()
        self.a = nn.ReLU()
        self.inc = Inception(3, 1, 1, 1, 1, 1, 1)
        self.head = nn.Linear(4, 2)
        weights = {
            "branch1.conv": [1.0, 0.0, 0.0],
            "branch2.0.conv": [0.0, 1.0, 0.0],
            "branch3.0.conv": [1.0, 1.0, 0.0],
            "branch4.1.conv": [-1.0, 2.0, 0.0],
        }
        modules = dict(self.inc.named_modules())
        with torch.no_grad():
            for path, w in weights.items():
                modules[path].weight.copy_(torch.tensor(w)[None, :, None, None])
            for path in ("branch2.1.conv", "branch3.1.conv"):
                modules[path].weight.fill_(1.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.inc(self.a(x)).amax(dim=(2, 3)))


def test_inception_two_hop_and_pool_rules(tmp_path):
    images = torch.zeros(2, 3, 3, 3, dtype=torch.float64)
    images[0, 0, 1, 1], images[0, 1, 0, 0] = 3, 1  # maxima (3, 1)
    images[1, 0, 1, 1], images[1, 1, 2, 2] = 1, 2  # maxima (1, 2)
    got = run_tiny(tmp_path, HandInception().double(), ["a", "inc"], images, [0, 0], classes=2,
                   influence_topk=1)
    # branch1 (1, 0): a0 both images -> inc:0 <- a:0 twice (one hop)
    # branch2 reduce (0, 1) picks a1 twice, its 3x3 has one input: widest path min(2, 2) = 2
    # branch3 reduce (1, 1) picks a0 (image 0) and a1 (image 1): weights 1 and 1; E = 2 distinct
    #   one-hop pairs / 2 one-hop outputs = 1 edge kept, the tie goes to the higher index a1
    # pool branch (-1, 2) on a directly: -1 * min(a0) = 0 < 2 * max(a1) -> inc:3 <- a:1 twice
    assert got["influences"] == {(0, "a:0", "inc:0"): 2, (0, "a:1", "inc:1"): 2,
                                 (0, "a:1", "inc:2"): 1, (0, "a:1", "inc:3"): 2}
    (pair,) = got["manifest"]["influence"]
    assert pair["rule"] == "composed"
    assert pair["edges_per_target_mean"] == pytest.approx(1.0)
