"""Pages: the landing page, the dashboard, creating a project, inviting staff, a project's overview,
its invite links, and joining by a link."""

from __future__ import annotations

import segno
from starlette.requests import Request
from starlette.responses import Response

from app import i18n
from app.errors import DomainError, InvalidInput, NotFound
from app.i18n import N_
from app.mail import Mail, mailer_of
from app.models import Organisation
from app.services import project_views, projects
from app.services.inputs import InviteLinkInput, JoinInput, ProjectInput, StaffInviteInput, parse
from app.web import session as web_session
from app.web.forms import actor_or_login, form_errors, kept_values, perform, read, read_form, see_other
from app.web.session import current_actor, flash
from app.web.templating import gettext, locale_of, render


def _int(request: Request, name: str) -> int:
    value = request.path_params[name]
    if isinstance(value, int):
        return value
    raise NotFound()


def _base_url(request: Request) -> str:
    return request.app.state.settings.base_url.rstrip("/")


async def home(request: Request) -> Response:
    actor = await current_actor(request)
    if not actor.is_anonymous:
        return see_other("/dashboard")
    return render(request, "home.html")


async def dashboard(request: Request) -> Response:
    actor = await actor_or_login(request)
    if isinstance(actor, Response):
        return actor
    view = await read(request, project_views.dashboard, actor)
    return render(request, "dashboard/index.html", {"view": view})


def _org(session, actor, org_id: int) -> Organisation:  # type: ignore[no-untyped-def]
    org = session.get(Organisation, org_id)
    if org is None or org_id not in actor.org_roles:
        raise NotFound()
    return org


async def new_project(request: Request) -> Response:
    actor = await actor_or_login(request)
    if isinstance(actor, Response):
        return actor
    org_id = _int(request, "org_id")
    org = await read(request, _org, actor, org_id)
    if request.method == "GET":
        return render(request, "projects/new.html", {"org": org})
    data = await read_form(request)
    try:
        project = await perform(request, projects.create_project, actor, org_id, inputs=parse(ProjectInput, data))
    except InvalidInput as exc:
        return render(request, "projects/new.html", {"org": org, "values": kept_values(data),
                                                     **form_errors(request, exc)}, status_code=exc.status)
    flash(request, gettext(request, N_("The project is created. Next: invite the participants.")), "success")
    return see_other(f"/projects/{project.id}")


async def invite_staff(request: Request) -> Response:
    actor = await actor_or_login(request)
    if isinstance(actor, Response):
        return actor
    org_id = _int(request, "org_id")
    org = await read(request, _org, actor, org_id)
    if request.method == "GET":
        return render(request, "dashboard/invite_staff.html", {"org": org})
    data = await read_form(request)
    try:
        ticket = await perform(request, projects.invite_staff, actor, org_id, inputs=parse(StaffInviteInput, data))
    except InvalidInput as exc:
        return render(request, "dashboard/invite_staff.html", {"org": org, "values": kept_values(data),
                                                               **form_errors(request, exc)}, status_code=exc.status)
    locale = locale_of(request)
    link = f"{_base_url(request)}/invite/staff/{ticket.token}"
    await mailer_of(request.app).send(Mail(
        to=ticket.email,
        subject=i18n.gettext(locale, N_("%(name)s invites you to %(org)s on GoDialog"),
                             name=ticket.invited_by, org=ticket.org_name),
        body=i18n.gettext(locale, N_("Hello,\n\n%(name)s invites you to work in %(org)s on GoDialog, a tool for "
                                     "co-creation projects. Open this link within 14 days to join:\n\n%(link)s\n"),
                          name=ticket.invited_by, org=ticket.org_name, link=link)))
    flash(request, gettext(request, N_("We have sent an invitation to %(email)s."), email=ticket.email), "success")
    return see_other("/dashboard")


async def overview(request: Request) -> Response:
    actor = await current_actor(request)
    try:
        view = await read(request, project_views.project_overview, actor, _int(request, "project_id"))
    except NotFound:
        if actor.is_anonymous:  # maybe logged out: offer to log in rather than a dead end
            return see_other(f"/login?next={request.url.path}")
        raise
    return render(request, "projects/overview.html", {"view": view})


def _qr(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=5, border=2, dark="#1a1a2e")


async def invites(request: Request) -> Response:
    actor = await actor_or_login(request)
    if isinstance(actor, Response):
        return actor
    project_id = _int(request, "project_id")
    errors: dict[str, object] = {}
    status = 200
    if request.method == "POST":
        data = await read_form(request)
        try:
            invite = await perform(request, projects.create_invite_link, actor, project_id,
                                   inputs=parse(InviteLinkInput, data))
        except InvalidInput as exc:
            errors, status = form_errors(request, exc), exc.status
        else:
            flash(request, gettext(request, N_("A new invite link is ready. Copy it and send it.")), "success")
            return see_other(f"/projects/{project_id}/invite#invite-{invite.id}")
    view = await read(request, project_views.invite_page, actor, project_id)
    base = _base_url(request)
    links = [{"row": row, "url": f"{base}/join/{row.invite.token}", "qr": _qr(f"{base}/join/{row.invite.token}")}
             for row in view.invites]
    return render(request, "projects/invite.html", {"view": view, "links": links, **errors}, status_code=status)


async def revoke_invite(request: Request) -> Response:
    actor = await actor_or_login(request)
    if isinstance(actor, Response):
        return actor
    project_id = _int(request, "project_id")
    await perform(request, projects.revoke_invite_link, actor, _int(request, "invite_id"))
    flash(request, gettext(request, N_("The link is withdrawn. Nobody new can join with it.")))
    return see_other(f"/projects/{project_id}/invite")


async def join(request: Request) -> Response:
    actor = await current_actor(request)
    token = request.path_params["token"]
    try:
        preview = await read(request, project_views.join_preview, actor, token)
    except projects.InviteInvalid as exc:
        return render(request, "projects/join_invalid.html",
                      {"message": i18n.error_message(locale_of(request), exc)}, status_code=exc.status)
    if request.method == "GET":
        if preview.already_member:
            return see_other(f"/projects/{preview.project.id}")
        return render(request, "projects/join.html", {"preview": preview, "token": token})
    data = await read_form(request)
    try:
        inputs = parse(JoinInput, data) if actor.is_anonymous else None
        joined = await perform(request, projects.join_by_invite, actor, token, inputs=inputs)
    except projects.InviteInvalid as exc:
        return render(request, "projects/join_invalid.html",
                      {"message": i18n.error_message(locale_of(request), exc)}, status_code=exc.status)
    except DomainError as exc:
        return render(request, "projects/join.html", {"preview": preview, "token": token,
                                                      "values": kept_values(data), **form_errors(request, exc)},
                      status_code=exc.status)
    if joined.new_user:
        web_session.log_in(request, joined.user_id)
    name = data.get("display_name", "").strip() or actor.display_name
    flash(request, gettext(request, N_("Welcome, %(name)s! You are now a participant in %(project)s."),
                           name=name, project=preview.project.title), "success")
    return see_other(f"/projects/{joined.project_id}")
