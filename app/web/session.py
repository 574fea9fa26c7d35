"""The signed session cookie: who is logged in (``uid``), the CSRF token, one-time flash messages.

The cookie is made by Starlette's SessionMiddleware (HttpOnly, SameSite=Lax, Secure on https).
"""

from __future__ import annotations

import secrets
from typing import Any

import anyio
from starlette.requests import HTTPConnection

from app.services.actor import ANONYMOUS, Actor, load_actor

USER_KEY = "uid"
CSRF_KEY = "csrf"
FLASH_KEY = "flash"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def csrf_token(conn: HTTPConnection) -> str:
    """This session's CSRF token (made on first use)."""
    session = conn.session
    token = session.get(CSRF_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        session[CSRF_KEY] = token
    return token


def flash(conn: HTTPConnection, message: str, kind: str = "info") -> None:
    """Show ``message`` (already translated) once, on the next page rendered."""
    conn.session[FLASH_KEY] = [*conn.session.get(FLASH_KEY, []), [kind, message]]


def pop_flashes(conn: HTTPConnection) -> list[dict[str, str]]:
    if FLASH_KEY not in conn.session:
        return []
    return [{"kind": kind, "message": message} for kind, message in conn.session.pop(FLASH_KEY)]


def log_in(conn: HTTPConnection, user_id: int) -> None:
    """Start a fresh session for ``user_id`` (a new CSRF token: no session fixation)."""
    flashes = conn.session.get(FLASH_KEY)
    conn.session.clear()
    conn.session[USER_KEY] = user_id
    conn.session[CSRF_KEY] = secrets.token_urlsafe(32)
    if flashes:
        conn.session[FLASH_KEY] = flashes
    conn.state.actor = None


def log_out(conn: HTTPConnection) -> None:
    conn.session.clear()
    conn.state.actor = ANONYMOUS


def user_id(conn: HTTPConnection) -> int | None:
    value: Any = conn.session.get(USER_KEY) if "session" in conn.scope else None
    return value if isinstance(value, int) else None


async def current_actor(conn: HTTPConnection) -> Actor:
    """The logged-in actor with their roles (loaded once per request), or ANONYMOUS."""
    actor = getattr(conn.state, "actor", None)
    if actor is not None:
        return actor
    uid = user_id(conn)
    if uid is None:
        actor = ANONYMOUS
    else:
        db = conn.app.state.db

        def load() -> Actor:
            with db.read() as session:
                return load_actor(session, uid)

        actor = await anyio.to_thread.run_sync(load)
        if actor.is_anonymous:  # the user was erased: forget the stale session
            conn.session.pop(USER_KEY, None)
    conn.state.actor = actor
    return actor
