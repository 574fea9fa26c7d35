"""The whole URL map in one named list."""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from app.realtime.socket import realtime_routes
from app.settings import ROOT, Settings
from app.web import accounts, health, live, projects
from app.web.process_routes import process_routes

GET, GET_POST, POST = ["GET"], ["GET", "POST"], ["POST"]


def routes(settings: Settings) -> list[BaseRoute]:
    return [
        Route("/", projects.home, name="home", methods=GET),
        Route("/healthz", health.healthz, name="healthz"),
        # accounts
        Route("/login", accounts.login, name="login", methods=GET_POST),
        Route("/logout", accounts.logout, name="logout", methods=POST),
        Route("/signup", accounts.signup, name="signup", methods=GET_POST),
        Route("/password/forgot", accounts.forgot_password, name="password_forgot", methods=GET_POST),
        Route("/password/reset/{token}", accounts.reset_password, name="password_reset", methods=GET_POST),
        Route("/invite/staff/{token}", accounts.accept_staff_invite, name="staff_invite", methods=GET_POST),
        Route("/login/link", accounts.login_link, name="login_link", methods=GET_POST),
        Route("/login/link/{token}", accounts.use_login_link, name="login_link_use", methods=GET),
        Route("/account", accounts.account, name="account", methods=GET_POST),
        # organisations and projects
        Route("/dashboard", projects.dashboard, name="dashboard", methods=GET),
        Route("/orgs/{org_id:int}/projects/new", projects.new_project, name="project_new", methods=GET_POST),
        Route("/orgs/{org_id:int}/staff/invite", projects.invite_staff, name="staff_invite_new", methods=GET_POST),
        Route("/projects/{project_id:int}", projects.overview, name="project", methods=GET),
        Route("/projects/{project_id:int}/invite", projects.invites, name="project_invite", methods=GET_POST),
        Route("/projects/{project_id:int}/invite/{invite_id:int}/revoke", projects.revoke_invite,
              name="project_invite_revoke", methods=POST),
        Route("/join/{token}", projects.join, name="join", methods=GET_POST),
        # the live workshop (docs/realtime.md)
        Route("/live", live.enter_code, name="live_enter_code", methods=GET),
        Route("/live/{code}", live.join, name="live_join", methods=GET_POST),
        Route("/meetings/{meeting_id:int}/live", live.phone, name="live_phone", methods=GET),
        Route("/meetings/{meeting_id:int}/live/screen", live.screen, name="live_screen", methods=GET),
        Route("/meetings/{meeting_id:int}/live/console", live.console, name="live_console", methods=GET),
        Route("/meetings/{meeting_id:int}/live/state.json", live.state_json, name="live_state", methods=GET),
        Route("/meetings/{meeting_id:int}/live/start", live.start, name="live_start", methods=POST),
        Route("/meetings/{meeting_id:int}/live/end", live.end, name="live_end", methods=POST),
        Route("/projects/{project_id:int}/agreements", live.project_agreements, name="project_agreements",
              methods=GET),
        *process_routes(),
        *realtime_routes(),
        Mount("/static", app=StaticFiles(directory=ROOT / "app" / "static"), name="static"),
    ]
