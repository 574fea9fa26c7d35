"""The material bank: links and files on the project, a meeting or an agenda item; types checked on
the content; limits; removal; filters and search."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from app.errors import Forbidden, InvalidInput
from app.models import Material
from app.services import agenda, materials, uploads
from app.services.process_inputs import AgendaItemInput, MaterialFilter, MaterialInput, parse
from tests.unit.process_world import build, events, types

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def office(kind: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        if kind in ("odt", "ods"):
            z.writestr("mimetype", f"application/vnd.oasis.opendocument.{'text' if kind == 'odt' else 'spreadsheet'}")
            z.writestr("content.xml", "<x/>")
        else:
            z.writestr("[Content_Types].xml", "<Types/>")
            z.writestr({"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}[kind],
                       "<x/>")
    return buffer.getvalue()


@pytest.fixture
def w(session):
    return build(session)


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "uploads"


def upload(folder: Path, name: str, content: bytes, max_bytes: int = 1024 * 1024) -> uploads.Upload:
    (folder / "tmp").mkdir(parents=True, exist_ok=True)
    path = folder / "tmp" / f"t-{len(list((folder / 'tmp').iterdir()))}"
    path.write_bytes(content[: max_bytes + 1])
    return uploads.Upload(path=path, file_name=name, size=min(len(content), max_bytes + 1), folder=folder,
                          max_bytes=max_bytes)


@pytest.mark.parametrize(("name", "content", "kind"), [
    ("plan.pdf", PDF, "application/pdf"), ("foto.PNG", PNG, "image/png"),
    ("foto.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg"), ("anim.gif", b"GIF89a" + b"\x00" * 20, "image/gif"),
    ("billede.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
    ("noter.txt", "Æbler og pærer\n".encode(), "text/plain; charset=utf-8"),
    ("tal.csv", "navn;antal\nBænke;6\n".encode("cp1252"), "text/csv; charset=windows-1252"),
    ("referat.docx", office("docx"), uploads.DOCX), ("budget.xlsx", office("xlsx"), uploads.XLSX),
    ("slides.pptx", office("pptx"), uploads.PPTX), ("tekst.odt", office("odt"), uploads.ODT),
    ("ark.ods", office("ods"), uploads.ODS),
])
def test_accepted_types_are_recognised_by_their_content(folder, name, content, kind):
    assert uploads.check(upload(folder, name, content)) == kind


@pytest.mark.parametrize(("name", "content"), [
    ("foto.png", PDF),                       # a PDF calling itself a PNG
    ("plan.pdf", b"<html><script>alert(1)</script></html>"),
    ("noter.txt", PNG),                      # binary data as text
    ("referat.docx", office("xlsx")),        # a spreadsheet calling itself a document
    ("referat.docx", PDF),
    ("tekst.odt", b"PK\x03\x04 not really a zip"),
])
def test_a_file_whose_content_does_not_match_its_name_is_refused(folder, name, content):
    with pytest.raises(InvalidInput) as exc:
        uploads.check(upload(folder, name, content))
    assert exc.value.fields["file"].startswith("The content of the file does not match")


@pytest.mark.parametrize("name", ["side.html", "logo.svg", "run.sh", "virus.exe", "makro.docm", "arkiv.zip", "noext"])
def test_types_outside_the_allow_list_are_refused(folder, name):
    with pytest.raises(InvalidInput) as exc:
        uploads.check(upload(folder, name, b"<svg onload=alert(1)>"))
    assert exc.value.fields["file"].startswith("This type of file cannot be added")


def test_too_large_and_empty_files_are_refused(folder):
    with pytest.raises(InvalidInput) as exc:
        uploads.check(upload(folder, "stor.pdf", PDF + b"x" * 2000, max_bytes=1000))
    message = exc.value.fields["file"]
    assert message.startswith("The file is too large") and message.params == {"size": 1}
    with pytest.raises(InvalidInput):
        uploads.check(upload(folder, "tom.pdf", b""))


def test_a_participant_uploads_a_pdf_to_an_agenda_item(w, folder):
    item = agenda.add_item(w.session, w.actor("mette"), w.meeting.id, inputs=AgendaItemInput(title="Idéer"))
    material = materials.add_material(w.session, w.actor("ali"), w.project.id,
                                      inputs=MaterialInput(agenda_item_id=item.id),
                                      upload=upload(folder, "../../etc/Plan for søen.pdf", PDF))
    assert (material.kind, material.title, material.file_name) == ("file", "Plan for søen.pdf", "Plan for søen.pdf")
    assert (material.meeting_id, material.phase_id, material.content_type) == (w.meeting.id, w.phase1.id,
                                                                               "application/pdf")
    stored = folder / material.stored_name
    assert stored.read_bytes() == PDF and "søen" not in material.stored_name and ".pdf" not in material.stored_name
    assert not list((folder / "tmp").iterdir())  # moved, not copied
    data = events(w.session, f"meeting:{w.meeting.id}")[-1][2]
    assert data["category"] == "pdf" and data["href"] == f"/materials/{material.id}/file"
    assert data["agenda_item_id"] == item.id and data["added_by_name"] == "Ali"
    found = materials.file_of(w.session, w.actor("follower"), material.id, folder=folder)
    assert found.inline and found.path == stored


def test_links_go_to_the_project_or_a_meeting(w):
    link = materials.add_material(w.session, w.actor("birgit"), w.project.id,
                                  inputs=parse(MaterialInput, {"url": "www.kk.dk/traeer/"}))
    assert (link.kind, link.url, link.title, link.meeting_id, link.phase_id) == (
        "link", "https://www.kk.dk/traeer/", "www.kk.dk/traeer", None, w.phase1.id)
    assert types(w.session, f"project:{w.project.id}") == ["material.added"]
    for bad in ("javascript:alert(1)", "ftp://x.dk", "kk.dk med mellemrum"):
        with pytest.raises(InvalidInput):
            parse(MaterialInput, {"url": bad})
    with pytest.raises(InvalidInput):
        materials.add_material(w.session, w.actor("birgit"), w.project.id, inputs=MaterialInput())


def test_material_cannot_be_attached_elsewhere(w):
    from tests.factories import make_meeting, make_org, make_phase, make_project

    other = make_meeting(w.session, make_phase(w.session, make_project(w.session, make_org(w.session, "Andet"))))
    with pytest.raises(InvalidInput):
        materials.add_material(w.session, w.actor("mette"), w.project.id,
                               inputs=MaterialInput(url="https://x.dk", meeting_id=other.id))


def test_followers_read_but_do_not_add_and_only_the_adder_or_a_facilitator_removes(w, folder):
    with pytest.raises(Forbidden):
        materials.add_material(w.session, w.actor("follower"), w.project.id, inputs=MaterialInput(url="https://x.dk"))
    link = materials.add_material(w.session, w.actor("ali"), w.project.id, inputs=MaterialInput(url="https://x.dk"))
    with pytest.raises(Forbidden):
        materials.remove_material(w.session, w.actor("birgit"), link.id)
    materials.remove_material(w.session, w.actor("ali"), link.id)
    other = materials.add_material(w.session, w.actor("ali"), w.project.id, inputs=MaterialInput(url="https://y.dk"))
    materials.remove_material(w.session, w.actor("mette"), other.id)
    assert w.session.get(Material, other.id) is None
    assert types(w.session, f"project:{w.project.id}")[-1] == "material.removed"


def test_the_bank_filters_by_phase_meeting_and_kind_and_searches_titles(w, folder):
    from tests.factories import make_meeting

    mette = w.actor("mette")
    later = make_meeting(w.session, w.phase1, "Workshop 2")
    add = materials.add_material
    add(w.session, mette, w.project.id, inputs=MaterialInput(title="Kommunens træplan", url="https://kk.dk/a"))
    add(w.session, mette, w.project.id, inputs=MaterialInput(meeting_id=w.meeting.id),
        upload=upload(folder, "Bænke_100%.pdf", PDF))
    add(w.session, mette, w.project.id, inputs=MaterialInput(title="Foto fra søen", meeting_id=later.id),
        upload=upload(folder, "IMG_1.png", PNG))
    add(w.session, mette, w.project.id, inputs=MaterialInput(title="Referat"), upload=upload(folder, "r.docx",
                                                                                               office("docx")))

    def titles(**f):
        return sorted(m.title for m in materials.find(w.session, w.project.id, MaterialFilter(**f)))

    assert len(titles()) == 4
    assert titles(kind="link") == ["Kommunens træplan"]
    assert titles(kind="pdf") == ["Bænke_100%.pdf"]
    assert titles(kind="image") == ["Foto fra søen"]
    assert titles(kind="document") == ["Referat"]
    assert titles(meeting_id=later.id) == ["Foto fra søen"]
    assert titles(phase_id=w.phase1.id) == sorted(titles())
    assert titles(phase_id=w.phase2.id) == []
    assert titles(q="KOMMUNENS") == titles(q="træplan") == ["Kommunens træplan"]
    assert titles(q="100%") == titles(q="e_1") == ["Bænke_100%.pdf"]  # % and _ are searched as typed
    assert titles(q="img_1") == ["Foto fra søen"]  # the file name counts too
    assert titles(q="%") == ["Bænke_100%.pdf"]
