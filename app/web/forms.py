"""Small helpers for page handlers: read a form, run a service, re-render a form with its errors."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import anyio
from starlette.requests import Request
from starlette.responses import RedirectResponse

from app import i18n
from app.errors import DomainError
from app.services.actor import Actor
from app.web.session import CSRF_FIELD, current_actor
from app.web.templating import locale_of

T = TypeVar("T")
SECRET_FIELDS = frozenset({"password", "password_confirm", CSRF_FIELD})


async def read_form(request: Request) -> dict[str, str]:
    """The submitted text fields (files are left to the handlers that take them)."""
    async with request.form() as form:
        return {key: value for key, value in form.multi_items() if isinstance(value, str)}


def kept_values(data: dict[str, str], secret: Iterable[str] = SECRET_FIELDS) -> dict[str, str]:
    """What the user typed, to put back in the form — never passwords."""
    return {key: value for key, value in data.items() if key not in secret}


def form_errors(request: Request, exc: DomainError) -> dict[str, Any]:
    """Template context for a failed form: per-field messages and a summary, in the page's language."""
    locale = locale_of(request)
    return {"errors": i18n.field_messages(locale, exc), "error_summary": i18n.error_message(locale, exc)}


async def perform(request: Request, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run a service as one unit of work (its events published after commit)."""
    return await request.app.state.realtime.perform(fn, *args, **kwargs)


async def read(request: Request, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run a read-only query ``fn(session, *args, **kwargs)`` in a thread."""
    db = request.app.state.db

    def run() -> T:
        with db.read() as session:
            return fn(session, *args, **kwargs)

    return await anyio.to_thread.run_sync(run)


async def actor_or_login(request: Request) -> Actor | RedirectResponse:
    actor = await current_actor(request)
    if actor.is_anonymous:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    return actor


def safe_next(value: str | None, default: str = "/dashboard") -> str:
    """A local path to go to after logging in; anything else (another site) becomes ``default``."""
    if value and value.startswith("/") and not value.startswith(("//", "/\\")) and "\n" not in value:
        return value
    return default


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"
