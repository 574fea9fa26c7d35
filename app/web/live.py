"""Pages of the live workshop: join by code, the phone view, the projector screen, the facilitator's
console (start and end the session there), the room's state as JSON, and the project's agreements.

The live pages embed the room's state with its ``seq`` (``<script type="application/json">``) and
the texts their scripts show, in the page's language; ``live.js`` connects to ``/ws/meeting:<id>``
from that seq and sends every change as a socket command.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import segno
from babel.messages.extract import extract_from_file
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app import i18n
from app.errors import DomainError, Forbidden, NotFound, RateLimited
from app.i18n import N_
from app.services import agreements, live
from app.services.access import access_meeting
from app.services.inputs import parse
from app.services.live_state import room_state
from app.services.policy import Action, may
from app.settings import ROOT
from app.web import session as web_session
from app.web.forms import client_ip, form_errors, kept_values, perform, read, read_form, see_other
from app.web.live_text import js_texts
from app.web.ratelimit import limiter
from app.web.session import current_actor, flash
from app.web.templating import gettext, locale_of, render

CODE_LIMIT, CODE_WINDOW = 20, 600.0  # wrong codes per IP per 10 minutes
# Modules whose messages can come back in a socket ``error`` (translated in the browser).
MESSAGE_SOURCES = ("app/errors.py", "app/i18n.py", "app/services/live.py", "app/services/votes.py",
                   "app/services/ideas_live.py", "app/services/agreements.py", "app/services/ideas.py",
                   "app/services/comments.py", "app/services/process_inputs.py")


def _id(request: Request, name: str = "meeting_id") -> int:
    value = request.path_params[name]
    if isinstance(value, int):
        return value
    raise NotFound()


def base_url(request: Request) -> str:
    return request.app.state.settings.base_url.rstrip("/")


def join_url(request: Request, code: str) -> str:
    return f"{base_url(request)}/live/{code}"


def qr_svg(url: str, *, title: str) -> Markup:
    """The QR code of ``url`` as inline SVG (made here, no third party), labelled for screen readers."""
    svg = segno.make(url, error="m").svg_inline(scale=10, border=2, dark="#000", light="#fff", omitsize=True,
                                                 svgclass="qr", title=title)
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # segno escapes; the URL is ours


@cache
def _msgids() -> tuple[str, ...]:
    found: list[str] = []
    for name in MESSAGE_SOURCES:
        path = ROOT / name
        if Path(path).exists():
            for _, message, _, _ in extract_from_file("python", str(path)):
                if isinstance(message, str):
                    found.append(message)
    return tuple(dict.fromkeys(found))


def socket_messages(locale: str) -> dict[str, str]:
    """English message -> the page's language, for the errors a socket command can answer with."""
    return {msgid: i18n.gettext(locale, msgid) for msgid in _msgids()}


def page_config(request: Request, state: dict[str, Any], view: str) -> dict[str, Any]:
    locale = locale_of(request)
    code = state["live"]["join_code"] if state.get("live") else ""
    return {"view": view, "state": state, "socket": f"/ws/{state['room']}", "serverNow": datetime.now(UTC).isoformat(),
            "stateUrl": f"/meetings/{state['meeting']['id']}/live/state.json", "locale": locale,
            "joinUrl": join_url(request, code) if code else "", "joinCode": live.display_code(code),
            "texts": js_texts(locale), "messages": socket_messages(locale)}


async def _live_page(request: Request, template: str, view: str) -> Response:
    actor = await current_actor(request)
    try:
        state = await read(request, room_state, actor, _id(request))
    except NotFound:
        if actor.is_anonymous:  # maybe logged out (or a guest on a new phone): offer to log in
            return see_other(f"/login?next={request.url.path}")
        raise
    if view == "console" and not state["me"]["facilitator"]:
        raise Forbidden(N_("Only the meeting's facilitators can run the live session."))
    context: dict[str, Any] = {"state": state, "config": page_config(request, state, view),
                               "running": bool(state["live"] and not state["live"]["ended_at"])}
    if view == "screen" and context["running"]:
        url = context["config"]["joinUrl"]
        context["qr"] = qr_svg(url, title=gettext(request, N_("QR code: scan it to join")))
        context["short_url"] = f"{base_url(request).split('://', 1)[-1]}/live"
    return render(request, template, context)


async def phone(request: Request) -> Response:
    return await _live_page(request, "live/phone.html", "phone")


async def screen(request: Request) -> Response:
    return await _live_page(request, "live/screen.html", "screen")


async def console(request: Request) -> Response:
    return await _live_page(request, "live/console.html", "console")


async def state_json(request: Request) -> Response:
    actor = await current_actor(request)
    state = await read(request, room_state, actor, _id(request))
    return JSONResponse(state, headers={"Cache-Control": "no-store"})


async def start(request: Request) -> Response:
    actor = await current_actor(request)
    meeting_id = _id(request)
    data = await read_form(request)
    await perform(request, live.start_session, actor, meeting_id, anonymous=data.get("anonymous") == "on")
    flash(request, gettext(request, N_("The live session is running. Show the screen on the projector.")), "success")
    return see_other(f"/meetings/{meeting_id}/live/console")


async def end(request: Request) -> Response:
    actor = await current_actor(request)
    meeting_id = _id(request)
    await perform(request, live.end_session, actor, meeting_id)
    flash(request, gettext(request, N_("The live session has ended. Everything said, voted and decided is kept "
                                       "with the meeting.")), "success")
    return see_other(f"/meetings/{meeting_id}/live/console")


# --- joining by code ---------------------------------------------------------------------------


def _code_limiter(request: Request) -> Any:
    return limiter(request.app, "live-code-ip", limit=CODE_LIMIT, window=CODE_WINDOW)


def _check_rate(request: Request) -> None:
    if _code_limiter(request).blocked(client_ip(request)):
        raise RateLimited(N_("Too many wrong codes. Wait a few minutes and try again."))


async def enter_code(request: Request) -> Response:
    """``/live``: type the code from the screen (``?code=`` goes on to the join page)."""
    raw = request.query_params.get("code")
    if raw is None:
        return render(request, "live/enter_code.html")
    try:
        _check_rate(request)
        found = await read(request, live.session_for_code, raw)
    except DomainError as exc:
        if isinstance(exc, live.JoinCodeUnknown):
            _code_limiter(request).hit(client_ip(request))
        return render(request, "live/enter_code.html", {"values": {"code": raw}, **_code_errors(request, exc)},
                      status_code=exc.status)
    return see_other(f"/live/{found.join_code}")


def _code_errors(request: Request, exc: DomainError) -> dict[str, Any]:
    message = i18n.error_message(locale_of(request), exc)
    return {"errors": {"code": message}, "error_summary": message}


async def join(request: Request) -> Response:
    """``/live/<code>`` (the QR code's address): give a name, or one tap when logged in."""
    actor = await current_actor(request)
    code = request.path_params["code"]
    try:
        _check_rate(request)
        found = await read(request, live.session_for_code, code)
    except DomainError as exc:
        if isinstance(exc, live.JoinCodeUnknown):
            _code_limiter(request).hit(client_ip(request))
        return render(request, "live/enter_code.html", {"values": {"code": code}, **_code_errors(request, exc)},
                      status_code=exc.status)
    meeting_id = found.meeting_id
    context = await read(request, _join_context, actor, meeting_id)
    if request.method == "GET":
        if context["in_circle"]:
            return see_other(f"/meetings/{meeting_id}/live")
        return render(request, "live/join.html", {**context, "code": found.join_code})
    data = await read_form(request)
    try:
        inputs = parse(live.LiveJoinInput, data) if actor.is_anonymous else None
        joined = await perform(request, live.join_by_code, actor, code, inputs=inputs)
    except (live.JoinCodeUnknown, live.LiveSessionEnded) as exc:
        return render(request, "live/enter_code.html", {"values": {"code": code}, **_code_errors(request, exc)},
                      status_code=exc.status)
    except DomainError as exc:
        return render(request, "live/join.html", {**context, "code": found.join_code, "values": kept_values(data),
                                                  **form_errors(request, exc)}, status_code=exc.status)
    if joined.new_user:
        web_session.log_in(request, joined.user_id)
    return see_other(f"/meetings/{joined.meeting_id}/live")


def _join_context(session: Any, actor: Any, meeting_id: int) -> dict[str, Any]:
    from app.models import Meeting, Project

    meeting = session.get(Meeting, meeting_id)
    project = session.get(Project, meeting.project_id)
    in_circle = False
    if not actor.is_anonymous:
        try:
            _, scope = access_meeting(session, actor, meeting_id)
            in_circle = may(actor, Action.propose, scope) or may(actor, Action.manage, scope)
        except NotFound:
            in_circle = False
    return {"meeting": meeting, "project": project, "in_circle": in_circle}


# --- agreements --------------------------------------------------------------------------------


async def project_agreements(request: Request) -> Response:
    actor = await current_actor(request)
    try:
        project, rows = await read(request, agreements.project_agreements, actor, _id(request, "project_id"))
    except NotFound:
        if actor.is_anonymous:
            return see_other(f"/login?next={request.url.path}")
        raise
    return render(request, "live/agreements.html", {"project": project, "agreements": rows})
