"""The material bank: browse, filter and search; add a file or a link; open a file; remove.

Files are read from the form into ``UPLOAD_DIR/tmp`` (at most one byte past the limit), checked
on their content by the service, and moved to a random name; if the transaction then fails, the
stored file is deleted again. Serving: the type we detected, ``nosniff``, a sandboxing CSP, and
``Content-Disposition: attachment`` for everything but images and PDFs (``app.services.uploads``).
"""

from __future__ import annotations

import contextlib
import re
import secrets
from pathlib import Path
from typing import Any

import anyio
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from app.errors import DomainError, InvalidInput, NotFound
from app.i18n import N_
from app.services import materials, uploads
from app.services.actor import Actor
from app.services.process_inputs import MaterialFilter, MaterialInput, parse
from app.services.process_views import BankPage, bank_page
from app.services.text import render as plain
from app.web.forms import actor_or_login, read, see_other
from app.web.handlers import wants_json
from app.web.meetings import MATERIAL_TPL, iso, material_form, render_meeting
from app.web.process_forms import back, done, failed, path_int, perform_for
from app.web.process_texts import live_texts
from app.web.session import current_actor
from app.web.templating import gettext, locale_of, render

CHUNK = 256 * 1024
MEETING_PAGE = re.compile(r"^/meetings/(\d+)")
FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox"
PDF_CSP = "default-src 'none'; frame-ancestors 'self'"  # built-in PDF viewers do not run in a CSP sandbox


def _filters(request: Request) -> MaterialFilter:
    query = {k: v for k, v in request.query_params.items() if k in MaterialFilter.model_fields}
    try:
        return parse(MaterialFilter, query)
    except InvalidInput:
        return MaterialFilter()


def _bank_context(request: Request, actor: Actor, page: BankPage) -> dict[str, Any]:
    attach = [("project", gettext(request, N_("The whole project")))]
    attach += [(f"meeting:{m.id}", m.title) for m in page.attach_meetings]
    return {
        "page": page, "plain": plain, "iso": iso,
        "removable": lambda x: page.may_manage or (page.may_add and x.get("added_by_id") == actor.user_id),
        "material_form": material_form(request, page.project.id, attach, "project",
                                       f"/projects/{page.project.id}/materials"),
        "phase_options": [("", gettext(request, N_("All phases"))), *((p.id, p.title) for p in page.phases)],
        "meeting_options": [("", gettext(request, N_("All meetings"))), *((m.id, m.title) for m in page.meetings)],
        "tpl_material": MATERIAL_TPL,
        "state": {"room": page.room, "seq": page.seq, "me": actor.user_id, "locale": locale_of(request),
                  "text": live_texts(locale_of(request)), "watch": ["material.added", "material.removed"],
                  "manage": page.may_manage, "propose": page.may_add, "unfiltered": not page.filtered},
    }


async def bank(request: Request, extra: dict[str, Any] | None = None, status: int = 200) -> Response:
    actor = await current_actor(request)
    project_id = path_int(request, "project_id")
    try:
        page = await read(request, bank_page, actor, project_id, filters=_filters(request))
    except NotFound:
        if actor.is_anonymous:
            return see_other(f"/login?next=/projects/{project_id}/materials")
        raise
    return render(request, "materials/bank.html", {**_bank_context(request, actor, page), **(extra or {})},
                  status_code=status)


async def _receive(request: Request, form: Any) -> uploads.Upload | None:
    """The uploaded file copied to the temporary folder, or None when no file was chosen."""
    chosen = form.get("file")
    if not isinstance(chosen, UploadFile) or not chosen.filename:
        return None
    settings = request.app.state.settings
    folder = Path(settings.upload_dir)
    temp_dir = folder / "tmp"
    await anyio.to_thread.run_sync(lambda: temp_dir.mkdir(parents=True, exist_ok=True))
    path = temp_dir / secrets.token_hex(16)
    size, limit = 0, settings.max_upload_bytes + 1
    async with await anyio.open_file(path, "wb") as out:
        while size < limit:
            chunk = await chosen.read(min(CHUNK, limit - size))
            if not chunk:
                break
            size += len(chunk)
            await out.write(chunk)
    return uploads.Upload(path=path, file_name=chosen.filename, size=size, folder=folder,
                          max_bytes=settings.max_upload_bytes)


def _place(data: dict[str, str]) -> dict[str, str]:
    kind, _, raw = data.get("attach", "").partition(":")
    return {"meeting_id": raw if kind == "meeting" else "", "agenda_item_id": raw if kind == "item" else ""}


async def add(request: Request) -> Response:
    actor = await actor_or_login(request)
    if isinstance(actor, Response):
        return actor
    project_id = path_int(request, "project_id")
    upload: uploads.Upload | None = None
    async with request.form(max_files=1, max_fields=20) as form:
        data = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        upload = await _receive(request, form)
    stored: list[str] = []

    def add_it(session: Any, *args: Any, **kwargs: Any) -> Any:
        material = materials.add_material(session, *args, **kwargs)
        stored.append(material.stored_name)
        return material

    try:
        inputs = parse(MaterialInput, {**data, **_place(data)})
        _, frames = await perform_for(request, add_it, actor, project_id, inputs=inputs, upload=upload)
    except DomainError as exc:
        for name in stored:
            materials.discard(Path(request.app.state.settings.upload_dir), name)
        if wants_json(request) or not isinstance(exc, InvalidInput):
            raise
        context = failed(request, exc, "material", data)
        meeting = MEETING_PAGE.match(back(data, ""))
        if meeting:
            return await render_meeting(request, actor, int(meeting.group(1)), context, status=exc.status)
        return await bank(request, context, status=exc.status)
    finally:
        if upload is not None:
            with contextlib.suppress(OSError):
                upload.path.unlink(missing_ok=True)
    return done(request, back(data, f"/projects/{project_id}/materials"), {"events": frames})


async def remove(request: Request) -> Response:
    actor = await actor_or_login(request)
    if isinstance(actor, Response):
        return actor
    async with request.form() as form:
        data = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    material, frames = await perform_for(request, materials.remove_material, actor, path_int(request, "material_id"))
    if material.stored_name:
        materials.discard(Path(request.app.state.settings.upload_dir), material.stored_name)
    return done(request, back(data, f"/projects/{material.project_id}/materials"), {"events": frames})


async def file(request: Request) -> Response:
    actor = await current_actor(request)
    found = await read(request, materials.file_of, actor, path_int(request, "material_id"),
                       folder=Path(request.app.state.settings.upload_dir))
    is_pdf = found.content_type.startswith(uploads.PDF)
    return FileResponse(
        found.path, media_type=found.content_type, filename=found.file_name,
        content_disposition_type="inline" if found.inline else "attachment",
        headers={"X-Content-Type-Options": "nosniff", "Content-Security-Policy": PDF_CSP if is_pdf else FILE_CSP,
                 "Cache-Control": "private, max-age=300", "Cross-Origin-Resource-Policy": "same-origin"})
