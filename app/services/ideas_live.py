"""Handling ideas in the live room: hide and restore (with a reason), merge duplicates, group under a
heading, and decide — go on (with agreements made on the spot), park or reject, with a note.

``idea_state`` is the public representation every idea event carries. Hidden means: the text (and
the author's name) is not sent to the room; only the facilitators' pages load it. An idea sent in
anonymous mode (``idea.anonymous``) never shows its author, not even after the mode is turned off.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlmodel import Session, col, select

from app.errors import InvalidInput, NotFound
from app.i18n import N_
from app.models import Agreement, Idea, IdeaStatus, LiveSession, User
from app.realtime import log
from app.realtime.events_live import IdeaDecided, IdeaGrouped, IdeaHidden, IdeaMerged, IdeaRestored
from app.services.access import access_idea, access_meeting
from app.services.actor import Actor
from app.services.agreements import AgreementInput, agreement_states, check_agreements, emit_to_rooms, make_agreement
from app.services.ideas import public_idea
from app.services.inputs import FieldMessage
from app.services.policy import Action, require

REASON_MAX = 300
HEADING_MAX = 120
NOTE_MAX = 2000


class Decision(StrEnum):
    go_on = IdeaStatus.go_on.value
    parked = IdeaStatus.parked.value
    rejected = IdeaStatus.rejected.value


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def idea_states(session: Session, ideas: list[Idea], *, show_hidden: bool = False) -> list[dict[str, object]]:
    """The public representation of each idea (``show_hidden``: a facilitator's page, text kept)."""
    authors = {i.author_id for i in ideas if i.author_id is not None}
    names = dict(session.exec(select(User.id, User.display_name).where(col(User.id).in_(authors))).all()) \
        if authors else {}
    return [public_idea(idea, names.get(idea.author_id, ""), show_hidden=show_hidden)  # type: ignore[arg-type]
            for idea in ideas]


def idea_state(session: Session, idea: Idea) -> dict[str, object]:
    return idea_states(session, [idea])[0]


def idea_in_meeting(session: Session, idea_id: int, meeting_id: int) -> Idea:
    """The idea if it belongs to the meeting, else NotFound (a command names ideas of its room only)."""
    idea = session.get(Idea, idea_id)
    if idea is None or idea.meeting_id != meeting_id:
        raise NotFound()
    return idea


def _managed_idea(session: Session, actor: Actor, idea_id: int, meeting_id: int | None = None) -> Idea:
    idea, scope = access_idea(session, actor, idea_id)
    if meeting_id is not None and idea.meeting_id != meeting_id:
        raise NotFound()
    require(actor, Action.manage, scope)
    return idea


def _room(idea: Idea) -> str:
    return f"meeting:{idea.meeting_id}" if idea.meeting_id is not None else f"project:{idea.project_id}"


def hide_idea(session: Session, actor: Actor, idea_id: int, *, reason: str, meeting_id: int | None = None,
              now: datetime | None = None) -> Idea:
    """Hide an idea from the wall and the phones, with a reason everyone sees."""
    idea = _managed_idea(session, actor, idea_id, meeting_id)
    reason = reason.strip()
    if not reason:
        raise InvalidInput(fields={"reason": FieldMessage(N_("Say briefly why it is hidden."))})
    if len(reason) > REASON_MAX:
        raise InvalidInput(fields={"reason": FieldMessage(N_("Use at most %(max)s characters."), max=REASON_MAX)})
    idea.hidden_at = idea.hidden_at or _now(now)
    idea.hidden_reason = reason
    session.add(idea)
    session.flush()
    log.append(session, _room(idea), IdeaHidden(**idea_state(session, idea)), actor_id=actor.user_id)
    return idea


def restore_idea(session: Session, actor: Actor, idea_id: int, *, meeting_id: int | None = None) -> Idea:
    """Show a hidden idea again."""
    idea = _managed_idea(session, actor, idea_id, meeting_id)
    idea.hidden_at = None
    idea.hidden_reason = ""
    session.add(idea)
    session.flush()
    log.append(session, _room(idea), IdeaRestored(**idea_state(session, idea)), actor_id=actor.user_id)
    return idea


def merge_idea(session: Session, actor: Actor, idea_id: int, *, into_id: int, meeting_id: int | None = None) -> Idea:
    """Merge the duplicate ``idea_id`` into ``into_id`` (both of one meeting); returns the target."""
    duplicate = _managed_idea(session, actor, idea_id, meeting_id)
    target = session.get(Idea, into_id)
    while target is not None and target.merged_into_id is not None:
        target = session.get(Idea, target.merged_into_id)
    if target is None or target.meeting_id != duplicate.meeting_id or target.project_id != duplicate.project_id:
        raise InvalidInput(fields={"into_id": FieldMessage(N_("Choose another idea from this meeting."))})
    if target.id == duplicate.id:
        raise InvalidInput(fields={"into_id": FieldMessage(N_("An idea cannot be merged into itself."))})
    for child in session.exec(select(Idea).where(Idea.merged_into_id == duplicate.id)):
        child.merged_into_id = target.id
        session.add(child)
    duplicate.merged_into_id = target.id
    session.add(duplicate)
    session.flush()
    states = idea_states(session, [duplicate, target])
    log.append(session, _room(duplicate), IdeaMerged(duplicate=states[0], target=states[1]),  # type: ignore[arg-type]
               actor_id=actor.user_id)
    return target


def group_ideas(session: Session, actor: Actor, meeting_id: int, *, idea_ids: list[int], heading: str) -> list[Idea]:
    """Put ideas of the meeting under a heading (an empty heading takes them out of their group)."""
    meeting, scope = access_meeting(session, actor, meeting_id)
    require(actor, Action.manage, scope)
    heading = " ".join(heading.split())
    if len(heading) > HEADING_MAX:
        raise InvalidInput(fields={"heading": FieldMessage(N_("Use at most %(max)s characters."), max=HEADING_MAX)})
    wanted = list(dict.fromkeys(idea_ids))
    ideas = list(session.exec(select(Idea).where(col(Idea.id).in_(wanted), Idea.meeting_id == meeting.id)
                              .order_by(col(Idea.id)))) if wanted else []
    if not ideas or len(ideas) != len(wanted):
        raise InvalidInput(fields={"idea_ids": FieldMessage(N_("Choose one or more ideas from this meeting."))})
    for idea in ideas:
        idea.group_heading = heading
        session.add(idea)
    session.flush()
    log.append(session, f"meeting:{meeting.id}", IdeaGrouped(heading=heading, ideas=idea_states(session, ideas)),  # type: ignore[arg-type]
               actor_id=actor.user_id)
    return ideas


def decide_idea(session: Session, actor: Actor, idea_id: int, *, decision: str, note: str = "",
                agreements: list[AgreementInput] | None = None, meeting_id: int | None = None,
                now: datetime | None = None) -> tuple[Idea, list[Agreement]]:
    """Record the room's decision on an idea; "go on" makes its agreements at once (at least one)."""
    idea = _managed_idea(session, actor, idea_id, meeting_id)
    fields: dict[str, str] = {}
    if decision not in {d.value for d in Decision}:
        fields["decision"] = FieldMessage(N_("Choose go on, park or reject."))
    note = note.strip()
    if len(note) > NOTE_MAX:
        fields["note"] = FieldMessage(N_("Use at most %(max)s characters."), max=NOTE_MAX)
    agreements = agreements or []
    if decision == Decision.go_on and not agreements:
        fields["agreements"] = FieldMessage(N_("Add at least one agreement: what will be done, by whom, by when."))
    if decision != Decision.go_on and agreements:
        fields["agreements"] = FieldMessage(N_("Only an idea that goes on becomes agreements."))
    if fields:
        raise InvalidInput(fields=fields)
    check_agreements(session, idea.project_id, agreements, now=now)
    idea.status = decision
    idea.decision_note = note
    idea.decided_by_id = actor.user_id
    idea.decided_at = _now(now)
    if idea.agenda_item_id is None and idea.meeting_id is not None:
        focus = session.exec(select(LiveSession.focus_item_id).where(
            LiveSession.meeting_id == idea.meeting_id, col(LiveSession.ended_at).is_(None))).first()
        idea.agenda_item_id = focus
    session.add(idea)
    session.flush()
    made = [make_agreement(session, actor, idea, item) for item in agreements]
    event = IdeaDecided(idea=idea_state(session, idea), agreements=agreement_states(session, made))  # type: ignore[arg-type]
    emit_to_rooms(session, actor, event, project_id=idea.project_id, meeting_id=idea.meeting_id)
    return idea, made
