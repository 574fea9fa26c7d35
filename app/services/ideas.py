"""Ideas (idé, forslag): what people propose in a meeting or a phase.

Services follow the one write path: access -> policy -> validate -> change rows and append events.
They never commit or publish (``Realtime.perform`` does, after commit).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.errors import InvalidInput
from app.i18n import N_
from app.models import Idea, LiveSession
from app.realtime import log
from app.realtime.events import IdeaCreated
from app.services.access import access_meeting
from app.services.actor import Actor
from app.services.inputs import FieldMessage
from app.services.policy import Action, require

TITLE_MAX = 200
BODY_MAX = 4000


def _of_running_live_session(column: object) -> sa.ScalarSelect[object]:
    """``column`` of the meeting's running live session (at most one: a unique index), else NULL."""
    return select(column).where(  # type: ignore[call-overload,no-any-return]
        LiveSession.meeting_id == sa.bindparam("live_meeting_id"), col(LiveSession.ended_at).is_(None)
    ).scalar_subquery()


# The idea's row in one round trip, built once: while the meeting's live session runs, the idea is
# linked to its focus item and takes its anonymous mode (read in the same statement).
_COPIED = [c.key for c in Idea.__table__.columns  # type: ignore[attr-defined]
           if c.key not in ("id", "agenda_item_id", "anonymous")]
_INSERT_IDEA = sa.insert(Idea).values({
    **{key: sa.bindparam(f"v_{key}") for key in _COPIED},
    "agenda_item_id": _of_running_live_session(LiveSession.focus_item_id),
    "anonymous": sa.func.coalesce(_of_running_live_session(LiveSession.anonymous), sa.false()),
}).returning(Idea)


def public_idea(idea: Idea, author_name: str, *, show_hidden: bool = False) -> dict[str, object]:
    """The public representation of an idea — the payload of every idea event and of every page's
    state — and the one place its privacy rules live: an anonymous idea has no author; a hidden one
    has no title, body or author name (unless ``show_hidden``: a facilitator's own page)."""
    hidden = idea.hidden_at is not None
    secret = hidden and not show_hidden
    nameless = idea.anonymous
    return {
        "id": idea.id, "project_id": idea.project_id, "phase_id": idea.phase_id, "meeting_id": idea.meeting_id,
        "agenda_item_id": idea.agenda_item_id,
        "author_id": None if nameless else idea.author_id,
        "author_name": "" if nameless or secret else author_name,
        "title": "" if secret else idea.title, "body": "" if secret else idea.body,
        "status": idea.status, "group_heading": idea.group_heading, "created_at": idea.created_at,
        "decision_note": idea.decision_note, "decided_at": idea.decided_at,
        "merged_into_id": idea.merged_into_id, "hidden": hidden, "hidden_reason": idea.hidden_reason,
    }


def check_idea(title: str, body: str) -> tuple[str, str]:
    """The cleaned title and body, or InvalidInput saying what to fix."""
    title, body = title.strip(), body.strip()
    fields: dict[str, str] = {}
    if not title:
        fields["title"] = FieldMessage(N_("Give your idea a short title."))
    elif len(title) > TITLE_MAX:
        fields["title"] = FieldMessage(N_("Use at most %(max)s characters."), max=TITLE_MAX)
    if len(body) > BODY_MAX:
        fields["body"] = FieldMessage(N_("Use at most %(max)s characters."), max=BODY_MAX)
    if fields:
        raise InvalidInput(fields=fields)
    return title, body


def submit_idea(session: Session, actor: Actor, meeting_id: int, *, title: str, body: str = "") -> Idea:
    """Propose an idea in a meeting; everyone in the meeting's room sees it (``idea.created``). While the
    meeting's live session runs, the idea is linked to the agenda item in focus (the minutes)."""
    meeting, scope = access_meeting(session, actor, meeting_id)
    require(actor, Action.propose, scope)
    title, body = check_idea(title, body)
    draft = Idea(project_id=meeting.project_id, phase_id=meeting.phase_id, meeting_id=meeting.id,
                 author_id=actor.user_id, title=title, body=body)
    values = {f"v_{key}": getattr(draft, key) for key in _COPIED}
    idea = session.scalars(_INSERT_IDEA, {"live_meeting_id": meeting.id, **values}).one()
    # sent in anonymous mode (idea.anonymous): the idea travels without its author, for good
    public = public_idea(idea, actor.display_name)
    log.append(session, f"meeting:{meeting.id}", IdeaCreated(**public), actor_id=actor.user_id)
    return idea
