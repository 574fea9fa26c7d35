"""The agenda: the facilitator writes, edits, orders and removes items; participants propose items
with a reason; the facilitator accepts or answers; minutes; carrying items over to a later meeting.
Every change is an event in the meeting's room and the project's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.errors import Conflict, Forbidden, InvalidInput
from app.models import AgendaItem
from app.services import agenda, comments, materials
from app.services.comments import Target
from app.services.meeting_page import meeting_page
from app.services.process_inputs import (
    AcceptInput,
    AgendaItemInput,
    AnswerInput,
    CarryOverInput,
    CommentInput,
    ConclusionInput,
    MaterialInput,
    MoveInput,
    OrderInput,
    ProposalInput,
    parse,
)
from tests.factories import make_meeting
from tests.unit.process_world import build, events, types


@pytest.fixture
def w(session):
    return build(session)


def _three(w):
    mette = w.actor("mette")
    return [agenda.add_item(w.session, mette, w.meeting.id, inputs=AgendaItemInput(title=t, planned_minutes=m))
            for t, m in (("Velkomst", 10), ("Idéer", 40), ("Næste skridt", 15))]


def _order(w):
    return [i.title for i in agenda.accepted_items(w.session, w.meeting.id)]


def test_the_facilitator_writes_an_agenda_in_order(w):
    items = _three(w)
    assert [(i.title, i.position) for i in items] == [("Velkomst", 0), ("Idéer", 1), ("Næste skridt", 2)]
    room = events(w.session, f"meeting:{w.meeting.id}")
    assert [(seq, kind) for seq, kind, _ in room] == [(1, "agenda_item.created"), (2, "agenda_item.created"),
                                                      (3, "agenda_item.created")]
    assert room[1][2]["title"] == "Idéer" and room[1][2]["planned_minutes"] == 40
    assert types(w.session, f"project:{w.project.id}") == ["agenda_item.created"] * 3


def test_editing_an_item_keeps_plain_text(w):
    item = _three(w)[0]
    inputs = parse(AgendaItemInput, {"title": "Velkomst  og\nkaffe", "description": "<b>Hej</b>\r\nse www.kk.dk",
                                     "planned_minutes": "5"})
    agenda.update_item(w.session, w.actor("mette"), item.id, inputs=inputs)
    assert (item.title, item.description, item.planned_minutes) == ("Velkomst og kaffe", "<b>Hej</b>\nse www.kk.dk", 5)
    assert types(w.session, f"meeting:{w.meeting.id}")[-1] == "agenda_item.updated"


@pytest.mark.parametrize(("data", "fields"), [
    ({"title": ""}, {"title"}),
    ({"title": "x" * 201}, {"title"}),
    ({"title": "ok", "description": "x" * 5001}, {"description"}),
    ({"title": "ok", "planned_minutes": "ti"}, {"planned_minutes"}),
    ({"title": "ok", "planned_minutes": "601"}, {"planned_minutes"}),
])
def test_bad_item_input_is_refused(data, fields):
    with pytest.raises(InvalidInput) as exc:
        parse(AgendaItemInput, data)
    assert set(exc.value.fields) == fields


@pytest.mark.parametrize("who", ["ali", "follower", "jonas"])
def test_only_the_phases_facilitator_writes_the_agenda(w, who):
    item = _three(w)[0]
    with pytest.raises(Forbidden):
        agenda.add_item(w.session, w.actor(who), w.meeting.id, inputs=AgendaItemInput(title="X"))
    with pytest.raises(Forbidden):
        agenda.move_item(w.session, w.actor(who), item.id, inputs=MoveInput(direction="down"))
    with pytest.raises(Forbidden):
        agenda.remove_item(w.session, w.actor(who), item.id)


def test_moving_up_and_down_by_keyboard_and_at_the_ends(w):
    first, second, third = _three(w)
    mette = w.actor("mette")
    agenda.move_item(w.session, mette, third.id, inputs=MoveInput(direction="up"))
    assert _order(w) == ["Velkomst", "Næste skridt", "Idéer"]
    agenda.move_item(w.session, mette, first.id, inputs=MoveInput(direction="up"))  # already first
    agenda.move_item(w.session, mette, first.id, inputs=MoveInput(direction="down"))
    assert _order(w) == ["Næste skridt", "Velkomst", "Idéer"]
    reordered = [d for _, t, d in events(w.session, f"meeting:{w.meeting.id}") if t == "agenda.reordered"]
    assert [r["item_ids"] for r in reordered] == [[first.id, third.id, second.id], [third.id, first.id, second.id]]


def test_drag_and_drop_sends_the_whole_order_and_a_stale_one_is_refused(w):
    first, second, third = _three(w)
    mette = w.actor("mette")
    agenda.reorder(w.session, mette, w.meeting.id, inputs=OrderInput(order=(third.id, first.id, second.id)))
    assert [i.position for i in (third, first, second)] == [0, 1, 2]
    for stale in [(third.id, first.id), (third.id, first.id, second.id, 999), (first.id, first.id, second.id)]:
        with pytest.raises(Conflict):
            agenda.reorder(w.session, mette, w.meeting.id, inputs=OrderInput(order=stale))
    before = len(events(w.session, f"meeting:{w.meeting.id}"))
    agenda.reorder(w.session, mette, w.meeting.id, inputs=OrderInput(order=(third.id, first.id, second.id)))
    assert len(events(w.session, f"meeting:{w.meeting.id}")) == before  # same order: no event


def test_removing_an_item_keeps_it_for_the_history_and_closes_the_gap(w):
    _, second, third = _three(w)
    comments.add_comment(w.session, w.actor("ali"), Target.agenda_item(second.id), inputs=CommentInput(body="Godt"))
    agenda.remove_item(w.session, w.actor("mette"), second.id)
    assert _order(w) == ["Velkomst", "Næste skridt"] and third.position == 1
    assert w.session.get(AgendaItem, second.id).status == "removed"
    page = meeting_page(w.session, w.actor("follower"), w.meeting.id)
    assert [v.item["title"] for v in page.removed] == ["Idéer"] and len(page.removed[0].comments) == 1
    assert types(w.session, f"meeting:{w.meeting.id}")[-2:] == ["agenda_item.removed", "agenda.reordered"]
    with pytest.raises(Conflict):
        comments.add_comment(w.session, w.actor("ali"), Target.agenda_item(second.id), inputs=CommentInput(body="?"))


def test_a_participant_proposes_an_item_with_a_reason_and_it_is_accepted(w):
    _three(w)
    with pytest.raises(InvalidInput) as exc:
        parse(ProposalInput, {"title": "Bænke ved søen", "reason": "  "})
    assert set(exc.value.fields) == {"reason"}
    item = agenda.propose_item(w.session, w.actor("ali"), w.meeting.id, inputs=parse(
        ProposalInput, {"title": "Bænke ved søen", "reason": "Mange ældre kan ikke gå hele vejen rundt."}))
    assert (item.status, item.proposed_by_id) == ("proposed", w.ali.id)
    assert _order(w) == ["Velkomst", "Idéer", "Næste skridt"]  # not on the agenda yet
    comments.add_comment(w.session, w.actor("birgit"), Target.agenda_item(item.id), inputs=CommentInput(body="Enig!"))
    agenda.accept_proposal(w.session, w.actor("mette"), item.id,
                           inputs=AcceptInput(answer="Godt forslag - det tager vi med.", planned_minutes=15))
    assert _order(w) == ["Velkomst", "Idéer", "Næste skridt", "Bænke ved søen"]
    assert (item.answer, item.planned_minutes, item.answered_at is not None) == ("Godt forslag - det tager vi med.",
                                                                                 15, True)
    room = events(w.session, f"meeting:{w.meeting.id}")
    assert [t for _, t, _ in room][-3:] == ["agenda_item.proposed", "comment.created", "agenda_item.accepted"]
    accepted = room[-1][2]
    assert (accepted["status"], accepted["proposed_by_name"], accepted["position"]) == ("accepted", "Ali", 3)
    with pytest.raises(Conflict):
        agenda.decline_proposal(w.session, w.actor("mette"), item.id, inputs=AnswerInput(answer="Nej"))


def test_a_proposal_is_answered_without_being_put_on_the_agenda(w):
    item = agenda.propose_item(w.session, w.actor("birgit"), w.meeting.id,
                               inputs=ProposalInput(title="Skolevejene", reason="Børnene cykler"))
    with pytest.raises(InvalidInput):
        parse(AnswerInput, {"answer": ""})
    agenda.decline_proposal(w.session, w.actor("mette"), item.id,
                            inputs=AnswerInput(answer="Det tager vi op på næste dialogmøde."))
    page = meeting_page(w.session, w.actor("birgit"), w.meeting.id)
    assert [v.item["answer"] for v in page.answered] == ["Det tager vi op på næste dialogmøde."]
    assert page.agenda == [] and page.proposals == []
    assert types(w.session, f"meeting:{w.meeting.id}")[-1] == "agenda_item.declined"


@pytest.mark.parametrize("who", ["follower", "stranger"])
def test_followers_do_not_propose(w, who):
    from app.errors import NotFound

    with pytest.raises(NotFound if who == "stranger" else Forbidden):
        agenda.propose_item(w.session, w.actor(who), w.meeting.id, inputs=ProposalInput(title="X", reason="Y"))


def test_participants_do_not_answer_proposals(w):
    item = agenda.propose_item(w.session, w.actor("ali"), w.meeting.id, inputs=ProposalInput(title="X", reason="Y"))
    with pytest.raises(Forbidden):
        agenda.accept_proposal(w.session, w.actor("ali"), item.id, inputs=AcceptInput())


def test_no_proposals_once_the_meeting_is_over(w):
    later = w.meeting.starts_at + timedelta(hours=4)
    with pytest.raises(InvalidInput):
        agenda.propose_item(w.session, w.actor("ali"), w.meeting.id, inputs=ProposalInput(title="X", reason="Y"),
                            now=later)


def test_minutes_are_recorded_per_item(w):
    item = _three(w)[1]
    agenda.record_conclusion(w.session, w.actor("mette"), item.id,
                             inputs=ConclusionInput(conclusion="Vi går videre med bænkene."))
    assert item.conclusion == "Vi går videre med bænkene."
    assert types(w.session, f"meeting:{w.meeting.id}")[-1] == "agenda_item.concluded"
    with pytest.raises(Forbidden):
        agenda.record_conclusion(w.session, w.actor("ali"), item.id, inputs=ConclusionInput(conclusion="Nej"))


def test_unfinished_items_are_carried_over_with_their_comments_and_materials(w):
    first, second, third = _three(w)
    mette = w.actor("mette")
    comments.add_comment(w.session, w.actor("ali"), Target.agenda_item(second.id), inputs=CommentInput(body="Træer!"))
    materials.add_material(w.session, w.actor("ali"), w.project.id, inputs=MaterialInput(
        title="Kort", url="https://kort.kk.dk", agenda_item_id=second.id))
    agenda.record_conclusion(w.session, mette, first.id, inputs=ConclusionInput(conclusion="Alle er velkomne."))
    nxt = make_meeting(w.session, w.phase1, "Workshop 2", starts_in=timedelta(days=21))
    page = meeting_page(w.session, mette, w.meeting.id)
    assert [m.id for m in page.later_meetings] == [nxt.id]
    created = agenda.carry_over(w.session, mette, w.meeting.id,
                                inputs=CarryOverInput(to_meeting_id=nxt.id, item_ids=(second.id, third.id)))
    assert [(i.title, i.meeting_id, i.carried_from_id) for i in created] == [
        ("Idéer", nxt.id, second.id), ("Næste skridt", nxt.id, third.id)]
    later = meeting_page(w.session, w.actor("birgit"), nxt.id)
    view = later.agenda[0]
    assert view.comments == [] and view.item["carried_from_meeting_title"] == "Workshop 1"
    (earlier, earlier_comments, earlier_materials), = view.earlier
    assert earlier["id"] == second.id and [c["body"] for c in earlier_comments] == ["Træer!"]
    assert [m["title"] for m in earlier_materials] == ["Kort"]
    old = meeting_page(w.session, mette, w.meeting.id)
    assert old.agenda[1].item["carried_to_meeting_title"] == "Workshop 2"
    assert [i["title"] for i in old.carry_candidates] == ["Velkomst"]
    assert types(w.session, f"meeting:{nxt.id}") == ["agenda_item.created", "agenda_item.created"]
    assert types(w.session, f"meeting:{w.meeting.id}")[-2:] == ["agenda_item.carried_over"] * 2
    with pytest.raises(InvalidInput):  # already carried over: nothing left to carry
        agenda.carry_over(w.session, mette, w.meeting.id,
                          inputs=CarryOverInput(to_meeting_id=nxt.id, item_ids=(second.id,)))


def test_carrying_over_goes_only_to_a_later_meeting_of_the_project(w):
    item = _three(w)[0]
    earlier = make_meeting(w.session, w.phase1, "Før", starts_in=timedelta(days=1))
    for target in (earlier.id, 99999, None):
        with pytest.raises(InvalidInput):
            agenda.carry_over(w.session, w.actor("mette"), w.meeting.id,
                              inputs=CarryOverInput(to_meeting_id=target, item_ids=(item.id,)))


def test_the_page_counts_the_planned_minutes(w):
    _three(w)
    page = meeting_page(w.session, w.actor("ali"), w.meeting.id, now=datetime.now(UTC))
    assert page.total_minutes == 65 and page.may_propose and page.may_comment and not page.may_manage
    assert page.seq == 3 and page.room == f"meeting:{w.meeting.id}"
