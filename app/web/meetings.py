"""Pages: a meeting with its agenda (the live page of the process), planning and editing a meeting,
and carrying unfinished items over to a later meeting."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app import i18n
from app.errors import DomainError, InvalidInput, NotFound
from app.i18n import N_, TIMEZONE
from app.models import Meeting
from app.services import agenda, meetings, uploads
from app.services.access import access_meeting, access_phase
from app.services.actor import Actor
from app.services.meeting_page import MeetingPage, meeting_page
from app.services.process_inputs import CarryOverInput, MeetingInput, ids, parse
from app.services.text import render as plain
from app.web.forms import actor_or_login, perform, read, see_other
from app.web.process_forms import back, failed, form_data, many, path_int
from app.web.process_texts import live_texts
from app.web.session import current_actor, flash
from app.web.templating import gettext, locale_of, render

ITEM_TPL: dict[str, Any] = {
    "id": "{id}", "meeting_id": "{meeting_id}", "position": "", "title": "", "description": "",
    "planned_minutes": None, "status": "", "proposed_by_id": None, "proposed_by_name": "", "proposal_reason": "",
    "answer": "", "answered_at": None, "conclusion": "", "carried_from_id": None,
    "carried_from_meeting_id": "{carried_from_meeting_id}", "carried_from_meeting_title": "",
    "carried_to_meeting_id": "{carried_to_meeting_id}", "carried_to_meeting_title": "", "created_at": None,
}
COMMENT_TPL: dict[str, Any] = {"id": "{id}", "author_id": None, "author_name": "", "body": "", "created_at": None,
                               "edited_at": None, "hidden": False, "hidden_reason": "", "editable_until": None}
MATERIAL_TPL: dict[str, Any] = {"id": "{id}", "kind": "", "category": "", "title": "", "href": "#", "size": 0,
                                "added_by_id": None, "added_by_name": "", "meeting_id": None, "agenda_item_id": None}


def iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def material_form(request: Request, project_id: int, attach: list[tuple[str, str]], attach_value: str,
                  next_url: str) -> dict[str, Any]:
    settings = request.app.state.settings
    return {"project_id": project_id, "attach": attach, "attach_value": attach_value, "next": next_url,
            "max_bytes": settings.max_upload_bytes, "max_mb": max(1, settings.max_upload_bytes // (1024 * 1024)),
            "accept": uploads.ACCEPT}


def _state(request: Request, actor: Actor, page: MeetingPage) -> dict[str, Any]:
    return {
        "room": page.room, "seq": page.seq, "me": actor.user_id, "meetingId": page.meeting.id,
        "projectId": page.project.id, "manage": page.may_manage, "comment": page.may_comment,
        "propose": page.may_propose, "locale": locale_of(request), "now": datetime.now(UTC).isoformat(),
        "text": live_texts(locale_of(request)),
    }


def meeting_context(request: Request, actor: Actor, page: MeetingPage) -> dict[str, Any]:
    now = datetime.now(UTC)
    locale = locale_of(request)
    attach = [(f"meeting:{page.meeting.id}", gettext(request, N_("The meeting as a whole")))]
    attach += [(f"item:{i['id']}", gettext(request, N_("Item: %(title)s"), title=i["title"]))
               for i in page.item_choices]
    return {
        "page": page,
        "tpl": {"item": {"item": ITEM_TPL, "comments": [], "materials": [], "earlier": []},
                "comment": COMMENT_TPL, "material": MATERIAL_TPL},
        "state": _state(request, actor, page),
        "plain": plain,
        "iso": iso,
        "editable": lambda c: bool(c.get("editable_until")) and c.get("author_id") == actor.user_id
        and not c.get("hidden") and now < c["editable_until"],
        "removable": lambda x: bool(x.get("id") != "{id}") and (page.may_manage or (
            page.may_propose and x.get("added_by_id") is not None and x.get("added_by_id") == actor.user_id)),
        "material_form": material_form(request, page.project.id, attach, f"meeting:{page.meeting.id}",
                                       f"/meetings/{page.meeting.id}#materials-heading"),
        "locale_name": i18n.locale_name(locale),
    }


async def render_meeting(request: Request, actor: Actor, meeting_id: int, extra: dict[str, Any] | None = None,
                         status: int = 200) -> Response:
    try:
        page = await read(request, meeting_page, actor, meeting_id)
    except NotFound:
        if actor.is_anonymous:
            return see_other(f"/login?next=/meetings/{meeting_id}")
        raise
    context = meeting_context(request, actor, page)
    context.update(extra or {})
    return render(request, "meetings/show.html", context, status_code=status,
                  headers={"Cache-Control": "no-store"})


async def show(request: Request) -> Response:
    actor = await current_actor(request)
    return await render_meeting(request, actor, path_int(request, "meeting_id"))


async def minutes(request: Request) -> Response:
    """The live-session links and the minutes alone: what the meeting's page fetches again when the
    room's ideas, votes, decisions or session change (the same markup as on the page)."""
    actor = await current_actor(request)
    page = await read(request, meeting_page, actor, path_int(request, "meeting_id"))
    return render(request, "meetings/minutes_fragment.html", meeting_context(request, actor, page),
                  headers={"Cache-Control": "no-store"})


# --- planning and editing ------------------------------------------------------------------------


def _form_values(meeting: Meeting) -> dict[str, str]:
    starts = meeting.starts_at.astimezone(TIMEZONE)
    ends = meeting.ends_at.astimezone(TIMEZONE) if meeting.ends_at else None
    return {"kind": meeting.kind, "title": meeting.title, "day": starts.date().isoformat(),
            "starts": starts.strftime("%H:%M"), "ends": ends.strftime("%H:%M") if ends else "",
            "place": meeting.place, "online_url": meeting.online_url}


def _phase(session, actor, phase_id):  # type: ignore[no-untyped-def]
    phase, _ = access_phase(session, actor, phase_id)
    return phase


def _meeting(session, actor, meeting_id):  # type: ignore[no-untyped-def]
    meeting, _ = access_meeting(session, actor, meeting_id)
    return meeting


async def new(request: Request) -> Response:
    actor = await actor_or_login(request)
    if isinstance(actor, Response):
        return actor
    phase_id = path_int(request, "phase_id")
    phase = await read(request, _phase, actor, phase_id)
    context: dict[str, Any] = {"phase": phase, "values": {"kind": "workshop"}, "action": f"/phases/{phase_id}/meetings"}
    if request.method == "GET":
        return render(request, "meetings/form.html", context)
    data = await form_data(request)
    try:
        meeting = await perform(request, meetings.create_meeting, actor, phase_id, inputs=parse(MeetingInput, data))
    except InvalidInput as exc:
        context.update(failed(request, exc, "meeting", data))
        return render(request, "meetings/form.html", context, status_code=exc.status)
    flash(request, gettext(request, N_("The meeting is planned. Now write its agenda.")), "success")
    return see_other(f"/meetings/{meeting.id}")


async def edit(request: Request) -> Response:
    actor = await actor_or_login(request)
    if isinstance(actor, Response):
        return actor
    meeting_id = path_int(request, "meeting_id")
    meeting = await read(request, _meeting, actor, meeting_id)
    phase = await read(request, _phase, actor, meeting.phase_id)
    context: dict[str, Any] = {"phase": phase, "meeting": meeting, "values": _form_values(meeting),
                               "action": f"/meetings/{meeting_id}/edit"}
    if request.method == "GET":
        return render(request, "meetings/form.html", context)
    data = await form_data(request)
    try:
        await perform(request, meetings.update_meeting, actor, meeting_id, inputs=parse(MeetingInput, data))
    except InvalidInput as exc:
        context.update(failed(request, exc, "meeting", data))
        return render(request, "meetings/form.html", context, status_code=exc.status)
    flash(request, gettext(request, N_("The meeting is saved.")), "success")
    return see_other(f"/meetings/{meeting_id}")


async def carry_over(request: Request) -> Response:
    actor = await actor_or_login(request)
    if isinstance(actor, Response):
        return actor
    meeting_id = path_int(request, "meeting_id")
    page = await read(request, meeting_page, actor, meeting_id)
    if not page.may_manage:
        raise NotFound()
    locale = locale_of(request)
    options = [(m.id, f"{m.title} · {i18n.format_datetime(m.starts_at, locale, 'weekday')}")
               for m in page.later_meetings]
    context: dict[str, Any] = {"page": page, "chosen": {i["id"] for i in page.carry_candidates if not i["conclusion"]},
                               "target": page.later_meetings[0].id if page.later_meetings else None, "options": options}
    if request.method == "GET":
        return render(request, "meetings/carry_over.html", context)
    data = await form_data(request)
    inputs = None
    try:
        inputs = parse(CarryOverInput, {"to_meeting_id": data.get("to_meeting_id"),
                                        "item_ids": ids(many(data, "item_ids"))})
        created = await perform(request, agenda.carry_over, actor, meeting_id, inputs=inputs)
    except (InvalidInput, DomainError) as exc:
        context.update(failed(request, exc, "carry", data))
        if inputs is not None:
            context.update(chosen=set(inputs.item_ids), target=inputs.to_meeting_id)
        return render(request, "meetings/carry_over.html", context, status_code=exc.status)
    target = created[0].meeting_id
    flash(request, i18n.ngettext(locale_of(request), "%(num)d item is carried over.", "%(num)d items are carried over.",
                                 len(created)), "success")
    return see_other(back(data, f"/meetings/{target}"))
