"""The event contract of the live room: a stale page state plus the room's events since its seq
equals a fresh one — after every use case of the live workshop. The reducer here is the one the live
pages run (app/static/js/live.js): upsert by id, merging into the idea's defaults. Tallies are the
exception by design: ballots are private and their counts travel as ephemeral ``vote.tallied``
frames, so vote states are compared without ``tally`` and ``voters`` (a page refetches them after a
reconnect)."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from app.models import EventRecord
from app.services import agenda, agreements, comments, ideas, ideas_live, live, votes
from app.services.comments import Target
from app.services.live_state import room_state
from app.services.process_inputs import AgendaItemInput, CommentInput, HideInput
from tests.unit.live_world import LiveWorld, build

IDEA_DEFAULTS = {"status": "new", "decision_note": "", "decided_at": None, "merged_into_id": None, "hidden": False,
                 "hidden_reason": "", "group_heading": ""}
AGGREGATES = ("tally", "voters")


def normalised(state: dict[str, Any]) -> dict[str, Any]:
    ideas_by_id = {idea["id"]: {**IDEA_DEFAULTS, **idea} for idea in state["ideas"]}
    return {
        "live": state["live"],
        "agenda": sorted(({k: i[k] for k in ("id", "title", "description", "planned_minutes", "position")}
                          for i in state["agenda"]), key=lambda i: (i["position"], i["id"])),
        "ideas": ideas_by_id,
        "votes": {v["id"]: {k: x for k, x in v.items() if k not in AGGREGATES} for v in state["votes"]},
        "agreements": {a["id"]: a for a in state["agreements"]},
        "comments": {c["id"]: c for c in state["comments"]},
    }


def reduce(state: dict[str, Any], kind: str, data: dict[str, Any]) -> None:
    def idea(d: dict[str, Any]) -> None:
        state["ideas"][d["id"]] = {**IDEA_DEFAULTS, **state["ideas"].get(d["id"], {}), **d}

    if kind == "idea.merged":
        idea(data["duplicate"])
        idea(data["target"])
    elif kind == "idea.grouped":
        for one in data["ideas"]:
            idea(one)
    elif kind == "idea.decided":
        idea(data["idea"])
        for agreement in data["agreements"]:
            state["agreements"][agreement["id"]] = agreement
    elif kind.startswith("idea."):
        idea(data)
    elif kind == "agreement.created":
        state["agreements"][data["id"]] = data
    elif kind.startswith("live."):
        state["live"] = data
    elif kind.startswith("vote."):
        state["votes"][data["id"]] = {k: x for k, x in data.items() if k not in AGGREGATES}
    elif kind.startswith("comment."):
        state["comments"][data["id"]] = data
    elif kind.startswith("agenda_item."):
        state["agenda"] = [i for i in state["agenda"] if i["id"] != data["id"]]
        if data["status"] == "accepted":
            state["agenda"].append({k: data[k] for k in ("id", "title", "description", "planned_minutes", "position")})
        state["agenda"].sort(key=lambda i: (i["position"], i["id"]))


def caught_up(session, stale: dict[str, Any], seq: int, room: str) -> dict[str, Any]:
    state = copy.deepcopy(stale)
    for record in session.exec(select(EventRecord).where(EventRecord.room == room, EventRecord.seq > seq)
                               .order_by(EventRecord.seq)):
        reduce(state, record.type, record.data)
    return state


@pytest.fixture
def w(session) -> LiveWorld:
    return build(session)


def test_stale_state_plus_events_equals_fresh_state_for_every_live_use_case(w):
    s, mette = w.session, w.mette
    ali, bo = w.actor(w.ali), w.actor(w.bo)
    meeting_id, room = w.meeting.id, f"meeting:{w.meeting.id}"
    ids: dict[str, int] = {}

    def submit(title: str, who: Any = None) -> None:
        ids[title] = ideas.submit_idea(s, who or ali, meeting_id, title=title).id

    def dot_vote() -> None:
        ids["vote"] = votes.open_vote(s, mette, meeting_id, inputs=votes.VoteInput(
            kind="dots", question="Hvad går videre?", idea_ids=[ids["Bænke"], ids["Borde"]], dots_per_person=3)).id

    def ballot(who: Any, n: int) -> None:
        option = votes.options_of(s, ids["vote"])[0]
        votes.cast_ballot(s, who, ids["vote"], dots={str(option.id): n})

    def open_question() -> None:
        ids["open"] = votes.open_vote(s, mette, meeting_id, inputs=votes.VoteInput(
            kind="open", question="Ét ord?", results_live=True)).id
        votes.cast_ballot(s, ali, ids["open"], answers=["Grøn", "Skidt"])
        ids["answer"] = next(o.id for o in votes.options_of(s, ids["open"]) if o.label == "Skidt")

    def agreement(title: str, **more: Any) -> agreements.AgreementInput:
        return agreements.AgreementInput(title=title, owner_id=w.bo.id, deadline=agreements.today() + timedelta(days=9),
                                         **more)

    steps = [
        lambda: live.start_session(s, mette, meeting_id),
        lambda: live.set_focus(s, mette, meeting_id, item_id=w.items[0].id),
        lambda: submit("Bænke"),
        lambda: [submit("Borde", bo), submit("Grimt", bo), submit("Flere bænke")],
        lambda: live.adjust_timer(s, mette, meeting_id, add_minutes=5),
        lambda: ideas_live.hide_idea(s, mette, ids["Grimt"], reason="Sprog"),
        lambda: ideas_live.merge_idea(s, mette, ids["Flere bænke"], into_id=ids["Bænke"]),
        lambda: ideas_live.group_ideas(s, mette, meeting_id, idea_ids=[ids["Bænke"], ids["Borde"]], heading="Møbler"),
        lambda: ideas_live.restore_idea(s, mette, ids["Grimt"]),
        lambda: live.set_focus(s, mette, meeting_id, item_id=w.items[2].id),
        dot_vote,
        lambda: [ballot(ali, 2), ballot(bo, 3), ballot(ali, 1)],
        lambda: votes.reveal_vote(s, mette, ids["vote"]),
        lambda: votes.lock_vote(s, mette, ids["vote"]),
        lambda: votes.reopen_vote(s, mette, ids["vote"]),
        lambda: votes.close_vote(s, mette, ids["vote"]),
        open_question,
        lambda: votes.hide_answer(s, mette, ids["answer"], reason="Sprog"),
        lambda: votes.restore_answer(s, mette, ids["answer"]),
        lambda: ideas_live.decide_idea(s, mette, ids["Bænke"], decision="go-on", note="Flest prikker",
                                       agreements=[agreement("Sæt bænke op")]),
        lambda: agreements.create_agreement(s, mette, ids["Bænke"], inputs=agreement("Spørg kommunen")),
        lambda: ideas_live.decide_idea(s, mette, ids["Borde"], decision="parked", note="Senere"),
        lambda: comments.add_comment(s, bo, Target.agenda_item(w.items[2].id), inputs=CommentInput(body="Godt!")),
        lambda: comments.hide_comment(s, mette, comments.comments_on(s, agenda_item_ids=[w.items[2].id])[0]["id"],
                                      inputs=HideInput(reason="Tone")),
        lambda: agenda.add_item(s, mette, meeting_id, inputs=AgendaItemInput(title="Eventuelt", planned_minutes=5)),
        lambda: live.set_anonymous(s, mette, meeting_id, anonymous=True),
        lambda: submit("Anonym idé", bo),
        lambda: live.set_anonymous(s, mette, meeting_id, anonymous=False),
        lambda: live.end_session(s, mette, meeting_id),
    ]
    viewer = w.actor(w.follower)
    first = room_state(s, viewer, meeting_id)
    for number, step in enumerate(steps):
        before = room_state(s, viewer, meeting_id)
        step()
        fresh = normalised(room_state(s, viewer, meeting_id))
        assert caught_up(s, normalised(before), before["seq"], room) == fresh, f"step {number}"
        assert caught_up(s, normalised(first), first["seq"], room) == fresh, f"from the start, step {number}"


def test_a_fresh_state_carries_the_latest_tally_with_its_version(w):
    s = w.session
    live.start_session(s, w.mette, w.meeting.id)
    idea_ids = [ideas.submit_idea(s, w.actor(w.ali), w.meeting.id, title=t).id for t in ("A", "B")]
    vote = votes.open_vote(s, w.mette, w.meeting.id, inputs=votes.VoteInput(
        kind="dots", question="?", idea_ids=idea_ids, results_live=True))
    option = str(votes.options_of(s, vote.id)[0].id)
    votes.cast_ballot(s, w.actor(w.ali), vote.id, dots={option: 2})
    votes.cast_ballot(s, w.actor(w.bo), vote.id, dots={option: 1})
    state = room_state(s, w.actor(w.ali), w.meeting.id)
    tally = state["votes"][0]["tally"]
    assert (tally["version"], tally["voters"], tally["counts"][option]) == (2, 2, 3)
    assert state["ballots"] == {str(vote.id): {"dots": {option: 2}}}  # only one's own ballot
