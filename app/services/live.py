"""The live session of a meeting: start and end it, join it by code, move the focus through the
agenda with a timer, anonymous mode.

A session is running from ``started_at`` until ``ended_at``; a meeting has at most one running
session and a join code belongs to at most one running session (both enforced by partial unique
indexes). Codes are six characters from an alphabet without look-alikes (no 0/O, 1/I/L) and without
vowels (so no words), shown as ``BCD-FGH``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from app.db import pending_events
from app.errors import Conflict, DomainError, InvalidInput
from app.i18n import N_
from app.models import AgendaItem, AgendaStatus, LiveSession, Meeting, PhaseMembership, ProjectMember, User
from app.realtime import log
from app.realtime.events_live import (
    LiveAnonymityChanged,
    LiveEnded,
    LiveFocusChanged,
    LivePublic,
    LiveStarted,
    LiveTimerChanged,
    ReactionSent,
)
from app.services.access import access_meeting
from app.services.actor import Actor
from app.services.inputs import NAME_MAX, FieldMessage, Input, Text
from app.services.policy import Action, Scope, require

CODE_ALPHABET = "BCDFGHJKMNPQRSTVWXZ23456789"
CODE_LENGTH = 6
TIMER_MAX_MINUTES = 600
REACTIONS = ("like", "love", "clap", "idea", "question")


class JoinCodeUnknown(DomainError):
    code = "join_code_unknown"
    status = 404
    default_message = N_("We do not know that code. Check the code on the screen and try again.")


class LiveSessionEnded(DomainError):
    code = "live_ended"
    status = 410
    default_message = N_("This live session has ended, so its code no longer works. Thank you for taking part! "
                         "You can still follow the project.")


class NotLive(Conflict):
    code = "not_live"
    default_message = N_("The live session is not running. Start it first.")


def room_of(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def normalise_code(raw: str) -> str:
    """What a person typed (``bcd fgh``, ``BCD-FGH``) as the stored code."""
    return "".join(ch for ch in raw.upper() if ch.isascii() and ch.isalnum())


def display_code(code: str) -> str:
    """``BCDFGH`` -> ``BCD-FGH`` (read aloud in two halves)."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}" if len(code) > 3 else code


def running_session(session: Session, meeting_id: int) -> LiveSession | None:
    return session.exec(select(LiveSession).where(LiveSession.meeting_id == meeting_id,
                                                  col(LiveSession.ended_at).is_(None))).first()


def live_public(live: LiveSession) -> dict[str, object]:
    return {"id": live.id, "meeting_id": live.meeting_id, "join_code": live.join_code, "anonymous": live.anonymous,
            "focus_item_id": live.focus_item_id, "focus_started_at": live.focus_started_at,
            "focus_minutes": live.focus_minutes, "started_at": live.started_at, "ended_at": live.ended_at}


def _append(session: Session, actor: Actor, live: LiveSession, kind: type[LivePublic]) -> None:
    session.add(live)
    session.flush()
    log.append(session, room_of(live.meeting_id), kind(**live_public(live)), actor_id=actor.user_id)


def _new_code(session: Session) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if session.exec(select(LiveSession.id).where(LiveSession.join_code == code,
                                                     col(LiveSession.ended_at).is_(None))).first() is None:
            return code


def _managed(session: Session, actor: Actor, meeting_id: int) -> tuple[Meeting, Scope, LiveSession]:
    """The meeting, its scope and its running session, for a facilitator; else NotFound/Forbidden/NotLive."""
    meeting, scope = access_meeting(session, actor, meeting_id)
    require(actor, Action.manage, scope)
    live = running_session(session, meeting_id)
    if live is None:
        raise NotLive()
    return meeting, scope, live


def start_session(session: Session, actor: Actor, meeting_id: int, *, anonymous: bool = False,
                  now: datetime | None = None) -> LiveSession:
    """Start the meeting's live session (or return the running one): it gets a fresh join code."""
    meeting, scope = access_meeting(session, actor, meeting_id)
    require(actor, Action.manage, scope)
    live = running_session(session, meeting_id)
    if live is not None:
        return live
    live = LiveSession(meeting_id=meeting.id, join_code=_new_code(session), anonymous=anonymous,
                       started_at=_now(now))
    log.set_live(session, room_of(meeting_id), True)
    _append(session, actor, live, LiveStarted)
    return live


def end_session(session: Session, actor: Actor, meeting_id: int, *, now: datetime | None = None) -> LiveSession:
    """End the live session: open votes close, the code stops working, the room may be pruned later."""
    from app.services import votes  # votes imports this module

    _, _, live = _managed(session, actor, meeting_id)
    votes.close_open_votes(session, actor, meeting_id, now=now)
    live.ended_at = _now(now)
    log.set_live(session, room_of(meeting_id), False)
    _append(session, actor, live, LiveEnded)
    return live


def set_focus(session: Session, actor: Actor, meeting_id: int, *, item_id: int | None,
              now: datetime | None = None) -> LiveSession:
    """Put an agenda item of the meeting in focus (None: no item); its timer starts from its minutes."""
    _, _, live = _managed(session, actor, meeting_id)
    item = session.get(AgendaItem, item_id) if item_id is not None else None
    if item_id is not None and (item is None or item.meeting_id != meeting_id
                                or item.status != AgendaStatus.accepted.value):
        raise InvalidInput(fields={"item_id": FieldMessage(N_("Choose an item on this meeting's agenda."))})
    live.focus_item_id = item_id
    live.focus_started_at = _now(now) if item is not None else None
    live.focus_minutes = item.planned_minutes if item is not None else None
    _append(session, actor, live, LiveFocusChanged)
    return live


def adjust_timer(session: Session, actor: Actor, meeting_id: int, *, add_minutes: int = 0,
                 minutes: int | None = None, restart: bool = False, now: datetime | None = None) -> LiveSession:
    """Change the timer of the item in focus: add (or take) minutes, set them, or start it over."""
    _, _, live = _managed(session, actor, meeting_id)
    if live.focus_item_id is None:
        raise InvalidInput(fields={"minutes": FieldMessage(N_("Put an agenda item in focus first."))})
    total = minutes if minutes is not None else (live.focus_minutes or 0) + add_minutes
    if not 0 <= total <= TIMER_MAX_MINUTES:
        raise InvalidInput(fields={"minutes": FieldMessage(N_("Use between 0 and 600 minutes."))})
    live.focus_minutes = total
    if restart or live.focus_started_at is None:
        live.focus_started_at = _now(now)
    _append(session, actor, live, LiveTimerChanged)
    return live


def set_anonymous(session: Session, actor: Actor, meeting_id: int, *, anonymous: bool) -> LiveSession:
    """Turn anonymous mode on or off (no names on the screen and the phones while on)."""
    _, _, live = _managed(session, actor, meeting_id)
    if live.anonymous != anonymous:
        live.anonymous = anonymous
        _append(session, actor, live, LiveAnonymityChanged)
    return live


def send_reaction(session: Session, actor: Actor, meeting_id: int, *, kind: str) -> None:
    """A quick reaction in the running session (counted for the screen, never stored)."""
    _, scope = access_meeting(session, actor, meeting_id)
    require(actor, Action.propose, scope)
    if running_session(session, meeting_id) is None:
        raise NotLive()
    if kind not in REACTIONS:
        raise InvalidInput(fields={"kind": FieldMessage(N_("Choose one of the options."))})
    pending_events(session).append(log.ephemeral(room_of(meeting_id), ReactionSent(kind=kind),
                                                 actor_id=actor.user_id))


# --- joining by code ---------------------------------------------------------------------------


class LiveJoinInput(Input):
    display_name: Text(NAME_MAX)


@dataclass(frozen=True)
class Joined:
    user_id: int
    meeting_id: int
    new_user: bool


def session_for_code(session: Session, raw_code: str) -> LiveSession:
    """The running session with this code; LiveSessionEnded if it has ended, else JoinCodeUnknown."""
    code = normalise_code(raw_code)
    if len(code) != CODE_LENGTH:
        raise JoinCodeUnknown()
    found = session.exec(select(LiveSession).where(LiveSession.join_code == code)
                         .order_by(col(LiveSession.ended_at).is_(None).desc(),
                                   col(LiveSession.started_at).desc())).first()
    if found is None:
        raise JoinCodeUnknown()
    if found.ended_at is not None:
        raise LiveSessionEnded()
    return found


def join_by_code(session: Session, actor: Actor, code: str, *, inputs: LiveJoinInput | None = None) -> Joined:
    """Take part in a running live session: the logged-in person, or a new guest with just a name,
    becomes a member of the project and a participant of the meeting's phase."""
    live = session_for_code(session, code)
    meeting = session.get(Meeting, live.meeting_id)
    assert meeting is not None
    new_user = actor.user_id is None
    if new_user:
        if inputs is None:
            raise InvalidInput(fields={"display_name": FieldMessage(N_("This field is required."))})
        user = User(display_name=inputs.display_name, is_guest=True)
        session.add(user)
        session.flush()
        user_id = user.id
    else:
        user_id = actor.user_id
    assert user_id is not None
    if session.exec(select(ProjectMember.id).where(ProjectMember.project_id == meeting.project_id,
                                                   ProjectMember.user_id == user_id)).first() is None:
        session.add(ProjectMember(project_id=meeting.project_id, user_id=user_id))
    if session.exec(select(PhaseMembership.id).where(PhaseMembership.phase_id == meeting.phase_id,
                                                     PhaseMembership.user_id == user_id)).first() is None:
        session.add(PhaseMembership(phase_id=meeting.phase_id, user_id=user_id, role="participant"))
    session.flush()
    return Joined(user_id=user_id, meeting_id=meeting.id, new_user=new_user)  # type: ignore[arg-type]
