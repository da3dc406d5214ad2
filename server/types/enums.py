"""GraphQL enums shared by several fields."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="Order of a class list.")
class ClassSort(Enum):
    INDEX = "index"
    NAME = strawberry.enum_value("name", description="By name, A to Z.")
    ACCURACY = strawberry.enum_value("accuracy", description="Highest top-1 accuracy first.")
    SIMILARITY = strawberry.enum_value("similarity", description="Most similar to `similarTo` first.")


@strawberry.enum(description="How a path's score combines its edge weights.")
class PathMode(Enum):
    SUM = "sum"
    BOTTLENECK = "bottleneck"


@strawberry.enum(description="Which influence edges of a neuron: incoming, outgoing or both.")
class Direction(Enum):
    IN = "in"
    OUT = "out"
    BOTH = "both"
