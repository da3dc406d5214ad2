"""GraphQL types Note and NoteKind, and the input type of a subgraph's edges."""

from __future__ import annotations

from enum import Enum

import strawberry

from summit.store import base


@strawberry.enum(description="What a note is about.")
class NoteKind(Enum):
    NEURON = strawberry.enum_value("neuron", description="One neuron; target = its id.")
    GROUP = strawberry.enum_value("group", description="A group of neurons; target = the group's id in a view.")


@strawberry.type(description="A user's note on a neuron or group, kept per model across reloads.")
class Note:
    kind: NoteKind
    target: str
    neurons: list[str] = strawberry.field(description="The neuron, or the group's members when it was written.")
    text: str
    updated: str = strawberry.field(description="When it last changed (ISO 8601, UTC).")

    @classmethod
    def from_record(cls, record: base.Note) -> Note:
        return cls(kind=NoteKind(record.kind), target=record.target, neurons=list(record.neurons),
                   text=record.text, updated=record.updated)


@strawberry.input(description="A directed edge between two neurons (lower layer first).")
class EdgeInput:
    src: str
    dst: str
