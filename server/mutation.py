"""The root Mutation: notes, the only thing users write. Every field checks ``Context.can_write``."""

from __future__ import annotations

import strawberry
from summit.server.context import Info
from summit.server.limits import check_neuron_id
from summit.server.types.note import Note, NoteKind

from summit.errors import Forbidden

NO_RIGHTS = ("this request may not change notes: a public (--public) server is read-only; with an access token, "
             "open a link from whoever runs the server (summit share); without one, only this machine "
             "(http://127.0.0.1 or localhost) writes")


def _check_rights(info: Info) -> None:
    info.context.no_store()
    if not info.context.can_write:
        raise Forbidden(NO_RIGHTS)


@strawberry.type
class Mutation:
    @strawberry.mutation(description=(
        "Write (or replace) the note on a neuron (target = its id) or on a group (target = its id in the "
        "view, neurons = its members) of a model. Needs write rights."))
    async def set_note(
        self, info: Info, model: str, kind: NoteKind, target: str, text: str, neurons: list[str] | None = None,
    ) -> Note:
        _check_rights(info)
        for i, nid in enumerate(neurons or []):
            check_neuron_id(nid, f"neurons[{i}]")
        gateway = info.context.gateway
        record = await gateway.call(gateway.store.set_note, model, kind.value, target, neurons or [], text)
        return Note.from_record(record)

    @strawberry.mutation(description="Remove a note; false when there was none. Needs write rights.")
    async def delete_note(self, info: Info, model: str, kind: NoteKind, target: str) -> bool:
        _check_rights(info)
        gateway = info.context.gateway
        return await gateway.call(gateway.store.delete_note, model, kind.value, target)
