"""Uploaded files: which types are accepted (checked on the content, not only the name), where
they are kept, and how they are served.

Accepted (the extension names the type; the content must be that type):

==============================  =========================================================
PDF ``.pdf``                    starts with ``%PDF-``
PNG, JPEG, GIF, WebP images     their signatures (``\\x89PNG``, ``\\xff\\xd8\\xff``, ``GIF8``, ``RIFF....WEBP``)
text ``.txt``, ``.csv``         UTF-8 (or Windows-1252) text without control characters
Word, Excel, PowerPoint         ``.docx`` ``.xlsx`` ``.pptx``: a zip with ``[Content_Types].xml`` and
                                ``word/document.xml`` / ``xl/workbook.xml`` / ``ppt/presentation.xml``
OpenDocument                    ``.odt`` ``.ods`` ``.odp``: a zip whose ``mimetype`` entry names the type
==============================  =========================================================

Everything else is refused — HTML, SVG, scripts, executables, macro-enabled Office files, archives.
Files are stored under random names in ``UPLOAD_DIR`` (outside ``static/``, never served by it),
with the content type we detected (never the browser's). Images and PDFs are shown inline; every
other type is sent as an attachment. Every file response carries ``X-Content-Type-Options:
nosniff`` and a sandboxing Content-Security-Policy, so even a text file full of ``<script>`` is
only ever downloaded or shown as text.
"""

from __future__ import annotations

import os
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

from app.errors import InvalidInput
from app.i18n import N_
from app.services.inputs import FieldMessage

PDF, PNG, JPEG, GIF, WEBP = "application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"
TEXT, CSV = "text/plain", "text/csv"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT, ODS, ODP = (f"application/vnd.oasis.opendocument.{k}" for k in ("text", "spreadsheet", "presentation"))

EXTENSIONS = {".pdf": PDF, ".png": PNG, ".jpg": JPEG, ".jpeg": JPEG, ".gif": GIF, ".webp": WEBP, ".txt": TEXT,
              ".csv": CSV, ".docx": DOCX, ".xlsx": XLSX, ".pptx": PPTX, ".odt": ODT, ".ods": ODS, ".odp": ODP}
INLINE = frozenset({PDF, PNG, JPEG, GIF, WEBP})
ACCEPT = ",".join(EXTENSIONS)  # for <input type="file" accept="...">
_OOXML = {DOCX: "word/document.xml", XLSX: "xl/workbook.xml", PPTX: "ppt/presentation.xml"}
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


@dataclass
class Upload:
    """A received file, still in a temporary place: ``path`` holds its first ``size`` bytes (the
    handler stops copying one byte past ``max_bytes``)."""

    path: Path
    file_name: str
    size: int
    folder: Path
    max_bytes: int


def category(content_type: str, kind: str = "file") -> str:
    """``link``, ``image``, ``pdf`` or ``document``."""
    if kind == "link":
        return "link"
    if content_type.startswith("image/"):
        return "image"
    return "pdf" if content_type == PDF else "document"


def _is_text(path: Path) -> str | None:
    data = path.read_bytes()
    if any(b in _CONTROL for b in data[:1_000_000]) or b"\x00" in data:
        return None
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp1252")
        return "windows-1252"
    except UnicodeDecodeError:
        return None


def _zip_type(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if names and names[0] == "mimetype":
                info = archive.getinfo("mimetype")
                if info.file_size <= 100:
                    kind = archive.read("mimetype").decode("ascii", "replace").strip()
                    return kind if kind in (ODT, ODS, ODP) else None
            if "[Content_Types].xml" in names:
                return next((kind for kind, part in _OOXML.items() if part in names), None)
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, NotImplementedError):
        return None
    return None


def detect(path: Path, expected: str) -> str | None:
    """The type the content of ``path`` really is, when it is ``expected`` (else None)."""
    with path.open("rb") as fp:
        head = fp.read(16)
    if expected == PDF:
        return PDF if head.startswith(b"%PDF-") else None
    if expected == PNG:
        return PNG if head.startswith(b"\x89PNG\r\n\x1a\n") else None
    if expected == JPEG:
        return JPEG if head.startswith(b"\xff\xd8\xff") else None
    if expected == GIF:
        return GIF if head[:6] in (b"GIF87a", b"GIF89a") else None
    if expected == WEBP:
        return WEBP if head[:4] == b"RIFF" and head[8:12] == b"WEBP" else None
    if expected in (TEXT, CSV):
        charset = _is_text(path)
        return f"{expected}; charset={charset}" if charset else None
    if head.startswith(b"PK\x03\x04"):
        return expected if _zip_type(path) == expected else None
    return None


def _refuse(msgid: str, **params: object) -> InvalidInput:
    return InvalidInput(fields={"file": FieldMessage(msgid, **params)})


def check(upload: Upload) -> str:
    """The content type of an acceptable upload; InvalidInput (on the ``file`` field) otherwise."""
    if upload.size == 0:
        raise _refuse(N_("The file is empty. Choose another file."))
    if upload.size > upload.max_bytes:
        raise _refuse(N_("The file is too large. Files can be at most %(size)s MB."),
                      size=max(1, upload.max_bytes // (1024 * 1024)))
    extension = os.path.splitext(upload.file_name)[1].lower()
    expected = EXTENSIONS.get(extension)
    if expected is None:
        raise _refuse(N_("This type of file cannot be added. Use PDF, images (PNG, JPEG, GIF, WebP), text, "
                         "Word, Excel, PowerPoint or OpenDocument files."))
    found = detect(upload.path, expected)
    if found is None:
        raise _refuse(N_("The content of the file does not match its name (%(ext)s). Save it again in that "
                         "format, or choose another file."), ext=extension)
    return found


def keep(upload: Upload) -> str:
    """Move the upload to its permanent random name under the upload folder; return that name."""
    name = secrets.token_hex(16)
    stored = f"{name[:2]}/{name}"
    target = upload.folder / stored
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(upload.path, target)
    return stored


def stored_path(folder: Path, stored_name: str) -> Path | None:
    """The file for ``stored_name`` if it is one of ours (no path tricks) and still there."""
    parts = stored_name.split("/")
    if len(parts) != 2 or not all(p.isalnum() for p in parts):
        return None
    path = folder / parts[0] / parts[1]
    return path if path.is_file() else None


def safe_file_name(name: str) -> str:
    """The name the person's file had, without folders or control characters (for display and
    downloads)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[:200] or "file"
