"""The whole URL map in one named list."""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from app.realtime.socket import realtime_routes
from app.settings import ROOT, Settings
from app.web import accounts, health, projects
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
        # organisations and projects
        Route("/dashboard", projects.dashboard, name="dashboard", methods=GET),
        Route("/orgs/{org_id:int}/projects/new", projects.new_project, name="project_new", methods=GET_POST),
        Route("/orgs/{org_id:int}/staff/invite", projects.invite_staff, name="staff_invite_new", methods=GET_POST),
        Route("/projects/{project_id:int}", projects.overview, name="project", methods=GET),
        Route("/projects/{project_id:int}/invite", projects.invites, name="project_invite", methods=GET_POST),
        Route("/projects/{project_id:int}/invite/{invite_id:int}/revoke", projects.revoke_invite,
              name="project_invite_revoke", methods=POST),
        Route("/join/{token}", projects.join, name="join", methods=GET_POST),
        *process_routes(),
        *realtime_routes(),
        Mount("/static", app=StaticFiles(directory=ROOT / "app" / "static"), name="static"),
    ]
