"""Security headers and CSP, sessions, locale, CSRF — pure ASGI, so WebSocket scopes pass through.

Order (outermost first): security headers -> session cookie -> locale -> CSRF -> routes.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import i18n
from app.settings import Settings
from app.web.session import CSRF_FIELD, CSRF_HEADER, CSRF_KEY

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
LANG_COOKIE_AGE = 365 * 24 * 60 * 60


def content_security_policy(host: str | None) -> str:
    sockets = f" ws://{host} wss://{host}" if host else ""
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        f"connect-src 'self'{sockets}",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ])


def security_headers(scope: Scope, *, https: bool) -> dict[str, str]:
    """The headers every HTTP response carries (also used by the 500 handler, outside this stack)."""
    host = Headers(scope=scope).get("host")
    headers = {
        "Content-Security-Policy": content_security_policy(host),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    }
    if https:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, https: bool = False) -> None:
        self.app, self.https = app, https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in security_headers(scope, https=self.https).items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class LocaleMiddleware:
    """Puts the page language on ``request.state.locale``; ``?lang=xx`` is remembered in a cookie."""

    def __init__(self, app: ASGIApp, *, default: str, secure: bool = False) -> None:
        self.app, self.default, self.secure = app, default, secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request = Request(scope) if scope["type"] == "http" else None
        query = request.query_params.get("lang") if request else None
        headers = Headers(scope=scope)
        cookie = _cookie(headers, i18n.LANG_COOKIE)
        locale = i18n.negotiate(query=query, cookie=cookie, accept_language=headers.get("accept-language"),
                                default=self.default)
        scope.setdefault("state", {})["locale"] = locale
        chosen = i18n.normalise(query)
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                out.setdefault("Content-Language", locale)
                out.add_vary_header("Accept-Language")
                if chosen and chosen != cookie:
                    flags = "; Secure" if self.secure else ""
                    out.append("Set-Cookie", f"{i18n.LANG_COOKIE}={chosen}; Path=/; Max-Age={LANG_COOKIE_AGE}; "
                                             f"SameSite=Lax{flags}")
            await send(message)

        await self.app(scope, receive, send_with_language)


def _cookie(headers: Headers, name: str) -> str | None:
    for part in headers.get("cookie", "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


Rejecter = Callable[[Scope, Receive, Send], Awaitable[None]]


class CSRFMiddleware:
    """State-changing requests must carry the session's token: the ``csrf_token`` form field or the
    ``X-CSRF-Token`` header. Anything else gets the friendly 403 page and reaches no handler."""

    def __init__(self, app: ASGIApp, *, max_body: int, reject: Rejecter | None = None,
                 too_large: Rejecter | None = None) -> None:
        self.app, self.max_body = app, max_body
        self.reject = reject or _plain_reject
        self.too_large = too_large or _plain_too_large

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        expected = scope.get("session", {}).get(CSRF_KEY)
        headers = Headers(scope=scope)
        sent = headers.get(CSRF_HEADER)
        if not sent and headers.get("content-type", "").split(";")[0].strip().lower() in FORM_TYPES:
            body = await _read_body(receive, self.max_body)
            if body is None:
                await self.too_large(scope, _replay(b"", _never), send)
                return
            receive = _replay(body, receive)
            sent = await _form_token(scope, body)
        if not (expected and sent and hmac.compare_digest(str(expected), str(sent))):
            await self.reject(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            return b""
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _form_token(scope: Scope, body: bytes) -> str | None:
    request = Request({k: v for k, v in scope.items() if k != "app"}, _replay(body, _never))
    try:
        form = await request.form()
    except Exception:  # a malformed body has no valid token
        return None
    value = form.get(CSRF_FIELD)
    await form.close()
    return value if isinstance(value, str) else None


async def _never() -> Message:
    return {"type": "http.disconnect"}


async def _plain_too_large(scope: Scope, receive: Receive, send: Send) -> None:
    await PlainTextResponse("Request too large", status_code=413)(scope, receive, send)


async def _plain_reject(scope: Scope, receive: Receive, send: Send) -> None:
    await PlainTextResponse("CSRF token missing or wrong", status_code=403)(scope, receive, send)


def middleware(settings: Settings) -> list[Middleware]:
    from app.web.handlers import body_too_large, csrf_rejected

    return [
        Middleware(SecurityHeadersMiddleware, https=settings.cookie_secure),
        Middleware(SessionMiddleware, secret_key=settings.secret_key, session_cookie="godialog_session",
                   same_site="lax", https_only=settings.cookie_secure, max_age=60 * 60 * 24 * 30),
        Middleware(LocaleMiddleware, default=settings.default_locale, secure=settings.cookie_secure),
        Middleware(CSRFMiddleware, max_body=settings.max_upload_bytes + 1024 * 1024, reject=csrf_rejected,
                   too_large=body_too_large),
    ]
