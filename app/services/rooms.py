"""Where the process's events go, and the names shown with them.

``emit`` appends an event to the meeting's room (when it belongs to a meeting) and then to the
project room, always in that order: two transactions that touch the same two room counters lock
them in the same order, so they queue instead of deadlocking.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from app.models import User
from app.realtime import log
from app.realtime.events import Event
from app.services.actor import Actor

FORMER = "—"


def project_room(project_id: int) -> str:
    return f"project:{project_id}"


def meeting_room(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


def emit(session: Session, actor: Actor, event: Event, *, project_id: int, meeting_id: int | None = None) -> None:
    """Append ``event`` to the meeting's room (if any), then to the project's."""
    if meeting_id is not None:
        log.append(session, meeting_room(meeting_id), event, actor_id=actor.user_id)
    log.append(session, project_room(project_id), event, actor_id=actor.user_id)


def names(session: Session, user_ids: Iterable[int | None]) -> dict[int, str]:
    """Display names by user id; an erased person shows as a dash."""
    wanted = {uid for uid in user_ids if uid is not None}
    if not wanted:
        return {}
    rows = session.exec(select(User.id, User.display_name, User.erased_at).where(col(User.id).in_(wanted)))
    return {uid: (FORMER if erased else name) for uid, name, erased in rows}


def name_of(session: Session, user_id: int | None) -> str:
    return names(session, [user_id]).get(user_id, "") if user_id is not None else ""  # type: ignore[arg-type]
