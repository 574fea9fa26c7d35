"""The timeline: every input of every phase in order, filterable by phase, meeting, kind and person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.errors import NotFound
from app.models import Idea
from app.services import agenda, comments, materials, phases
from app.services.comments import Target
from app.services.process_inputs import (
    AcceptInput,
    AdvanceInput,
    AgendaItemInput,
    CommentInput,
    ConclusionInput,
    HideInput,
    MaterialInput,
    ProposalInput,
    TimelineFilter,
)
from app.services.timeline import as_dicts, timeline
from tests.factories import make_meeting
from tests.unit.process_world import build


@pytest.fixture
def w(session):
    world = build(session)
    mette, ali, birgit = world.actor("mette"), world.actor("ali"), world.actor("birgit")
    item = agenda.add_item(session, mette, world.meeting.id, inputs=AgendaItemInput(title="Velkomst"))
    proposal = agenda.propose_item(session, ali, world.meeting.id, inputs=ProposalInput(title="Bænke", reason="Ældre"))
    agenda.accept_proposal(session, mette, proposal.id, inputs=AcceptInput(answer="Ja",), now=datetime.now(UTC))
    comments.add_comment(session, birgit, Target.agenda_item(item.id), inputs=CommentInput(body="Hej alle"))
    rude = comments.add_comment(session, ali, Target.agenda_item(item.id), inputs=CommentInput(body="Grimt"))
    comments.hide_comment(session, mette, rude.id, inputs=HideInput(reason="Tone"))
    materials.add_material(session, birgit, world.project.id, inputs=MaterialInput(title="Kort", url="https://k.dk"))
    agenda.record_conclusion(session, mette, item.id, inputs=ConclusionInput(conclusion="Alle er velkomne"))
    session.add(Idea(project_id=world.project.id, phase_id=world.phase1.id, meeting_id=world.meeting.id,
                     author_id=ali.user_id, title="Højbede", status="go-on", decision_note="Vi går videre",
                     decided_by_id=mette.user_id, decided_at=datetime.now(UTC) + timedelta(seconds=5)))
    session.flush()
    phases.advance(session, mette, world.project.id, inputs=AdvanceInput(carry=(ali.user_id,)))
    world.meeting2 = make_meeting(session, world.phase2, "Handlingsmøde")
    jonas = world.actor("jonas")
    item2 = agenda.add_item(session, jonas, world.meeting2.id, inputs=AgendaItemInput(title="Plan"))
    comments.add_comment(session, world.actor("ali"), Target.agenda_item(item2.id), inputs=CommentInput(body="Klar"))
    return world


def _rows(w, who="follower", **filters):
    return as_dicts(timeline(w.session, w.actor(who), w.project.id, filters=TimelineFilter(**filters)))


def test_every_input_of_every_phase_in_order_grouped_by_phase(w):
    view = timeline(w.session, w.actor("follower"), w.project.id, filters=TimelineFilter())
    assert [g.phase.title for g in view.groups] == ["Idéfase", "Handlingsfase"]
    first = [(e.kind, e.what, e.title) for e in view.groups[0].entries]
    assert first[:3] == [("agenda", "item", "Velkomst"), ("proposal", "proposal", "Bænke"),
                         ("proposal", "answer", "Bænke")]
    assert ("comment", "comment", "Velkomst") in first and ("material", "link", "Kort") in first
    assert ("decision", "minutes", "Velkomst") in first and ("idea", "idea", "Højbede") in first
    assert ("decision", "decision", "Højbede") in first
    assert [(e.kind, e.title) for e in view.groups[1].entries] == [("agenda", "Plan"), ("comment", "Plan")]
    stamps = [e.at for g in view.groups for e in g.entries if e.what != "minutes"]
    assert stamps[:7] == sorted(stamps[:7])


def test_a_hidden_comment_shows_only_its_reason(w):
    hidden = [e for g in timeline(w.session, w.actor("ali"), w.project.id, filters=TimelineFilter()).groups
              for e in g.entries if e.hidden]
    assert [(e.body, e.status, e.person) for e in hidden] == [("", "Tone", "Ali")]


def test_filters_by_phase_meeting_kind_and_person(w):
    assert {r["phase_id"] for r in _rows(w, phase_id=w.phase2.id)} == {w.phase2.id}
    assert {r["meeting_id"] for r in _rows(w, meeting_id=w.meeting2.id)} == {w.meeting2.id}
    assert [r["title"] for r in _rows(w, kind="comment")] == ["Velkomst", "Velkomst", "Plan"]
    assert [r["what"] for r in _rows(w, kind="proposal")] == ["proposal", "answer"]
    assert [r["title"] for r in _rows(w, kind="material")] == ["Kort"]
    assert [(r["kind"], r["title"]) for r in _rows(w, person_id=w.ali.id)] == [
        ("proposal", "Bænke"), ("comment", "Velkomst"), ("idea", "Højbede"), ("comment", "Plan")]
    assert _rows(w, person_id=w.birgit.id, kind="material") == [
        {"kind": "material", "what": "link", "title": "Kort", "person": "Birgit", "phase_id": w.phase1.id,
         "meeting_id": None}]
    assert _rows(w, phase_id=w.phase2.id, person_id=w.birgit.id) == []


def test_every_project_member_reads_it_and_nobody_else(w):
    assert _rows(w, who="birgit")  # a participant of the closed phase only
    with pytest.raises(NotFound):
        _rows(w, who="stranger")
