"""Comments on an agenda item, an idea or an agreement — the one comments service (the live room
uses it too). Everyone in the current phase's circle comments; the author may edit a comment for
``EDIT_WINDOW`` after writing it; a facilitator hides one with a reason everyone sees ("hidden by
the facilitator") and may show it again. Nothing is deleted.

``add_comment(session, actor, Target.agenda_item(5), inputs=CommentInput(body=...))``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.errors import Conflict, Forbidden
from app.i18n import N_
from app.models import AgendaStatus, Comment
from app.realtime.events import Event
from app.realtime.events_process import CommentCreated, CommentEdited, CommentHidden, CommentShown
from app.services.access import access_agenda_item, access_agreement, access_comment, access_idea
from app.services.actor import Actor
from app.services.policy import Action, Scope, require
from app.services.process_inputs import CommentInput, HideInput
from app.services.rooms import emit, name_of, names

EDIT_WINDOW = timedelta(minutes=15)
TargetKind = Literal["agenda_item", "idea", "agreement"]


@dataclass(frozen=True)
class Target:
    """What a comment is about."""

    kind: TargetKind
    id: int

    @classmethod
    def agenda_item(cls, item_id: int) -> Target:
        return cls("agenda_item", item_id)

    @classmethod
    def idea(cls, idea_id: int) -> Target:
        return cls("idea", idea_id)

    @classmethod
    def agreement(cls, agreement_id: int) -> Target:
        return cls("agreement", agreement_id)


@dataclass(frozen=True)
class _Where:
    project_id: int
    meeting_id: int | None
    scope: Scope


def _where(session: Session, actor: Actor, target: Target) -> _Where:
    """Load the target with read permission (NotFound otherwise) and say where it lives."""
    if target.kind == "agenda_item":
        item, scope = access_agenda_item(session, actor, target.id)
        if item.status == AgendaStatus.removed.value:
            raise Conflict(N_("This item was taken off the agenda, so it takes no new comments."))
        return _Where(scope.project_id, item.meeting_id, scope)
    if target.kind == "idea":
        idea, scope = access_idea(session, actor, target.id)
        if idea.hidden_at is not None:
            raise Conflict(N_("This idea was hidden by the facilitator, so it takes no new comments."))
        return _Where(idea.project_id, idea.meeting_id, scope)
    if target.kind == "agreement":
        agreement, scope = access_agreement(session, actor, target.id)
        return _Where(agreement.project_id, agreement.meeting_id, scope)
    raise ValueError(f"no comments on {target.kind!r}")


def editable_until(comment: Comment) -> datetime:
    return comment.created_at + EDIT_WINDOW


def comment_public(comment: Comment, author_name: str) -> dict[str, object]:
    hidden = comment.hidden_at is not None
    return {
        "id": comment.id, "project_id": comment.project_id, "meeting_id": comment.meeting_id,
        "agenda_item_id": comment.agenda_item_id, "idea_id": comment.idea_id, "agreement_id": comment.agreement_id,
        "author_id": comment.author_id, "author_name": author_name, "body": "" if hidden else comment.body,
        "created_at": comment.created_at, "edited_at": comment.edited_at, "editable_until": editable_until(comment),
        "hidden": hidden, "hidden_reason": comment.hidden_reason if hidden else "",
    }


def _emit(session: Session, actor: Actor, kind: type[Event], comment: Comment) -> None:
    event = kind(**comment_public(comment, name_of(session, comment.author_id)))
    emit(session, actor, event, project_id=comment.project_id, meeting_id=comment.meeting_id)


def add_comment(session: Session, actor: Actor, target: Target, *, inputs: CommentInput,
                now: datetime | None = None) -> Comment:
    """Comment on ``target``; needs the comment right in the target's (current) phase."""
    where = _where(session, actor, target)
    require(actor, Action.comment, where.scope)
    comment = Comment(project_id=where.project_id, meeting_id=where.meeting_id, author_id=actor.user_id,
                      body=inputs.body, created_at=now or datetime.now(UTC),
                      **{f"{target.kind}_id": target.id})
    session.add(comment)
    session.flush()
    _emit(session, actor, CommentCreated, comment)
    return comment


def may_edit(actor: Actor, comment: Comment, now: datetime | None = None) -> bool:
    """The author, within the edit window, while the comment is not hidden."""
    return (actor.user_id is not None and comment.author_id == actor.user_id and comment.hidden_at is None
            and (now or datetime.now(UTC)) < editable_until(comment))


def edit_comment(session: Session, actor: Actor, comment_id: int, *, inputs: CommentInput,
                 now: datetime | None = None) -> Comment:
    comment, scope = access_comment(session, actor, comment_id)
    if comment.author_id is None or comment.author_id != actor.user_id:
        raise Forbidden(N_("Only the person who wrote a comment can edit it."))
    require(actor, Action.comment, scope)
    if comment.hidden_at is not None:
        raise Conflict(N_("A facilitator has hidden this comment, so it cannot be edited."))
    if not may_edit(actor, comment, now):
        raise Conflict(N_("A comment can only be edited in the first %(minutes)s minutes. Write a new comment "
                          "instead."), minutes=int(EDIT_WINDOW.total_seconds() // 60))
    if inputs.body != comment.body:
        comment.body, comment.edited_at = inputs.body, now or datetime.now(UTC)
        session.add(comment)
        session.flush()
        _emit(session, actor, CommentEdited, comment)
    return comment


def hide_comment(session: Session, actor: Actor, comment_id: int, *, inputs: HideInput,
                 now: datetime | None = None) -> Comment:
    """A facilitator hides a comment; everyone sees "hidden by the facilitator" and the reason."""
    comment, scope = access_comment(session, actor, comment_id)
    require(actor, Action.manage, scope)
    comment.hidden_at = comment.hidden_at or now or datetime.now(UTC)
    comment.hidden_by_id, comment.hidden_reason = actor.user_id, inputs.reason
    session.add(comment)
    session.flush()
    _emit(session, actor, CommentHidden, comment)
    return comment


def show_comment(session: Session, actor: Actor, comment_id: int) -> Comment:
    """Undo hiding (a facilitator's mistake)."""
    comment, scope = access_comment(session, actor, comment_id)
    require(actor, Action.manage, scope)
    if comment.hidden_at is not None:
        comment.hidden_at, comment.hidden_by_id, comment.hidden_reason = None, None, ""
        session.add(comment)
        session.flush()
        _emit(session, actor, CommentShown, comment)
    return comment


def comments_on(session: Session, *, agenda_item_ids: Iterable[int] = (), idea_ids: Iterable[int] = (),
                agreement_ids: Iterable[int] = ()) -> list[dict[str, object]]:
    """The public form of every comment on these targets, oldest first (for pages and snapshots)."""
    conditions = []
    for column, wanted in ((Comment.agenda_item_id, agenda_item_ids), (Comment.idea_id, idea_ids),
                           (Comment.agreement_id, agreement_ids)):
        values = list(wanted)
        if values:
            conditions.append(col(column).in_(values))
    if not conditions:
        return []
    rows = list(session.exec(select(Comment).where(or_(*conditions)).order_by(col(Comment.created_at),
                                                                              col(Comment.id))))
    who = names(session, [c.author_id for c in rows])
    return [comment_public(c, who.get(c.author_id, "") if c.author_id else "") for c in rows]  # type: ignore[arg-type]
