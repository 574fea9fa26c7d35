"""The live session on SQLite and PostgreSQL: start and end, join codes, focus and timer, anonymity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.errors import Forbidden, InvalidInput, NotFound
from app.models import LiveSession, PhaseMembership, ProjectMember, RoomCounter, User, Vote
from app.services import live, votes
from app.services.actor import ANONYMOUS
from tests.conftest import count
from tests.unit.live_world import LiveWorld, build, clear_events, event_types, events


@pytest.fixture
def world(session) -> LiveWorld:
    return build(session)


def _start(world: LiveWorld, **kwargs) -> LiveSession:
    return live.start_session(world.session, world.mette, world.meeting.id, **kwargs)


def test_the_facilitator_starts_a_session_with_a_readable_code(session, world):
    started = _start(world)
    assert len(started.join_code) == 6 and set(started.join_code) <= set(live.CODE_ALPHABET)
    assert not set(started.join_code) & set("0O1IL")
    room = f"meeting:{world.meeting.id}"
    assert event_types(session, room) == ["live.started"]
    assert events(session)[0]["data"]["join_code"] == started.join_code
    assert session.get(RoomCounter, room).live is True  # the log keeps a running room whole
    assert _start(world).id == started.id  # starting again returns the running session
    assert count(session, LiveSession) == 1


@pytest.mark.parametrize("who", ["ali", "follower", "stranger"])
def test_only_a_facilitator_starts_a_session(session, world, who):
    error = NotFound if who == "stranger" else Forbidden
    with pytest.raises(error):
        live.start_session(session, world.actor(getattr(world, who)), world.meeting.id)
    with pytest.raises(NotFound):  # the anonymous do not even see a meeting of a private project
        live.start_session(session, ANONYMOUS, world.meeting.id)
    assert count(session, LiveSession) == 0 and events(session) == []


def test_codes_are_typed_loosely_and_shown_in_two_halves():
    assert live.normalise_code(" bcd-fgh ") == "BCDFGH"
    assert live.display_code("BCDFGH") == "BCD-FGH"


def test_a_guest_joins_by_code_with_just_a_name(session, world):
    code = _start(world).join_code
    typed = f"{code[:3].lower()} {code[3:].lower()}"
    joined = live.join_by_code(session, ANONYMOUS, typed, inputs=live.LiveJoinInput(display_name="Fatima"))
    guest = session.get(User, joined.user_id)
    assert joined.new_user and guest.is_guest and guest.display_name == "Fatima" and guest.email is None
    assert joined.meeting_id == world.meeting.id
    assert session.exec(select(ProjectMember).where(ProjectMember.user_id == guest.id)).one().project_id == \
        world.project.id
    membership = session.exec(select(PhaseMembership).where(PhaseMembership.user_id == guest.id)).one()
    assert (membership.phase_id, membership.role) == (world.phase.id, "participant")


def test_a_logged_in_person_joins_with_one_tap_and_keeps_their_role(session, world):
    code = _start(world).join_code
    joined = live.join_by_code(session, world.mette, code)
    assert not joined.new_user and joined.user_id == world.facilitator.id
    roles = session.exec(select(PhaseMembership.role).where(PhaseMembership.user_id == world.facilitator.id)).all()
    assert roles == ["facilitator"]
    follower = live.join_by_code(session, world.actor(world.follower), code)
    assert session.exec(select(PhaseMembership.role).where(PhaseMembership.user_id == follower.user_id)).one() \
        == "participant"


def test_a_guest_needs_a_name(session, world):
    code = _start(world).join_code
    with pytest.raises(InvalidInput) as caught:
        live.join_by_code(session, ANONYMOUS, code)
    assert "display_name" in caught.value.fields


def test_an_unknown_code_and_the_code_of_an_ended_session_are_refused_clearly(session, world):
    code = _start(world).join_code
    live.end_session(session, world.mette, world.meeting.id)
    users = count(session, User)
    with pytest.raises(live.LiveSessionEnded) as ended:
        live.join_by_code(session, ANONYMOUS, code, inputs=live.LiveJoinInput(display_name="Sen"))
    assert "ended" in ended.value.message and ended.value.status == 410
    with pytest.raises(live.JoinCodeUnknown):
        live.join_by_code(session, ANONYMOUS, "ZZZZZZ" if code != "ZZZZZZ" else "BBBBBB",
                          inputs=live.LiveJoinInput(display_name="X"))
    with pytest.raises(live.JoinCodeUnknown):
        live.join_by_code(session, ANONYMOUS, "12", inputs=live.LiveJoinInput(display_name="X"))
    assert count(session, User) == users


def test_a_new_session_of_the_meeting_gets_a_new_code_and_the_old_one_stays_ended(session, world):
    first = _start(world)
    live.end_session(session, world.mette, world.meeting.id)
    second = _start(world)
    assert second.id != first.id and second.ended_at is None
    assert live.session_for_code(session, second.join_code).id == second.id


def test_ending_closes_open_votes_and_unmarks_the_room(session, world):
    _start(world)
    vote = votes.open_vote(session, world.mette, world.meeting.id,
                           inputs=votes.VoteInput(kind="yes-no", question="Skal vi plante træer?"))
    clear_events(session)
    live.end_session(session, world.mette, world.meeting.id)
    room = f"meeting:{world.meeting.id}"
    assert event_types(session, room) == ["vote.closed", "live.ended"]
    assert session.get(Vote, vote.id).status == "closed"
    assert session.get(RoomCounter, room).live is False
    with pytest.raises(live.NotLive):
        live.end_session(session, world.mette, world.meeting.id)


def test_focus_follows_the_agenda_with_a_timer_from_planned_minutes(session, world):
    _start(world)
    clear_events(session)
    now = datetime(2026, 12, 9, 17, 0, tzinfo=UTC)
    focused = live.set_focus(session, world.mette, world.meeting.id, item_id=world.items[1].id, now=now)
    assert (focused.focus_item_id, focused.focus_minutes, focused.focus_started_at) == (world.items[1].id, 30, now)
    live.adjust_timer(session, world.mette, world.meeting.id, add_minutes=5)
    live.adjust_timer(session, world.mette, world.meeting.id, add_minutes=-10)
    later = now + timedelta(minutes=3)
    timer = live.adjust_timer(session, world.mette, world.meeting.id, restart=True, now=later)
    assert (timer.focus_minutes, timer.focus_started_at) == (25, later)
    assert event_types(session) == ["live.focus_changed", "live.timer_changed", "live.timer_changed",
                                    "live.timer_changed"]
    assert events(session)[-1]["data"]["focus_minutes"] == 25
    assert live.set_focus(session, world.mette, world.meeting.id, item_id=None).focus_started_at is None


def test_focus_on_an_item_of_another_meeting_is_refused(session, world):
    from tests.factories import make_agenda_item, make_meeting

    other = make_agenda_item(session, make_meeting(session, world.phase, "Andet møde"), "Fremmed punkt")
    _start(world)
    clear_events(session)
    with pytest.raises(InvalidInput) as caught:
        live.set_focus(session, world.mette, world.meeting.id, item_id=other.id)
    assert "item_id" in caught.value.fields and events(session) == []
    with pytest.raises(InvalidInput):
        live.adjust_timer(session, world.mette, world.meeting.id, minutes=1000)


def test_participants_cannot_drive_the_room(session, world):
    _start(world)
    ali = world.actor(world.ali)
    with pytest.raises(Forbidden):
        live.set_focus(session, ali, world.meeting.id, item_id=world.items[0].id)
    with pytest.raises(Forbidden):
        live.set_anonymous(session, ali, world.meeting.id, anonymous=True)
    with pytest.raises(Forbidden):
        live.end_session(session, ali, world.meeting.id)


def test_nothing_moves_before_the_session_starts(session, world):
    with pytest.raises(live.NotLive):
        live.set_focus(session, world.mette, world.meeting.id, item_id=world.items[0].id)


def test_anonymous_mode_is_announced_once(session, world):
    _start(world)
    clear_events(session)
    live.set_anonymous(session, world.mette, world.meeting.id, anonymous=True)
    live.set_anonymous(session, world.mette, world.meeting.id, anonymous=True)
    assert event_types(session) == ["live.anonymity_changed"]
    assert events(session)[0]["data"]["anonymous"] is True


def test_reactions_need_a_running_session_and_a_known_kind(session, world):
    ali = world.actor(world.ali)
    with pytest.raises(live.NotLive):
        live.send_reaction(session, ali, world.meeting.id, kind="love")
    _start(world)
    clear_events(session)
    live.send_reaction(session, ali, world.meeting.id, kind="love")
    frame = events(session)[0]
    assert frame["type"] == "reaction.sent" and "seq" not in frame
    with pytest.raises(InvalidInput):
        live.send_reaction(session, ali, world.meeting.id, kind="boo")
    with pytest.raises(Forbidden):
        live.send_reaction(session, world.actor(world.follower), world.meeting.id, kind="love")
