"""Security headers and CSP, CSRF, sessions, locale."""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware

from app.settings import Settings


def middleware(settings: Settings) -> list[Middleware]:
    return [
        Middleware(SessionMiddleware, secret_key=settings.secret_key, session_cookie="godialog_session",
                   same_site="lax", https_only=settings.cookie_secure, max_age=60 * 60 * 24 * 30),
    ]
