"""Phases: create, edit, order, circles, and moving on to the next phase — and who may do what
before and after (a participant of phase 1 reads but does not add in phase 2)."""

from __future__ import annotations

import pytest

from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models import PhaseMembership
from app.services import agenda, comments, meetings, phases
from app.services.access import access_meeting, access_phase
from app.services.comments import Target
from app.services.process_inputs import (
    AdvanceInput,
    AgendaItemInput,
    CircleInput,
    CommentInput,
    MeetingInput,
    MoveInput,
    PhaseInput,
    ProposalInput,
    parse,
)
from tests.unit.process_world import build, events, types


@pytest.fixture
def w(session):
    return build(session)


def test_a_facilitator_creates_a_planned_phase_at_the_end_and_facilitates_it(w):
    phase = phases.create_phase(w.session, w.actor("mette"), w.project.id,
                                inputs=parse(PhaseInput, {"title": " Evaluering ", "goal": "Hvad lærte vi?\nHvad nu?",
                                                          "starts_on": "2026-05-01", "ends_on": "2026-06-01"}))
    assert (phase.title, phase.position, phase.status) == ("Evaluering", 2, "planned")
    assert phase.goal == "Hvad lærte vi?\nHvad nu?"
    assert w.actor("mette").phase_role(phase.id) == "facilitator"
    (_, kind, data), = events(w.session, f"project:{w.project.id}")
    assert kind == "phase.created" and data["facilitators"] == [{"id": w.mette.id, "name": "Mette"}]


@pytest.mark.parametrize("who", ["ali", "follower", "jonas"])
def test_only_the_current_phases_facilitators_and_admins_create_phases(w, who):
    with pytest.raises(Forbidden):
        phases.create_phase(w.session, w.actor(who), w.project.id, inputs=parse(PhaseInput, {"title": "X"}))
    phases.create_phase(w.session, w.actor("admin"), w.project.id, inputs=parse(PhaseInput, {"title": "X"}))


def test_a_stranger_is_told_the_project_does_not_exist(w):
    with pytest.raises(NotFound):
        phases.create_phase(w.session, w.actor("stranger"), w.project.id, inputs=parse(PhaseInput, {"title": "X"}))


def test_bad_phase_input_is_refused_with_field_messages(w):
    with pytest.raises(InvalidInput) as exc:
        phases.create_phase(w.session, w.actor("mette"), w.project.id, inputs=parse(
            PhaseInput, {"title": "X", "starts_on": "2026-05-02", "ends_on": "2026-05-01"}))
    assert set(exc.value.fields) == {"ends_on"}
    with pytest.raises(InvalidInput) as exc:
        parse(PhaseInput, {"title": "", "starts_on": "1. maj"})
    assert set(exc.value.fields) == {"title", "starts_on"}


def test_editing_a_phase_needs_its_facilitator(w):
    inputs = parse(PhaseInput, {"title": "Handling", "goal": "Gør det"})
    with pytest.raises(Forbidden):
        phases.update_phase(w.session, w.actor("mette"), w.phase2.id, inputs=inputs)
    phase = phases.update_phase(w.session, w.actor("jonas"), w.phase2.id, inputs=inputs)
    assert (phase.title, phase.goal) == ("Handling", "Gør det")
    assert types(w.session, f"project:{w.project.id}") == ["phase.updated"]


def test_only_planned_phases_move_and_the_order_is_announced(w):
    third = phases.create_phase(w.session, w.actor("mette"), w.project.id, inputs=parse(PhaseInput, {"title": "C"}))
    phases.move_phase(w.session, w.actor("mette"), third.id, inputs=MoveInput(direction="up"))
    assert [p.id for p in phases.ordered_phases(w.session, w.project.id)] == [w.phase1.id, third.id, w.phase2.id]
    assert events(w.session, f"project:{w.project.id}")[-1][2]["phase_ids"] == [w.phase1.id, third.id, w.phase2.id]
    with pytest.raises(Conflict):
        phases.move_phase(w.session, w.actor("mette"), third.id, inputs=MoveInput(direction="up"))


def test_the_circle_changes_and_keeps_a_facilitator(w):
    mette = w.actor("mette")
    phases.set_circle_member(w.session, mette, w.phase1.id, inputs=CircleInput(user_id=w.follower.id))
    assert w.actor("follower").phase_role(w.phase1.id) == "participant"
    with pytest.raises(InvalidInput):
        phases.set_circle_member(w.session, mette, w.phase1.id, inputs=CircleInput(user_id=w.stranger.id))
    with pytest.raises(InvalidInput):
        phases.set_circle_member(w.session, mette, w.phase1.id, inputs=CircleInput(user_id=w.mette.id))
    with pytest.raises(Conflict):
        phases.remove_circle_member(w.session, mette, w.phase1.id, user_id=w.mette.id)
    phases.remove_circle_member(w.session, mette, w.phase1.id, user_id=w.birgit.id)
    birgit = w.actor("birgit")
    assert birgit.phase_role(w.phase1.id) is None and birgit.in_project(w.project.id)
    with pytest.raises(Forbidden):
        phases.set_circle_member(w.session, w.actor("ali"), w.phase1.id, inputs=CircleInput(user_id=w.follower.id))


def _meeting_in(w, phase, who="jonas"):
    return meetings.create_meeting(w.session, w.actor(who), phase.id, inputs=parse(
        MeetingInput, {"kind": "workshop", "title": "Handlingsworkshop", "day": "2030-01-10", "starts": "17:00"}))


def test_moving_to_the_next_phase_closes_the_current_one_and_carries_people_over(w):
    phase2 = phases.advance(w.session, w.actor("mette"), w.project.id, inputs=AdvanceInput(carry=(w.ali.id,)))
    assert phase2.id == w.phase2.id and phase2.status == "active"
    assert w.session.get(type(w.phase1), w.phase1.id).status == "closed"
    ali, birgit = w.actor("ali"), w.actor("birgit")
    assert ali.phase_role(w.phase2.id) == "participant" and birgit.phase_role(w.phase2.id) is None
    assert ali.phase_role(w.phase1.id) == "participant"  # the history keeps who took part
    assert types(w.session, f"project:{w.project.id}") == ["phase.closed", "phase.started"]


def test_after_the_move_phase_1_is_read_only_and_only_phase_2s_circle_adds(w):
    earlier_item = agenda.add_item(w.session, w.actor("mette"), w.meeting.id,
                                   inputs=AgendaItemInput(title="Velkomst"))
    phases.advance(w.session, w.actor("mette"), w.project.id, inputs=AdvanceInput(carry=(w.ali.id,)))
    meeting2 = _meeting_in(w, w.phase2)
    item2 = agenda.add_item(w.session, w.actor("jonas"), meeting2.id, inputs=AgendaItemInput(title="Plan"))
    birgit = w.actor("birgit")  # participant of phase 1 only
    access_meeting(w.session, birgit, meeting2.id)  # reads phase 2 ...
    access_phase(w.session, birgit, w.phase1.id)  # ... and phase 1
    with pytest.raises(Forbidden):
        comments.add_comment(w.session, birgit, Target.agenda_item(item2.id), inputs=CommentInput(body="Hej"))
    with pytest.raises(Forbidden):
        agenda.propose_item(w.session, birgit, meeting2.id, inputs=ProposalInput(title="Mit punkt", reason="Fordi"))
    with pytest.raises(Forbidden):  # nobody adds to the closed phase, not even its participants
        comments.add_comment(w.session, w.actor("ali"), Target.agenda_item(earlier_item.id),
                             inputs=CommentInput(body="Sent"))
    with pytest.raises(Forbidden):  # its facilitator no longer manages it
        agenda.add_item(w.session, w.actor("mette"), w.meeting.id, inputs=AgendaItemInput(title="Sent"))
    comments.add_comment(w.session, w.actor("ali"), Target.agenda_item(item2.id), inputs=CommentInput(body="Hej"))


def test_before_the_move_the_next_phases_circle_prepares_but_does_not_add(w):
    meeting2 = _meeting_in(w, w.phase2)  # Jonas prepares the planned phase
    item = agenda.add_item(w.session, w.actor("jonas"), meeting2.id, inputs=AgendaItemInput(title="Plan"))
    w.session.add(PhaseMembership(phase_id=w.phase2.id, user_id=w.birgit.id, role="participant"))
    w.session.flush()
    with pytest.raises(Forbidden):
        comments.add_comment(w.session, w.actor("birgit"), Target.agenda_item(item.id), inputs=CommentInput(body="x"))
    phases.advance(w.session, w.actor("mette"), w.project.id, inputs=AdvanceInput())
    comments.add_comment(w.session, w.actor("birgit"), Target.agenda_item(item.id), inputs=CommentInput(body="x"))


def test_only_the_current_facilitators_move_the_project_on(w):
    for who in ("ali", "jonas", "follower"):
        with pytest.raises(Forbidden):
            phases.advance(w.session, w.actor(who), w.project.id, inputs=AdvanceInput())
    assert w.session.get(type(w.phase1), w.phase1.id).status == "active"


def test_whoever_moves_on_facilitates_a_next_phase_without_facilitator(w):
    w.session.delete(w.session.get(PhaseMembership, next(m.id for m in phases.circle(w.session, w.phase2.id))))
    w.session.flush()
    phases.advance(w.session, w.actor("mette"), w.project.id, inputs=AdvanceInput(carry=(w.stranger.id,)))
    circle = {m.user_id: m.role for m in phases.circle(w.session, w.phase2.id)}
    assert circle == {w.mette.id: "facilitator"}  # the stranger was not in the circle: not carried


def test_closing_the_last_phase_leaves_no_current_phase(w):
    phases.advance(w.session, w.actor("mette"), w.project.id, inputs=AdvanceInput())
    assert phases.advance(w.session, w.actor("jonas"), w.project.id, inputs=AdvanceInput()) is None
    with pytest.raises(Conflict):
        phases.advance(w.session, w.actor("admin"), w.project.id, inputs=AdvanceInput())
