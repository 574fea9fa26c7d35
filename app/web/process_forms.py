"""Helpers shared by the process pages (phases, meetings, agenda, materials, timeline).

Every form on these pages works without JavaScript (post, then 303 back to the page, or the page
again with the form's errors). ``process.js`` sends the same forms with ``fetch`` and
``Accept: application/json``: then a success answers ``{"ok": true, "data": ...}`` and an error
is the JSON error of ``app.web.handlers`` (with translated field messages), so the page stays put.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.db import pending_events
from app.errors import DomainError, NotFound
from app.web.forms import form_errors, kept_values, safe_next, see_other
from app.web.handlers import wants_json


def path_int(request: Request, name: str) -> int:
    value = request.path_params.get(name)
    if isinstance(value, int):
        return value
    raise NotFound()


async def form_data(request: Request) -> dict[str, Any]:
    """Text fields of a form or a JSON body; repeated form fields (checkboxes) become lists."""
    if request.headers.get("content-type", "").split(";")[0].strip() == "application/json":
        try:
            body = await request.json()
        except ValueError:
            body = None
        return body if isinstance(body, dict) else {}
    async with request.form() as form:
        data: dict[str, Any] = {}
        for key, value in form.multi_items():
            if not isinstance(value, str):
                continue
            if key in data:
                data[key] = [*data[key], value] if isinstance(data[key], list) else [data[key], value]
            else:
                data[key] = value
        return data


def many(data: dict[str, Any], name: str) -> list[str]:
    value = data.get(name, [])
    return value if isinstance(value, list) else [value]


def done(request: Request, url: str, data: Any = None) -> Response:
    """Success: JSON for ``fetch``, else a redirect (303) to ``url``."""
    if wants_json(request):
        return JSONResponse({"ok": True, "data": data}, headers={"Cache-Control": "no-store"})
    return see_other(url)


def back(data: dict[str, Any], default: str) -> str:
    """Where to go after a form: its ``next`` field when that is a local path, else ``default``."""
    value = data.get("next")
    return safe_next(value if isinstance(value, str) else None, default)


def failed(request: Request, exc: DomainError, form: str, data: dict[str, Any]) -> dict[str, Any]:
    """Template context for a page re-rendered because the form ``form`` failed."""
    values = {k: v for k, v in kept_values({k: v for k, v in data.items() if isinstance(v, str)}).items()}
    return {"failed": {"form": form, "values": values, **form_errors(request, exc)}}


def jsonable(obj: Any) -> Any:
    """A public representation (dict with datetimes) made JSON-ready."""
    if isinstance(obj, dict):
        return {k: jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    return obj


async def perform_for(request: Request, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> tuple[Any, list[Any]]:
    """Run ``fn`` like ``perform``; also hand back the event frames it made (a page applies those of
    its own room)."""
    def run(session: Session, *a: Any, **kw: Any) -> tuple[Any, list[Any]]:
        result = fn(session, *a, **kw)
        return result, [json.loads(env.frame) for env in pending_events(session) if env.seq is not None]

    return await request.app.state.realtime.perform(run, *args, **kwargs)
