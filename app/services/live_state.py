"""What a live page (phone, screen, console) starts from: the room's state with its last ``seq``.

The seq is read first, then the rows: every event after that seq is replayed on top, and the
browser's reducers are upserts by id, so an event already reflected in the rows changes nothing.
Facilitators get hidden text, hidden answers and the preview tallies (never in room events).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic_core import to_jsonable_python
from sqlmodel import Session, col, select

from app.models import (
    AgendaItem,
    AgendaStatus,
    Agreement,
    Idea,
    LiveSession,
    Phase,
    PhaseMembership,
    Project,
    ProjectMember,
    User,
    Vote,
)
from app.realtime import log
from app.services.access import access_meeting
from app.services.actor import Actor
from app.services.agreements import agreement_states
from app.services.ideas_live import idea_states
from app.services.live import live_public, room_of
from app.services.policy import Action, may
from app.services.votes import my_ballots, vote_states

# Comments come from the process's comments service when it is there (it is optional here so the
# live room works on its own).
CommentLoader = Callable[..., list[dict[str, object]]]


def _comments_loader() -> CommentLoader | None:
    try:
        from app.services.comments import comments_on
    except ImportError:  # pragma: no cover - the process issue provides it
        return None
    return comments_on


def latest_session(session: Session, meeting_id: int) -> LiveSession | None:
    """The running session, else the last one that ran."""
    return session.exec(select(LiveSession).where(LiveSession.meeting_id == meeting_id)
                        .order_by(col(LiveSession.ended_at).is_(None).desc(), col(LiveSession.started_at).desc(),
                                  col(LiveSession.id).desc())).first()


def project_people(session: Session, project_id: int) -> list[dict[str, object]]:
    """Everyone in the project (members and every phase's circle), by name: owners to choose from."""
    members = select(ProjectMember.user_id).where(ProjectMember.project_id == project_id)
    circle = (select(PhaseMembership.user_id).join(Phase, col(Phase.id) == PhaseMembership.phase_id)
              .where(Phase.project_id == project_id))
    rows = session.exec(select(User.id, User.display_name).where(
        col(User.id).in_(members.union(circle)), col(User.erased_at).is_(None))).all()
    return [{"id": uid, "name": name} for uid, name in sorted(rows, key=lambda r: (r[1].casefold(), r[0]))]


def room_state(session: Session, actor: Actor, meeting_id: int) -> dict[str, Any]:
    """The live room as ``actor`` may see it, JSON-ready, with its ``seq``."""
    meeting, scope = access_meeting(session, actor, meeting_id)
    room = room_of(meeting_id)
    seq = log.last_seq(session, room)
    manager = may(actor, Action.manage, scope)
    project = session.get(Project, meeting.project_id)
    live = latest_session(session, meeting_id)
    agenda = list(session.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting_id,
                                                        AgendaItem.status == AgendaStatus.accepted.value)
                               .order_by(col(AgendaItem.position), col(AgendaItem.id))))
    ideas = list(session.exec(select(Idea).where(Idea.meeting_id == meeting_id).order_by(col(Idea.id))))
    votes = list(session.exec(select(Vote).where(Vote.meeting_id == meeting_id).order_by(col(Vote.id))))
    agreements = list(session.exec(select(Agreement).where(Agreement.meeting_id == meeting_id)
                                   .order_by(col(Agreement.id))))
    loader = _comments_loader()
    comments = loader(session, agenda_item_ids=[i.id for i in agenda], idea_ids=[i.id for i in ideas]) \
        if loader else []
    state = {
        "room": room, "seq": seq,
        "meeting": {"id": meeting.id, "title": meeting.title, "kind": meeting.kind, "project_id": meeting.project_id,
                    "project_title": project.title if project else "", "phase_id": meeting.phase_id},
        "me": {"id": actor.user_id, "name": actor.display_name, "facilitator": manager,
               "may_take_part": may(actor, Action.propose, scope)},
        "live": live_public(live) if live else None,
        "agenda": [{"id": i.id, "title": i.title, "description": i.description,
                    "planned_minutes": i.planned_minutes, "position": i.position} for i in agenda],
        "ideas": idea_states(session, ideas, show_hidden=manager),
        "votes": vote_states(session, votes, manager=manager),
        "ballots": {str(k): v for k, v in my_ballots(session, actor, [v.id for v in votes]).items()},  # type: ignore[misc]
        "agreements": agreement_states(session, agreements),
        "comments": comments,
        "people": project_people(session, meeting.project_id) if manager else [],
    }
    return to_jsonable_python(state)
