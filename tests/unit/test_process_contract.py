"""The event contract of a meeting's room: a stale snapshot plus the room's events since its seq
equals a fresh snapshot — after every use case of the agenda, comments and materials. The reducer
here is the one the page runs (app/static/js/agenda.js): upsert or remove by id, order by
``agenda.reordered``."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from app.models import EventRecord
from app.realtime.events_process import AgendaItemCreated, CommentCreated, MaterialAdded, MeetingUpdated
from app.services import agenda, comments, materials, meetings
from app.services.comments import Target
from app.services.meeting_page import snapshot
from app.services.process_inputs import (
    AcceptInput,
    AgendaItemInput,
    AnswerInput,
    CarryOverInput,
    CommentInput,
    ConclusionInput,
    HideInput,
    MaterialInput,
    MeetingInput,
    MoveInput,
    OrderInput,
    ProposalInput,
)
from tests.factories import make_meeting
from tests.unit.process_world import build


def normalised(state: dict[str, Any]) -> dict[str, Any]:
    """A snapshot in wire form (what the events carry)."""
    return {
        "meeting": MeetingUpdated(**state["meeting"]).payload(),
        "items": {i: AgendaItemCreated(**d).payload() for i, d in state["items"].items()},
        "order": state["order"],
        "comments": {i: CommentCreated(**d).payload() for i, d in state["comments"].items()},
        "materials": {i: MaterialAdded(**d).payload() for i, d in state["materials"].items()},
    }


def reduce(state: dict[str, Any], kind: str, data: dict[str, Any]) -> None:
    if kind.startswith("agenda_item."):
        state["items"][data["id"]] = data
    elif kind == "agenda.reordered":
        for position, item_id in enumerate(data["item_ids"]):
            state["items"][item_id] = {**state["items"][item_id], "position": position}
    elif kind.startswith("comment.") and data["agenda_item_id"] is not None:
        state["comments"][data["id"]] = data
    elif kind == "material.added":
        state["materials"][data["id"]] = data
    elif kind == "material.removed":
        state["materials"].pop(data["id"], None)
    elif kind == "meeting.updated":
        state["meeting"] = data
    accepted = [i for i in state["items"].values() if i["status"] == "accepted"]
    state["order"] = [i["id"] for i in sorted(accepted, key=lambda i: (i["position"], i["id"]))]


def caught_up(session, stale: dict[str, Any], seq: int, room: str) -> dict[str, Any]:
    state = copy.deepcopy(stale)
    for record in session.exec(select(EventRecord).where(EventRecord.room == room, EventRecord.seq > seq)
                               .order_by(EventRecord.seq)):
        reduce(state, record.type, record.data)
    return state


@pytest.fixture
def w(session):
    return build(session)


def test_stale_state_plus_events_equals_fresh_state_for_every_use_case(w, tmp_path):
    s, mette, ali, birgit = w.session, w.actor("mette"), w.actor("ali"), w.actor("birgit")
    room, meeting_id = f"meeting:{w.meeting.id}", w.meeting.id
    later = make_meeting(s, w.phase1, "Workshop 2", starts_in=timedelta(days=30))
    ids: dict[str, int] = {}

    def add(title: str) -> None:
        ids[title] = agenda.add_item(s, mette, meeting_id, inputs=AgendaItemInput(title=title, planned_minutes=10)).id

    def propose(title: str) -> None:
        ids[title] = agenda.propose_item(s, ali, meeting_id, inputs=ProposalInput(title=title, reason="Fordi")).id

    def comment(title: str, who=None) -> None:
        ids[f"c:{title}"] = comments.add_comment(s, who or birgit, Target.agenda_item(ids[title]),
                                                 inputs=CommentInput(body=f"Om {title}")).id

    def material(**where: Any) -> None:
        ids["m"] = materials.add_material(s, ali, w.project.id, inputs=MaterialInput(url="https://kk.dk", **where)).id

    steps = [
        lambda: [add(t) for t in ("Velkomst", "Idéer", "Næste skridt")],
        lambda: agenda.update_item(s, mette, ids["Idéer"], inputs=AgendaItemInput(title="Idéer!", description="x")),
        lambda: agenda.move_item(s, mette, ids["Næste skridt"], inputs=MoveInput(direction="up")),
        lambda: agenda.reorder(s, mette, meeting_id, inputs=OrderInput(
            order=(ids["Idéer"], ids["Velkomst"], ids["Næste skridt"]))),
        lambda: propose("Bænke"),
        lambda: comment("Bænke", ali),
        lambda: agenda.accept_proposal(s, mette, ids["Bænke"], inputs=AcceptInput(answer="Ja", planned_minutes=5)),
        lambda: propose("Kage"),
        lambda: agenda.decline_proposal(s, mette, ids["Kage"], inputs=AnswerInput(answer="Næste gang")),
        lambda: comment("Velkomst"),
        lambda: comments.edit_comment(s, birgit, ids["c:Velkomst"], inputs=CommentInput(body="Rettet")),
        lambda: comments.hide_comment(s, mette, ids["c:Velkomst"], inputs=HideInput(reason="Tone")),
        lambda: comments.show_comment(s, mette, ids["c:Velkomst"]),
        lambda: material(agenda_item_id=ids["Idéer"]),
        lambda: material(meeting_id=meeting_id),
        lambda: materials.remove_material(s, mette, ids["m"]),
        lambda: agenda.record_conclusion(s, mette, ids["Velkomst"], inputs=ConclusionInput(conclusion="Godt")),
        lambda: agenda.remove_item(s, mette, ids["Næste skridt"]),
        lambda: agenda.carry_over(s, mette, meeting_id, inputs=CarryOverInput(to_meeting_id=later.id,
                                                                              item_ids=(ids["Idéer"],))),
        lambda: meetings.update_meeting(s, mette, meeting_id, inputs=MeetingInput(
            kind="lab", title="Laboratorium", day=w.meeting.starts_at.date(), starts=w.meeting.starts_at.time())),
    ]
    first = snapshot(s, w.actor("follower"), meeting_id)
    for number, step in enumerate(steps):
        before = snapshot(s, w.actor("follower"), meeting_id)
        step()
        fresh = normalised(snapshot(s, w.actor("follower"), meeting_id))
        assert caught_up(s, normalised(before), before["seq"], room) == fresh, f"step {number}"
        assert caught_up(s, normalised(first), first["seq"], room) == fresh, f"from the start, step {number}"
    assert snapshot(s, w.actor("follower"), meeting_id)["seq"] > len(steps)
