"""DomainError -> page or JSON; friendly 403/404/500 pages in the user's language."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import Receive, Scope, Send

from app import i18n
from app.errors import DomainError, NotAuthenticated
from app.i18n import N_
from app.web.session import current_actor
from app.web.templating import locale_of, render

log = logging.getLogger("godialog.web")

TITLES = {
    400: N_("That did not work"),
    401: N_("Please log in"),
    403: N_("You cannot do that"),
    404: N_("Page not found"),
    405: N_("That did not work"),
    409: N_("Already changed"),
    410: N_("This link no longer works"),
    413: N_("That was too large"),
    422: N_("Please check what you typed"),
    429: N_("Please wait a moment"),
    500: N_("Sorry, something went wrong on our side"),
}
TOO_LARGE_MESSAGE = N_("That file or form was too large, so nothing was saved. Choose a smaller file and try again.")
CSRF_MESSAGE = N_("Your form had expired, so nothing was saved. Go back, reload the page and try again.")
HTTP_MESSAGES = {
    404: N_("We could not find that page. It may have been removed, or you may not have access."),
    405: N_("That did not work. Go back and try again."),
    500: N_("We have been told about the problem. Please try again in a moment."),
}


def wants_json(request: Request) -> bool:
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_template(status: int) -> str:
    return f"errors/{status}.html" if status in (403, 404, 500) else "errors/error.html"


async def error_page(request: Request, status: int, message: str, *, code: str = "error",
                     fields: dict[str, str] | None = None) -> Response:
    """The friendly page (or JSON) for an error; ``message`` is already translated."""
    if wants_json(request):
        body: dict[str, Any] = {"code": code, "message": message}
        if fields:
            body["fields"] = fields
        return JSONResponse({"error": body}, status_code=status)
    try:
        await current_actor(request)
    except Exception:  # the header can do without the person when the database is down
        request.state.actor = None
    title = i18n.gettext(locale_of(request), TITLES.get(status, TITLES[400]))
    return render(request, error_template(status), {"status": status, "title": title, "message": message,
                                                    "code": code}, status_code=status)


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if isinstance(exc, NotAuthenticated) and not wants_json(request) and request.method == "GET":
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    locale = locale_of(request)
    return await error_page(request, exc.status, i18n.error_message(locale, exc), code=exc.code,
                            fields=i18n.field_messages(locale, exc) or None)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    locale = locale_of(request)
    message = i18n.gettext(locale, HTTP_MESSAGES.get(status, N_("Something went wrong.")))
    response = await error_page(request, status, message, code=f"http_{status}")
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def server_error(request: Request, exc: Exception) -> Response:
    """Runs outside the middleware stack: adds the security headers itself."""
    from app.web.middleware import security_headers

    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    locale = locale_of(request)
    try:
        response = await error_page(request, 500, i18n.gettext(locale, HTTP_MESSAGES[500]), code="server_error")
    except Exception:
        response = Response("Internal Server Error", status_code=500, media_type="text/plain")
    response.headers.update(security_headers(request.scope, https=request.app.state.settings.cookie_secure))
    return response


async def csrf_rejected(scope: Scope, receive: Receive, send: Send) -> None:
    """The CSRF middleware's answer: the friendly 403 page, nothing changed."""
    request = Request(scope, receive)
    message = i18n.gettext(locale_of(request), CSRF_MESSAGE)
    response = await error_page(request, 403, message, code="csrf")
    await response(scope, receive, send)


async def body_too_large(scope: Scope, receive: Receive, send: Send) -> None:
    """The answer to a request body over the limit: the friendly page, nothing changed."""
    request = Request(scope, receive)
    message = i18n.gettext(locale_of(request), TOO_LARGE_MESSAGE)
    response = await error_page(request, 413, message, code="too_large")
    await response(scope, receive, send)


def exception_handlers() -> dict[Any, Any]:
    return {
        DomainError: domain_error,
        HTTPException: http_error,
        Exception: server_error,
    }
