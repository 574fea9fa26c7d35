"""The material bank: files and links attached to the project, a meeting or an agenda item.
Everyone in the current phase's circle adds material (participants too); the person who added it
or a facilitator removes it. Everyone in the project browses, filters and searches it.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.errors import InvalidInput, NotFound
from app.i18n import N_
from app.models import AgendaStatus, Material, MaterialKind, Meeting
from app.realtime.events_process import MaterialAdded, MaterialRemoved
from app.services import uploads
from app.services.access import access_agenda_item, access_material, access_meeting, access_project, current_phase
from app.services.access import scope_of as _scope_of
from app.services.actor import Actor
from app.services.inputs import FieldMessage
from app.services.policy import Action, Scope, may, require
from app.services.process_inputs import TITLE_MAX, MaterialFilter, MaterialInput
from app.services.rooms import emit, names
from app.services.text import one_line

PAGE_SIZE = 200


def href(material: Material) -> str:
    return material.url if material.kind == MaterialKind.link.value else f"/materials/{material.id}/file"


def material_public(material: Material, added_by_name: str) -> dict[str, object]:
    return {
        "id": material.id, "project_id": material.project_id, "phase_id": material.phase_id,
        "meeting_id": material.meeting_id, "agenda_item_id": material.agenda_item_id, "kind": material.kind,
        "category": uploads.category(material.content_type, material.kind), "title": material.title,
        "href": href(material), "file_name": material.file_name, "content_type": material.content_type,
        "size": material.size, "added_by_id": material.added_by_id, "added_by_name": added_by_name,
        "created_at": material.created_at,
    }


@dataclass(frozen=True)
class _Place:
    phase_id: int | None
    meeting_id: int | None
    agenda_item_id: int | None
    scope: Scope


def _place(session: Session, actor: Actor, project_id: int, inputs: MaterialInput) -> _Place:
    """Where the material goes, loaded with read permission; a wrong choice is a field error."""
    _, project_scope = access_project(session, actor, project_id)
    try:
        if inputs.agenda_item_id is not None:
            item, scope = access_agenda_item(session, actor, inputs.agenda_item_id)
            meeting = session.get(Meeting, item.meeting_id)
            if meeting is None or meeting.project_id != project_id or item.status == AgendaStatus.removed.value:
                raise NotFound()
            return _Place(meeting.phase_id, meeting.id, item.id, scope)
        if inputs.meeting_id is not None:
            meeting, scope = access_meeting(session, actor, inputs.meeting_id)
            if meeting.project_id != project_id:
                raise NotFound()
            return _Place(meeting.phase_id, meeting.id, None, scope)
    except NotFound:
        field = "agenda_item_id" if inputs.agenda_item_id is not None else "meeting_id"
        raise InvalidInput(fields={field: FieldMessage(N_("Choose one of the options."))}) from None
    current = current_phase(session, project_id)
    return _Place(current.id if current else None, None, None, project_scope)


def _title(inputs: MaterialInput, fallback: str) -> str:
    return inputs.title or one_line(fallback)[:TITLE_MAX] or "—"


def add_material(session: Session, actor: Actor, project_id: int, *, inputs: MaterialInput,
                 upload: uploads.Upload | None = None) -> Material:
    """A link (``inputs.url``) or a file (``upload``), attached where ``inputs`` says. The file is
    checked on its content and moved to its random name; the caller removes it again if the
    transaction does not commit (``discard``)."""
    place = _place(session, actor, project_id, inputs)
    require(actor, Action.propose, place.scope)
    if upload is not None and inputs.url:
        raise InvalidInput(fields={"url": FieldMessage(N_("Add either a file or a link, not both at once."))})
    material = Material(project_id=project_id, phase_id=place.phase_id, meeting_id=place.meeting_id,
                        agenda_item_id=place.agenda_item_id, added_by_id=actor.user_id)
    if upload is not None:
        content_type = uploads.check(upload)
        name = uploads.safe_file_name(upload.file_name)
        material.kind, material.title, material.file_name = MaterialKind.file.value, _title(inputs, name), name
        material.content_type, material.size = content_type, upload.size
        material.stored_name = uploads.keep(upload)
    elif inputs.url:
        material.kind, material.url = MaterialKind.link.value, inputs.url
        material.title = _title(inputs, urlsplit(inputs.url).netloc + urlsplit(inputs.url).path.rstrip("/"))
    else:
        raise InvalidInput(fields={"file": FieldMessage(N_("Choose a file or write a web address."))})
    session.add(material)
    session.flush()
    emit(session, actor, MaterialAdded(**material_public(material, actor.display_name)), project_id=project_id,
         meeting_id=material.meeting_id)
    return material


def discard(folder: Path, stored_name: str) -> None:
    """Remove a stored file (after a failed transaction, or when its material is removed)."""
    path = uploads.stored_path(folder, stored_name)
    if path is not None:
        with contextlib.suppress(OSError):
            path.unlink()


def may_remove(actor: Actor, material: Material, scope: Scope) -> bool:
    mine = actor.user_id is not None and material.added_by_id == actor.user_id
    return may(actor, Action.manage, scope) or (mine and may(actor, Action.propose, scope))


def remove_material(session: Session, actor: Actor, material_id: int) -> Material:
    """Delete a material (the caller then deletes its file with ``discard``)."""
    material, scope = access_material(session, actor, material_id)
    if not may_remove(actor, material, scope):
        require(actor, Action.manage, scope)
    session.delete(material)
    session.flush()
    emit(session, actor, MaterialRemoved(id=material_id, project_id=material.project_id,
                                         meeting_id=material.meeting_id, agenda_item_id=material.agenda_item_id),
         project_id=material.project_id, meeting_id=material.meeting_id)
    return material


@dataclass(frozen=True)
class FileToServe:
    path: Path
    content_type: str
    file_name: str
    inline: bool


def file_of(session: Session, actor: Actor, material_id: int, *, folder: Path) -> FileToServe:
    """The stored file of a material the actor may read (NotFound otherwise, or when it is a link)."""
    material, _ = access_material(session, actor, material_id)
    path = uploads.stored_path(folder, material.stored_name) if material.kind == MaterialKind.file.value else None
    if path is None:
        raise NotFound()
    base_type = material.content_type.split(";")[0].strip()
    return FileToServe(path, material.content_type, material.file_name, base_type in uploads.INLINE)


def _search(q: str) -> str:
    escaped = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def find(session: Session, project_id: int, filters: MaterialFilter) -> list[Material]:
    """The project's materials matching ``filters``, newest first (at most ``PAGE_SIZE``)."""
    query = select(Material).where(Material.project_id == project_id)
    if filters.phase_id is not None:
        meeting_ids = select(Meeting.id).where(Meeting.phase_id == filters.phase_id)
        query = query.where((Material.phase_id == filters.phase_id) | col(Material.meeting_id).in_(meeting_ids))
    if filters.meeting_id is not None:
        query = query.where(Material.meeting_id == filters.meeting_id)
    if filters.kind == "link":
        query = query.where(Material.kind == MaterialKind.link.value)
    elif filters.kind == "image":
        query = query.where(Material.kind == "file", col(Material.content_type).startswith("image/"))
    elif filters.kind == "pdf":
        query = query.where(Material.kind == "file", Material.content_type == uploads.PDF)
    elif filters.kind == "document":
        query = query.where(Material.kind == "file", ~col(Material.content_type).startswith("image/"),
                            Material.content_type != uploads.PDF)
    if filters.q:
        pattern = _search(filters.q)
        query = query.where(func.lower(Material.title).like(pattern, escape="\\")
                            | func.lower(Material.file_name).like(pattern, escape="\\"))
    return list(session.exec(query.order_by(col(Material.created_at).desc(), col(Material.id).desc())
                             .limit(PAGE_SIZE)))


def publics(session: Session, materials: list[Material]) -> list[dict[str, object]]:
    who = names(session, [m.added_by_id for m in materials])
    return [material_public(m, who.get(m.added_by_id, "") if m.added_by_id else "") for m in materials]  # type: ignore[arg-type]


def scope_for_project(session: Session, actor: Actor, project_id: int) -> Scope:
    project, _ = access_project(session, actor, project_id)
    current = current_phase(session, project_id)
    return _scope_of(session, "material", project, current.id if current else None)

