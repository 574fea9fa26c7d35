"""Jinja2 rendering: one environment per language (gettext installed from its Babel catalogue),
and ``render(request, name, context)`` that every page handler uses.

Templates get: ``_``/``gettext``/``ngettext`` (new-style, autoescaped), ``locale``, ``actor``,
``csrf_token``, ``flashes``, ``lang_url(code)``, ``static(path)``, ``path_for(name, **params)``, and
the filters ``datetime`` / ``date`` (Europe/Copenhagen, in the page's language).
"""

from __future__ import annotations

from functools import cache, partial
from typing import Any
from urllib.parse import urlencode

import jinja2
from starlette.requests import Request
from starlette.templating import Jinja2Templates, _TemplateResponse

from app import i18n
from app.settings import ROOT
from app.web.session import csrf_token, pop_flashes

TEMPLATES_DIR = ROOT / "app" / "templates"
STATIC_DIR = ROOT / "app" / "static"


@cache
def _static_version(path: str) -> str:
    try:
        return str(int((STATIC_DIR / path).stat().st_mtime))
    except OSError:
        return "0"


def static(path: str) -> str:
    """``/static/<path>?v=<mtime>``: cache-busting URL of a static file."""
    return f"/static/{path}?v={_static_version(path)}"


@cache
def templates(locale: str) -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(i18n.translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.filters["datetime"] = partial(_datetime_filter, locale=locale)
    env.filters["date"] = partial(_date_filter, locale=locale)
    env.globals.update(locale=locale, languages=i18n.LANGUAGE_NAMES, static=static)
    return Jinja2Templates(env=env)


def _datetime_filter(value: Any, fmt: str = "medium", *, locale: str) -> str:
    return i18n.format_datetime(value, locale, fmt)


def _date_filter(value: Any, fmt: str = "long", *, locale: str) -> str:
    return i18n.format_date(value, locale, fmt)


def locale_of(request: Request) -> str:
    return getattr(request.state, "locale", None) or request.app.state.settings.default_locale


def lang_url(request: Request, code: str) -> str:
    """The current page in another language (GET pages keep their query; ``lang`` replaces any)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] if request.method == "GET" else []
    return f"{request.url.path}?{urlencode([*params, ('lang', code)])}"


def render(request: Request, name: str, context: dict[str, Any] | None = None, *,
           status_code: int = 200, headers: dict[str, str] | None = None) -> _TemplateResponse:
    """Render ``name`` in the request's language with the common page context."""
    locale = locale_of(request)
    ctx: dict[str, Any] = {
        "request": request,
        "actor": getattr(request.state, "actor", None),
        "csrf_token": csrf_token(request),
        "flashes": pop_flashes(request),
        "lang_url": partial(lang_url, request),
        "path_for": lambda route, **params: str(request.app.url_path_for(route, **params)),
        "errors": {},
        "values": {},
        "error_summary": "",
    }
    ctx.update(context or {})
    return templates(locale).TemplateResponse(request, name, ctx, status_code=status_code, headers=headers)


def gettext(request: Request, message: str, **params: object) -> str:
    """Translate a message in Python code (flash messages, mail) into the request's language."""
    return i18n.gettext(locale_of(request), message, **params)
