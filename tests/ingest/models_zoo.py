"""Small random CNNs with the block types ingest knows (float64, seeded), plus their hand-written pairs."""

from __future__ import annotations

import torch
from torch import nn
from torchvision.models.googlenet import Inception
from torchvision.models.resnet import BasicBlock, Bottleneck

from tests.ingest.reference import Pair
from tests.ingest.tiny import ConvChain, randomize_bn


class TinyInception(nn.Module):
    """stem conv -> relu 'a' -> maxpool -> Inception 'inc' (2 + 3 + 3 + 2 = 10 channels) -> head."""

    def __init__(self, classes: int = 3):
        super().__init__()
        self.stem = nn.Conv2d(3, 4, 3, padding=1)
        self.a = nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.inc = Inception(4, 2, 2, 3, 2, 3, 2)
        self.head = nn.Linear(10, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.inc(self.pool(self.a(self.stem(x)))).amax(dim=(2, 3)))


def inception_pairs() -> list[Pair]:
    p = "inc."
    c = lambda path: (p + path + ".conv", p + path + ".bn", p + path + ".conv")  # noqa: E731
    return [Pair(
        "a", "inc",
        direct=[(c("branch1"), 0), ((p + "branch4.1.conv", p + "branch4.1.bn", "inc"), 8)],
        chains=[([c("branch2.0"), c("branch2.1")], 2), ([c("branch3.0"), c("branch3.1")], 5)],
    )]


class TinyInvertedResiduals(nn.Module):
    """stem conv + BN + ReLU6 'a' -> IR 'ir1' (4 -> 4, skip) -> IR 'ir2' (4 -> 6, no skip) -> head."""

    def __init__(self, classes: int = 3):
        super().__init__()
        from timm.models._efficientnet_blocks import InvertedResidual

        self.stem = nn.Conv2d(3, 4, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(4)
        self.a = nn.ReLU6()
        self.ir1 = InvertedResidual(4, 4, dw_kernel_size=3, exp_ratio=3.0, act_layer=nn.ReLU6)
        self.ir2 = InvertedResidual(4, 6, dw_kernel_size=3, exp_ratio=2.0, act_layer=nn.ReLU6)
        self.head = nn.Linear(6, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.ir2(self.ir1(self.a(self.bn(self.stem(x)))))
        return self.head(x.amax(dim=(2, 3)))


def ir_pairs() -> list[Pair]:
    def chain(b: str) -> list[tuple[str, str | None, str]]:
        return [(f"{b}.conv_pw", f"{b}.bn1", f"{b}.conv_pw"), (f"{b}.conv_pwl", f"{b}.bn3", f"{b}.conv_pwl")]
    return [Pair("a", "ir1", chains=[(chain("ir1"), 0)], skip="ir1"), Pair("ir1", "ir2", chains=[(chain("ir2"), 0)])]


class TinyResNet(nn.Module):
    """stem 'a' -> BasicBlock 'b1' (4 -> 6, stride 2, downsample) -> BasicBlock 'b2' (skip) -> Bottleneck 'b3'."""

    def __init__(self, classes: int = 3):
        super().__init__()
        self.stem = nn.Conv2d(3, 4, 3, padding=1, bias=False)
        self.a = nn.ReLU()
        self.b1 = BasicBlock(4, 6, stride=2, downsample=nn.Sequential(nn.Conv2d(4, 6, 1, stride=2, bias=False),
                                                                        nn.BatchNorm2d(6)))
        self.b2 = BasicBlock(6, 6)
        self.b3 = Bottleneck(6, 2, downsample=nn.Sequential(nn.Conv2d(6, 8, 1, bias=False), nn.BatchNorm2d(8)))
        self.head = nn.Linear(8, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.b3(self.b2(self.b1(self.a(self.stem(x))))).amax(dim=(2, 3)))


def resnet_pairs() -> list[Pair]:
    def convs(b: str, n: int) -> list[tuple[str, str | None, str]]:
        return [(f"{b}.conv{k}", f"{b}.bn{k}", f"{b}.conv{k}") for k in range(1, n + 1)]
    ds = lambda b: ((f"{b}.downsample.0", f"{b}.downsample.1", f"{b}.downsample.0"), 0)  # noqa: E731
    return [
        Pair("a", "b1", direct=[ds("b1")], chains=[(convs("b1", 2), 0)]),
        Pair("b1", "b2", chains=[(convs("b2", 2), 0)], skip="b2"),
        Pair("b2", "b3", direct=[ds("b3")], chains=[(convs("b3", 3), 0)]),
    ]


def chain_pairs() -> list[Pair]:
    return [
        Pair(f"body.c{n}", f"body.c{n + 1}", direct=[((f"body.conv{n + 1}", f"body.bn{n + 1}", f"body.conv{n + 1}"), 0)])
        for n in (1, 2)
    ]


ZOO = {
    "chain": (lambda: ConvChain(), ["body.c1", "body.c2", "body.c3"], chain_pairs, ["onehop", "onehop"]),
    "inception": (lambda: TinyInception(), ["a", "inc"], inception_pairs, ["composed"]),
    "inverted_residual": (lambda: TinyInvertedResiduals(), ["a", "ir1", "ir2"], ir_pairs, ["composed", "composed"]),
    "resnet": (lambda: TinyResNet(), ["a", "b1", "b2", "b3"], resnet_pairs, ["composed"] * 3),
}


def build(name: str, seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    model = ZOO[name][0]()
    return randomize_bn(model, seed).double().eval()


def random_images(n: int, size: int = 8, seed: int = 0) -> torch.Tensor:
    return torch.randn(n, 3, size, size, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
