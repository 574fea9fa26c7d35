"""Handling ideas in the live room, on SQLite and PostgreSQL: hide and restore, merge, group, decide
(go on with agreements made on the spot), and what a page starts from."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models import Agreement, AgreementIdea, Idea
from app.services import agreements, ideas_live, live
from app.services.live_state import room_state
from tests.conftest import count
from tests.unit.live_world import LiveWorld, build, clear_events, event_types, events


@pytest.fixture
def world(session) -> LiveWorld:
    w = build(session)
    live.start_session(session, w.mette, w.meeting.id)
    live.set_focus(session, w.mette, w.meeting.id, item_id=w.items[1].id)
    clear_events(session)
    return w


def _agreement(world: LiveWorld, **fields) -> agreements.AgreementInput:
    values = {"title": "Bænke ved søen opstilles", "owner_id": world.ali.id,
              "deadline": (agreements.today() + timedelta(days=30)).isoformat()}
    return agreements.AgreementInput(**{**values, **fields})


def test_a_hidden_idea_travels_without_its_text_and_comes_back(session, world):
    idea = world.idea("Noget grimt", body="Meget grimt")
    ideas_live.hide_idea(session, world.mette, idea.id, reason="Ikke en idé")
    frame = events(session)[0]
    assert frame["type"] == "idea.hidden" and frame["room"] == f"meeting:{world.meeting.id}"
    data = frame["data"]
    assert (data["hidden"], data["title"], data["body"], data["author_name"], data["hidden_reason"]) == \
        (True, "", "", "", "Ikke en idé")
    clear_events(session)
    ideas_live.restore_idea(session, world.mette, idea.id)
    data = events(session)[0]["data"]
    assert (data["hidden"], data["title"], data["author_name"]) == (False, "Noget grimt", "Ali")


def test_hiding_needs_a_reason_and_a_facilitator(session, world):
    idea = world.idea("Idé")
    with pytest.raises(InvalidInput) as caught:
        ideas_live.hide_idea(session, world.mette, idea.id, reason="  ")
    assert "reason" in caught.value.fields
    with pytest.raises(Forbidden):
        ideas_live.hide_idea(session, world.actor(world.ali), idea.id, reason="Min egen")
    assert session.get(Idea, idea.id).hidden_at is None and events(session) == []


def test_merging_a_duplicate_points_it_and_its_duplicates_at_the_target(session, world):
    bench, bench2, bench3 = world.idea("Bænke"), world.idea("Flere bænke"), world.idea("Bænk ved søen")
    ideas_live.merge_idea(session, world.mette, bench3.id, into_id=bench2.id)
    ideas_live.merge_idea(session, world.mette, bench2.id, into_id=bench.id)
    assert (bench2.merged_into_id, bench3.merged_into_id) == (bench.id, bench.id)
    frame = events(session)[-1]
    assert frame["type"] == "idea.merged"
    assert (frame["data"]["duplicate"]["merged_into_id"], frame["data"]["target"]["id"]) == (bench.id, bench.id)
    with pytest.raises(InvalidInput):
        ideas_live.merge_idea(session, world.mette, bench.id, into_id=bench.id)
    with pytest.raises(InvalidInput):  # into a duplicate of itself
        ideas_live.merge_idea(session, world.mette, bench.id, into_id=bench2.id)


def test_grouping_puts_ideas_under_a_heading(session, world):
    a, b = world.idea("Bænke"), world.idea("Borde")
    ideas_live.group_ideas(session, world.mette, world.meeting.id, idea_ids=[a.id, b.id], heading="  Møbler  i gården")
    frame = events(session)[0]
    assert frame["type"] == "idea.grouped" and frame["data"]["heading"] == "Møbler i gården"
    assert [i["group_heading"] for i in frame["data"]["ideas"]] == ["Møbler i gården"] * 2
    with pytest.raises(InvalidInput):
        ideas_live.group_ideas(session, world.mette, world.meeting.id, idea_ids=[a.id, 99999], heading="X")


def test_go_on_turns_the_idea_into_agreements_on_the_spot(session, world):
    idea = world.idea("Bænke ved søen")
    decided, made = ideas_live.decide_idea(
        session, world.mette, idea.id, decision="go-on", note="Alle var enige",
        agreements=[_agreement(world), _agreement(world, title="Spørg kommunen om lov", owner_id=world.bo.id)])
    assert decided.status == "go-on" and decided.agenda_item_id == world.items[1].id
    assert [a.title for a in made] == ["Bænke ved søen opstilles", "Spørg kommunen om lov"]
    assert made[0].meeting_id == world.meeting.id and made[0].phase_id == world.phase.id
    assert count(session, AgreementIdea) == 2
    assert event_types(session) == ["idea.decided", "idea.decided"]  # the meeting's room, then the project's
    data = events(session)[0]["data"]
    assert data["idea"]["status"] == "go-on" and data["idea"]["decision_note"] == "Alle var enige"
    assert [(a["owner_name"], a["idea_ids"]) for a in data["agreements"]] == [("Ali", [idea.id]), ("Bo", [idea.id])]


@pytest.mark.parametrize("decision", ["parked", "rejected"])
def test_park_and_reject_need_no_agreements(session, world, decision):
    idea = world.idea("Springvand")
    ideas_live.decide_idea(session, world.mette, idea.id, decision=decision, note="For dyrt")
    assert idea.status == decision and count(session, Agreement) == 0
    with pytest.raises(InvalidInput):
        ideas_live.decide_idea(session, world.mette, idea.id, decision=decision, agreements=[_agreement(world)])


def test_a_bad_decision_changes_nothing(session, world):
    idea = world.idea("Bænke")
    cases = [
        ({"decision": "maybe"}, "decision"),
        ({"decision": "go-on"}, "agreements"),
        ({"decision": "go-on", "agreements": [_agreement(world, owner_id=world.stranger.id)]}, "agreements.0.owner_id"),
        ({"decision": "go-on", "agreements": [_agreement(world, deadline=date(2020, 1, 1))]}, "agreements.0.deadline"),
    ]
    for kwargs, field in cases:
        with pytest.raises(InvalidInput) as caught:
            ideas_live.decide_idea(session, world.mette, idea.id, **kwargs)
        assert field in caught.value.fields
    assert idea.status == "new" and count(session, Agreement) == 0 and events(session) == []
    with pytest.raises(Forbidden):
        ideas_live.decide_idea(session, world.actor(world.ali), idea.id, decision="parked")


def test_agreement_rows_parse_with_field_names():
    with pytest.raises(InvalidInput) as caught:
        agreements.parse_agreements([{"title": "Ok"}, {"title": "", "deadline": "i morgen"}])
    assert set(caught.value.fields) == {"agreements.1.title", "agreements.1.deadline"}
    parsed = agreements.parse_agreements([{"title": "Ok", "owner_id": "", "deadline": ""}])
    assert parsed[0].owner_id is None and parsed[0].deadline is None


def test_one_more_agreement_only_from_an_idea_that_goes_on(session, world):
    idea = world.idea("Bænke")
    with pytest.raises(Conflict):
        agreements.create_agreement(session, world.mette, idea.id, inputs=_agreement(world))
    ideas_live.decide_idea(session, world.mette, idea.id, decision="go-on", agreements=[_agreement(world)])
    clear_events(session)
    agreements.create_agreement(session, world.mette, idea.id, inputs=_agreement(world, title="Maling"))
    assert event_types(session) == ["agreement.created", "agreement.created"]
    _, rows = agreements.project_agreements(session, world.actor(world.follower), world.project.id)
    assert [r["title"] for r in rows] == ["Maling", "Bænke ved søen opstilles"]


def test_a_command_names_ideas_of_its_own_room(session, world):
    idea = world.idea("Bænke")
    with pytest.raises(NotFound):
        ideas_live.hide_idea(session, world.mette, idea.id, reason="x", meeting_id=world.meeting.id + 1)


def test_an_idea_sent_in_anonymous_mode_stays_anonymous(session, world):
    from app.services.ideas import submit_idea

    before = submit_idea(session, world.actor(world.ali), world.meeting.id, title="Før")
    live.set_anonymous(session, world.mette, world.meeting.id, anonymous=True)
    during = submit_idea(session, world.actor(world.ali), world.meeting.id, title="Under")
    live.set_anonymous(session, world.mette, world.meeting.id, anonymous=False)
    states = ideas_live.idea_states(session, [before, during], show_hidden=True)
    assert [(s["author_id"], s["author_name"]) for s in states] == [(world.ali.id, "Ali"), (None, "")]
    clear_events(session)
    ideas_live.hide_idea(session, world.mette, during.id, reason="x")
    assert events(session)[0]["data"]["author_id"] is None  # later events keep it anonymous


def test_a_page_starts_from_the_seq_and_what_the_viewer_may_see(session, world):
    visible, hidden = world.idea("Bænke"), world.idea("Grimt")
    ideas_live.hide_idea(session, world.mette, hidden.id, reason="Sprog")
    phone = room_state(session, world.actor(world.ali), world.meeting.id)
    assert phone["seq"] == 3 and phone["room"] == f"meeting:{world.meeting.id}"
    assert phone["me"] == {"id": world.ali.id, "name": "Ali", "facilitator": False, "may_take_part": True}
    assert phone["live"]["focus_item_id"] == world.items[1].id
    assert [i["title"] for i in phone["ideas"]] == ["Bænke", ""] and phone["people"] == []
    assert [i["title"] for i in phone["agenda"]] == ["Velkomst", "Idéer til gården", "Afstemning"]
    console = room_state(session, world.mette, world.meeting.id)
    assert [i["title"] for i in console["ideas"]] == ["Bænke", "Grimt"]
    assert {p["name"] for p in console["people"]} == {"Mette", "Ali", "Bo", "Følger"}
    assert console["me"]["facilitator"] is True and visible.id == console["ideas"][0]["id"]
    follower = room_state(session, world.actor(world.follower), world.meeting.id)
    assert follower["me"]["may_take_part"] is False
    with pytest.raises(NotFound):
        room_state(session, world.actor(world.stranger), world.meeting.id)
    assert session.exec(select(Idea).where(Idea.id == hidden.id)).one().title == "Grimt"


def test_an_idea_submitted_live_is_linked_to_the_item_in_focus(session, world):
    from app.services.ideas import submit_idea

    idea = submit_idea(session, world.actor(world.ali), world.meeting.id, title="Bænke")
    assert idea.agenda_item_id == world.items[1].id
    frame = events(session)[-1]
    assert frame["type"] == "idea.created" and frame["data"]["agenda_item_id"] == world.items[1].id
    assert frame["data"]["author_name"] == "Ali"


def test_in_anonymous_mode_a_new_idea_travels_without_its_author(session, world):
    from app.services.ideas import submit_idea

    live.set_anonymous(session, world.mette, world.meeting.id, anonymous=True)
    idea = submit_idea(session, world.actor(world.ali), world.meeting.id, title="Bænke")
    data = events(session)[-1]["data"]
    assert (data["author_id"], data["author_name"]) == (None, "")
    assert idea.author_id == world.ali.id  # the meeting's history still knows who


def test_an_idea_without_a_title_is_refused_in_words_that_translate(session, world):
    from app.i18n import field_messages
    from app.services.ideas import submit_idea

    with pytest.raises(InvalidInput) as caught:
        submit_idea(session, world.actor(world.ali), world.meeting.id, title="  ")
    assert field_messages("da", caught.value)["title"] != "Give your idea a short title."
