"""Form handlers of a meeting's agenda: items, proposals and their answers, minutes, comments.

Each posts to one service through ``Realtime.perform``. Without JavaScript the browser is sent
back to the meeting's page (or shown it again with the form's errors); with ``process.js`` the
answer is JSON carrying the event frames the change made, which the page applies at once (the
same frames then arrive over the socket and change nothing more).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from app.errors import DomainError, InvalidInput
from app.i18n import N_
from app.services import agenda, comments
from app.services.access import access_agenda_item, access_comment
from app.services.actor import Actor
from app.services.comments import Target
from app.services.process_inputs import (
    AcceptInput,
    AgendaItemInput,
    AnswerInput,
    CommentInput,
    ConclusionInput,
    HideInput,
    MoveInput,
    OrderInput,
    ProposalInput,
    ids,
    parse,
)
from app.services.text import render as plain
from app.web.forms import actor_or_login, read
from app.web.handlers import wants_json
from app.web.meetings import render_meeting
from app.web.process_forms import back, done, failed, form_data, many, path_int, perform_for
from app.web.session import flash
from app.web.templating import gettext, render


def _item_meeting(session: Session, actor: Actor, item_id: int) -> int:
    item, _ = access_agenda_item(session, actor, item_id)
    return item.meeting_id


def _comment_place(session: Session, actor: Actor, comment_id: int) -> tuple[int | None, int]:
    comment, _ = access_comment(session, actor, comment_id)
    return comment.meeting_id, comment.project_id


async def _act(request: Request, *, meeting_id: int | None, form: str, fn: Callable[..., Any], target: Any,
               model: type[BaseModel] | None, anchor: str = "", data: dict[str, Any] | None = None,
               project_id: int | None = None) -> Response:
    """Parse the form into ``model``, run ``fn(actor, target, inputs=...)``, answer (see module).
    Something outside any meeting (a comment on an agreement) answers with the project room's frames."""
    actor = await actor_or_login(request)
    if isinstance(actor, Response):
        return actor
    data = data if data is not None else await form_data(request)
    try:
        if model is None:
            _, frames = await perform_for(request, fn, actor, target)
        else:
            _, frames = await perform_for(request, fn, actor, target, inputs=parse(model, data))
    except DomainError as exc:
        if wants_json(request) or not isinstance(exc, InvalidInput) or meeting_id is None:
            raise
        return await render_meeting(request, actor, meeting_id, failed(request, exc, form, data), status=exc.status)
    default = f"/meetings/{meeting_id}{anchor}" if meeting_id is not None else f"/projects/{project_id}/timeline"
    return done(request, back(data, default), {"events": frames})


async def add_item(request: Request) -> Response:
    meeting_id = path_int(request, "meeting_id")
    return await _act(request, meeting_id=meeting_id, form="new-item", fn=agenda.add_item, target=meeting_id,
                      model=AgendaItemInput, anchor="#agenda-heading")


async def propose(request: Request) -> Response:
    meeting_id = path_int(request, "meeting_id")
    return await _act(request, meeting_id=meeting_id, form="proposal", fn=agenda.propose_item, target=meeting_id,
                      model=ProposalInput, anchor="#proposals-heading")


async def reorder(request: Request) -> Response:
    meeting_id = path_int(request, "meeting_id")
    data = await form_data(request)
    order = data.get("order")
    data = {"order": ids([str(x) for x in order] if isinstance(order, list) else many(data, "order"))}
    return await _act(request, meeting_id=meeting_id, form="order", fn=agenda.reorder, target=meeting_id,
                      model=OrderInput, data=data)


async def _item_action(request: Request, fn: Callable[..., Any], model: type[BaseModel] | None,
                       form: str) -> Response:
    item_id = path_int(request, "item_id")
    actor = await actor_or_login(request)
    if isinstance(actor, Response):
        return actor
    meeting_id = await read(request, _item_meeting, actor, item_id)
    return await _act(request, meeting_id=meeting_id, form=f"{form}-{item_id}", fn=fn, target=item_id, model=model,
                      anchor=f"#item-{item_id}")


async def move(request: Request) -> Response:
    return await _item_action(request, agenda.move_item, MoveInput, "move")


async def remove(request: Request) -> Response:
    return await _item_action(request, agenda.remove_item, None, "remove")


async def accept(request: Request) -> Response:
    return await _item_action(request, agenda.accept_proposal, AcceptInput, "accept")


async def decline(request: Request) -> Response:
    return await _item_action(request, agenda.decline_proposal, AnswerInput, "decline")


async def conclusion(request: Request) -> Response:
    return await _item_action(request, agenda.record_conclusion, ConclusionInput, "conclusion")


def _comment_on_item(session: Session, actor: Actor, item_id: int, *, inputs: CommentInput) -> Any:
    return comments.add_comment(session, actor, Target.agenda_item(item_id), inputs=inputs)


async def comment(request: Request) -> Response:
    return await _item_action(request, _comment_on_item, CommentInput, "comment")


async def _comment_action(request: Request, fn: Callable[..., Any], model: type[BaseModel] | None,
                          form: str) -> Response:
    comment_id = path_int(request, "comment_id")
    actor = await actor_or_login(request)
    if isinstance(actor, Response):
        return actor
    meeting_id, project_id = await read(request, _comment_place, actor, comment_id)
    return await _act(request, meeting_id=meeting_id, form=f"{form}-{comment_id}", fn=fn, target=comment_id,
                      model=model, anchor=f"#comment-{comment_id}", project_id=project_id)


async def hide_comment(request: Request) -> Response:
    return await _comment_action(request, comments.hide_comment, HideInput, "hide")


async def show_comment(request: Request) -> Response:
    return await _comment_action(request, comments.show_comment, None, "show")


# --- pages of their own: editing an item, editing a comment ----------------------------------


def _item_for_edit(session: Session, actor: Actor, item_id: int) -> Any:
    item, _ = access_agenda_item(session, actor, item_id)
    return item


async def edit_item(request: Request) -> Response:
    actor = await actor_or_login(request)
    if isinstance(actor, Response):
        return actor
    item_id = path_int(request, "item_id")
    item = await read(request, _item_for_edit, actor, item_id)
    context: dict[str, Any] = {"item": item, "values": {"title": item.title, "description": item.description,
                                                        "planned_minutes": item.planned_minutes or ""}}
    if request.method == "GET":
        return render(request, "meetings/item_form.html", context)
    data = await form_data(request)
    try:
        await request.app.state.realtime.perform(agenda.update_item, actor, item_id,
                                                 inputs=parse(AgendaItemInput, data))
    except InvalidInput as exc:
        context.update(failed(request, exc, "item", data))
        return render(request, "meetings/item_form.html", context, status_code=exc.status)
    flash(request, gettext(request, N_("The item is saved.")), "success")
    return done(request, f"/meetings/{item.meeting_id}#item-{item_id}")


def _comment_for_edit(session: Session, actor: Actor, comment_id: int) -> Any:
    found, _ = access_comment(session, actor, comment_id)
    return found, comments.may_edit(actor, found)


async def edit_comment(request: Request) -> Response:
    actor = await actor_or_login(request)
    if isinstance(actor, Response):
        return actor
    comment_id = path_int(request, "comment_id")
    found, editable = await read(request, _comment_for_edit, actor, comment_id)
    back_to = f"/meetings/{found.meeting_id}#comment-{comment_id}" if found.meeting_id else "/dashboard"
    context: dict[str, Any] = {"comment": found, "editable": editable, "back": back_to, "values": {"body": found.body},
                               "plain": plain}
    if request.method == "GET":
        return render(request, "meetings/comment_form.html", context)
    data = await form_data(request)
    try:
        await request.app.state.realtime.perform(comments.edit_comment, actor, comment_id,
                                                 inputs=parse(CommentInput, data))
    except DomainError as exc:
        context.update(failed(request, exc, "comment", data))
        return render(request, "meetings/comment_form.html", context, status_code=exc.status)
    flash(request, gettext(request, N_("Your comment is saved.")), "success")
    return done(request, back_to)
