"""Gradient x input fallback: equals a per-image loop; chosen where the path is not one conv."""

from __future__ import annotations

import torch
from summit.ingest.pipeline import build_ingestor
from torch import nn

from summit.settings import resolve
from tests.ingest.models_zoo import build, random_images
from tests.ingest.tiny import loaded, run_tiny


class TwoConvs(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(7)
        self.conv1 = nn.Conv2d(3, 4, 1)
        self.a = nn.ReLU()
        self.conv2 = nn.Conv2d(4, 5, 1)
        self.b = nn.ReLU()
        self.head = nn.Linear(5, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.b(self.conv2(self.a(self.conv1(x)))).amax(dim=(2, 3)))


def reference(model: TwoConvs, images: torch.Tensor, labels: list[int], targets: int, k: int) -> dict:
    counts: dict[tuple[int, str, str], int] = {}
    weight = model.conv2.weight.detach()[:, :, 0, 0]
    for n in range(images.shape[0]):
        with torch.no_grad():
            x = model.a(model.conv1(images[n : n + 1]))[0]
            y = model.b(model.conv2(x[None]))[0]
        maxima = [float(y[j].max()) for j in range(5)]
        # Summit's order: equal values, the higher channel first
        for _, j in sorted(zip(maxima, range(5), strict=True), reverse=True)[:targets]:
            flat = int(y[j].flatten().argmax())
            active = float(y[j].flatten()[flat]) > 0
            contrib = [float(weight[j, i]) * float(x[i].flatten()[flat]) if active else 0.0 for i in range(4)]
            for value, i in sorted(zip(contrib, range(4), strict=True), reverse=True)[:k]:
                if value == 0.0:
                    continue  # no influence, no edge
                key = (labels[n], f"a:{i}", f"b:{j}")
                counts[key] = counts.get(key, 0) + 1
    return counts


def test_gradient_fallback_equals_loop(tmp_path):
    model = TwoConvs().double().eval()
    images = random_images(9, size=5, seed=8)
    labels = [n % 3 for n in range(9)]
    got = run_tiny(tmp_path, model, ["a", "b"], images, labels, classes=3, batch_size=4,
                   influence="grad", influence_targets=2, influence_topk=2)
    assert [p["rule"] for p in got["manifest"]["influence"]] == ["grad"]
    assert got["influences"] == reference(model, images, labels, targets=2, k=2)


def test_auto_uses_gradient_only_where_not_a_conv_chain():
    model = build("chain")
    ing = build_ingestor(loaded(model, ["body.c1", "body.c3"], 3, 8), resolve({"device": "cpu"}, environ={}),
                         torch.device("cpu"))
    (plan,) = ing.plans
    assert plan.rule == "grad"
    assert "2 channel-mixing convs" in plan.reason


def test_gradient_fallback_adds_no_zero_weight_edges(tmp_path):
    """A dead target (ReLU at 0 everywhere) and a target with one non-zero input: with k = 3 the
    old tie fill would add edges from channels that contribute nothing; there must be none."""
    model = TwoConvs().double().eval()
    with torch.no_grad():
        model.conv1.bias.fill_(0.1)  # every input channel is non-zero somewhere
        model.conv2.weight[0].zero_()
        model.conv2.bias[0] = -1.0  # b:0 is dead on every image
        model.conv2.weight[1].zero_()
        model.conv2.weight[1, 2] = 1.0  # b:1 sees only a:2
        model.conv2.bias[1] = 0.5
    images = random_images(6, size=5, seed=3)
    labels = [n % 3 for n in range(6)]
    got = run_tiny(tmp_path, model, ["a", "b"], images, labels, classes=3, batch_size=4,
                   influence="grad", influence_targets=5, influence_topk=3)
    into = {key[1] for key in got["influences"] if key[2] == "b:1"}
    assert into == {"a:2"}
    assert not [key for key in got["influences"] if key[2] == "b:0"]
    assert got["influences"] == reference(model, images, labels, targets=5, k=3)
    assert any(key[2] not in ("b:0", "b:1") for key in got["influences"])  # the other targets still count
