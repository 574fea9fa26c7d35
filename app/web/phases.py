"""Pages: a project's phases (create, order, move on to the next), one phase (edit, its circle, its
meetings)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app.errors import DomainError, InvalidInput, NotFound
from app.i18n import N_
from app.services import phases
from app.services.access import access_phase
from app.services.process_inputs import AdvanceInput, CircleInput, MoveInput, PhaseInput, ids, parse
from app.services.process_views import advance_page, phase_page, phases_page
from app.services.text import render as plain
from app.web.forms import actor_or_login, perform, read, see_other
from app.web.process_forms import back, done, failed, form_data, many, path_int
from app.web.session import current_actor, flash
from app.web.templating import gettext, render


async def _login_or_404(request: Request, exc: NotFound) -> Response:
    actor = await current_actor(request)
    if actor.is_anonymous:
        return see_other(f"/login?next={request.url.path}")
    raise exc


async def index(request: Request, extra: dict[str, Any] | None = None, status: int = 200) -> Response:
    actor = await current_actor(request)
    project_id = path_int(request, "project_id")
    try:
        page = await read(request, phases_page, actor, project_id)
    except NotFound as exc:
        return await _login_or_404(request, exc)
    return render(request, "phases/index.html", {"page": page, "plain": plain, **(extra or {})}, status_code=status)


async def create(request: Request) -> Response:
    actor = await actor_or_login(request)
    if isinstance(actor, Response):
        return actor
    project_id = path_int(request, "project_id")
    data = await form_data(request)
    try:
        phase = await perform(request, phases.create_phase, actor, project_id, inputs=parse(PhaseInput, data))
    except InvalidInput as exc:
        return await index(request, failed(request, exc, "new-phase", data), status=exc.status)
    flash(request, gettext(request, N_("The phase “%(title)s” is added."), title=phase.title), "success")
    return see_other(f"/projects/{project_id}/phases#phase-{phase.id}")


async def show(request: Request, extra: dict[str, Any] | None = None, status: int = 200) -> Response:
    actor = await current_actor(request)
    try:
        page = await read(request, phase_page, actor, path_int(request, "phase_id"))
    except NotFound as exc:
        return await _login_or_404(request, exc)
    return render(request, "phases/show.html", {"page": page, "plain": plain, **(extra or {})}, status_code=status)


def _phase(session, actor, phase_id):  # type: ignore[no-untyped-def]
    phase, _ = access_phase(session, actor, phase_id)
    return phase


async def edit(request: Request) -> Response:
    actor = await actor_or_login(request)
    if isinstance(actor, Response):
        return actor
    phase_id = path_int(request, "phase_id")
    phase = await read(request, _phase, actor, phase_id)
    values = {"title": phase.title, "goal": phase.goal, "starts_on": phase.starts_on.isoformat() if phase.starts_on
              else "", "ends_on": phase.ends_on.isoformat() if phase.ends_on else ""}
    context: dict[str, Any] = {"phase": phase, "values": values}
    if request.method == "GET":
        return render(request, "phases/form.html", context)
    data = await form_data(request)
    try:
        await perform(request, phases.update_phase, actor, phase_id, inputs=parse(PhaseInput, data))
    except InvalidInput as exc:
        context.update(failed(request, exc, "phase", data))
        return render(request, "phases/form.html", context, status_code=exc.status)
    flash(request, gettext(request, N_("The phase is saved.")), "success")
    return see_other(f"/phases/{phase_id}")


async def move(request: Request) -> Response:
    actor = await actor_or_login(request)
    if isinstance(actor, Response):
        return actor
    phase_id = path_int(request, "phase_id")
    data = await form_data(request)
    phase = await perform(request, phases.move_phase, actor, phase_id, inputs=parse(MoveInput, data))
    return done(request, back(data, f"/projects/{phase.project_id}/phases#phase-{phase_id}"))


async def add_member(request: Request) -> Response:
    actor = await actor_or_login(request)
    if isinstance(actor, Response):
        return actor
    phase_id = path_int(request, "phase_id")
    data = await form_data(request)
    try:
        await perform(request, phases.set_circle_member, actor, phase_id, inputs=parse(CircleInput, data))
    except InvalidInput as exc:
        return await show(request, failed(request, exc, "circle", data), status=exc.status)
    return done(request, back(data, f"/phases/{phase_id}#circle"))


async def remove_member(request: Request) -> Response:
    actor = await actor_or_login(request)
    if isinstance(actor, Response):
        return actor
    phase_id = path_int(request, "phase_id")
    data = await form_data(request)
    await perform(request, phases.remove_circle_member, actor, phase_id, user_id=path_int(request, "user_id"))
    return done(request, back(data, f"/phases/{phase_id}#circle"))


async def advance(request: Request) -> Response:
    actor = await actor_or_login(request)
    if isinstance(actor, Response):
        return actor
    project_id = path_int(request, "project_id")
    page = await read(request, advance_page, actor, project_id)
    if request.method == "GET":
        return render(request, "phases/advance.html", {"page": page})
    data = await form_data(request)
    try:
        started = await perform(request, phases.advance, actor, project_id,
                                inputs=parse(AdvanceInput, {"carry": ids(many(data, "carry"))}))
    except DomainError as exc:
        return render(request, "phases/advance.html", {"page": page, **failed(request, exc, "advance", data)},
                      status_code=exc.status)
    if started is None:
        flash(request, gettext(request, N_("The last phase is closed. Everything stays readable.")), "success")
    else:
        flash(request, gettext(request, N_("“%(title)s” is now the current phase."), title=started.title), "success")
    return see_other(f"/projects/{project_id}/phases")
