"""The process pages through the app: a meeting's agenda (forms without JavaScript, and the same forms
as JSON for process.js), uploads and how files are served, phases, the material bank and the timeline
— in Danish, with nothing changed by a refused request."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from app.models import AgendaItem, Comment, Material, Phase
from tests.factories import join_phase, make_agenda_item, make_meeting, make_org, make_phase, make_project
from tests.unit.test_materials import PDF
from tests.unit.webapp import fetch, log_in, make_app, seed, staff_user, table_counts

JSON = {"Accept": "application/json"}


@pytest.fixture
def uploads_dir(tmp_path: Path) -> Path:
    return tmp_path / "uploads"


@pytest.fixture
def client(database_url, uploads_dir):
    with TestClient(make_app(database_url, upload_dir=uploads_dir, max_upload_bytes=64 * 1024)) as c:
        yield c


def _world(session):
    mette = staff_user(session)
    ali = staff_user(session, "Ali", "ali@example.dk")
    birgit = staff_user(session, "Birgit", "birgit@example.dk")
    stranger = staff_user(session, "Sten", "sten@example.dk")
    org = make_org(session, admin=mette)
    project = make_project(session, org)
    phase = make_phase(session, project, "Idéfase")
    later = make_phase(session, project, "Handlingsfase", position=1, status="planned")
    join_phase(session, phase, mette, "facilitator")
    join_phase(session, later, mette, "facilitator")
    join_phase(session, phase, ali)
    join_phase(session, phase, birgit)
    meeting = make_meeting(session, phase, "Workshop 1")
    items = [make_agenda_item(session, meeting, t, position=i) for i, t in enumerate(("Velkomst", "Idéer", "Tak"))]
    return {"project": project.id, "phase": phase.id, "later": later.id, "meeting": meeting.id,
            "items": [i.id for i in items], "mette": mette.id, "ali": ali.id, "stranger": stranger.id}


@pytest.fixture
def world(database_url):
    return seed(database_url, _world)


def _as(client, email) -> str:
    """Log in as ``email``; the session's CSRF token."""
    log_in(client, email)
    found = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/dashboard").text)
    assert found
    return found.group(1)


def test_the_meeting_page_shows_the_agenda_and_the_forms_a_participant_may_use(client, world):
    token = _as(client, "ali@example.dk")
    response = client.get(f"/meetings/{world['meeting']}")
    html = response.text
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    assert "<h2 id=\"agenda-heading\">Dagsorden</h2>" in html
    assert [m for m in re.findall(r'id="item-(\d+)-title" data-text="title">([^<]+)<', html)] == [
        (str(i), t) for i, t in zip(world["items"], ("Velkomst", "Idéer", "Tak"), strict=True)]
    assert "Foreslå et punkt" in html and "Skriv en kommentar" in html
    assert "Tilføj et punkt til dagsordenen" not in html and "/move" not in html.split('<template')[0]
    state = re.search(r'<script type="application/json" id="page-state">(.*?)</script>', html, re.S).group(1)
    assert f'"room": "meeting:{world["meeting"]}"' in state and '"seq": 0' in state and '"manage": false' in state
    assert token and 'id="tpl-agenda_item"' in html and 'id="tpl-comment"' in html


def test_strangers_get_404_and_the_logged_out_are_asked_to_log_in(client, world):
    response = client.get(f"/meetings/{world['meeting']}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/login?next=/meetings/{world['meeting']}"
    _as(client, "sten@example.dk")
    assert client.get(f"/meetings/{world['meeting']}").status_code == 404
    assert client.get(f"/projects/{world['project']}/timeline").status_code == 404


def test_a_comment_without_javascript_goes_back_to_the_item(client, world):
    token = _as(client, "ali@example.dk")
    item = world["items"][1]
    response = client.post(f"/agenda/{item}/comments", data={"csrf_token": token, "body": "Flere træer!\nwww.kk.dk",
                                                             "next": f"/meetings/{world['meeting']}#item-{item}"},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/meetings/{world['meeting']}#item-{item}"
    html = client.get(f"/meetings/{world['meeting']}").text
    assert ('Flere træer!\n<a href="https://www.kk.dk" rel="nofollow ugc noopener noreferrer">www.kk.dk</a>'
            in html)


def test_an_empty_comment_is_shown_again_with_a_danish_error_and_nothing_changes(client, world, database_url):
    token = _as(client, "ali@example.dk")
    before = table_counts(database_url)
    item = world["items"][0]
    response = client.post(f"/agenda/{item}/comments", data={"csrf_token": token, "body": "   "})
    assert response.status_code == 422
    assert "Skriv din kommentar først." in response.text and 'id="error-summary"' in response.text
    assert f'id="comment-{item}-body"' in response.text and 'aria-invalid="true"' in response.text
    assert table_counts(database_url) == before


def test_the_same_form_as_json_answers_with_the_event_frames(client, world):
    token = _as(client, "ali@example.dk")
    item = world["items"][0]
    response = client.post(f"/agenda/{item}/comments", data={"csrf_token": token, "body": "Hej"}, headers=JSON)
    assert response.status_code == 200
    frames = response.json()["data"]["events"]
    assert [(f["type"], f["room"], f["seq"]) for f in frames] == [
        ("comment.created", f"meeting:{world['meeting']}", 1), ("comment.created", f"project:{world['project']}", 1)]
    assert frames[0]["data"]["body"] == "Hej" and frames[0]["data"]["author_name"] == "Ali"
    refused = client.post(f"/agenda/{item}/comments", data={"csrf_token": token, "body": ""}, headers=JSON)
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"] == {"body": "Skriv din kommentar først."}


def test_a_form_without_its_csrf_token_changes_nothing(client, world, database_url):
    _as(client, "ali@example.dk")
    before = table_counts(database_url)
    response = client.post(f"/agenda/{world['items'][0]}/comments", data={"body": "Hej"})
    assert response.status_code == 403
    upload = client.post(f"/projects/{world['project']}/materials", data={"attach": "project"},
                         files={"file": ("plan.pdf", PDF, "application/pdf")})
    assert upload.status_code == 403
    assert table_counts(database_url) == before


def test_a_participant_proposes_and_the_facilitator_accepts(client, world, database_url):
    token = _as(client, "ali@example.dk")
    meeting = world["meeting"]
    response = client.post(f"/meetings/{meeting}/proposals", data={
        "csrf_token": token, "title": "Bænke ved søen", "reason": ""})
    assert response.status_code == 422 and "Skriv med få ord, hvorfor punktet skal på dagsordenen." in response.text
    assert 'value="Bænke ved søen"' in response.text  # what was typed is kept
    client.post(f"/meetings/{meeting}/proposals", data={"csrf_token": token, "title": "Bænke ved søen",
                                                        "reason": "Mange ældre"})
    proposal = fetch(database_url, lambda s: s.exec(select(AgendaItem).where(AgendaItem.status == "proposed")).one())
    assert client.post(f"/agenda/{proposal.id}/accept", data={"csrf_token": token}).status_code == 403
    client.cookies.clear()
    token = _as(client, "mette@godialog.dk")
    response = client.post(f"/agenda/{proposal.id}/accept", data={"csrf_token": token, "answer": "Godt forslag",
                                                                  "planned_minutes": "15"}, follow_redirects=False)
    assert response.status_code == 303
    html = client.get(f"/meetings/{meeting}").text
    assert "Godt forslag" in html and "Foreslået af" in html
    accepted = fetch(database_url, lambda s: s.get(AgendaItem, proposal.id))
    assert (accepted.status, accepted.position, accepted.planned_minutes) == ("accepted", 3, 15)


def test_the_facilitator_orders_by_buttons_and_by_drag_and_drop(client, world, database_url):
    token = _as(client, "mette@godialog.dk")
    first, second, third = world["items"]
    client.post(f"/agenda/{third}/move", data={"csrf_token": token, "direction": "up"})

    def order():
        return fetch(database_url, lambda s: [i.id for i in s.exec(
            select(AgendaItem).where(AgendaItem.meeting_id == world["meeting"]).order_by(AgendaItem.position))])

    assert order() == [first, third, second]
    response = client.post(f"/meetings/{world['meeting']}/agenda/order", json={"order": [second, first, third]},
                           headers={**JSON, "X-CSRF-Token": token})
    assert response.status_code == 200 and order() == [second, first, third]
    assert response.json()["data"]["events"][0]["data"]["item_ids"] == [second, first, third]
    stale = client.post(f"/meetings/{world['meeting']}/agenda/order", json={"order": [second, first]},
                        headers={**JSON, "X-CSRF-Token": token})
    assert stale.status_code == 409 and "Genindlæs siden" in stale.json()["error"]["message"]


def test_a_pdf_upload_is_stored_under_a_random_name_and_shown_inline(client, world, uploads_dir, database_url):
    token = _as(client, "ali@example.dk")
    item = world["items"][0]
    response = client.post(f"/projects/{world['project']}/materials", data={
        "csrf_token": token, "attach": f"item:{item}", "title": "", "next": f"/meetings/{world['meeting']}"},
        files={"file": ("Plan for søen.pdf", PDF, "text/html")}, follow_redirects=False)
    assert response.status_code == 303
    material = fetch(database_url, lambda s: s.exec(select(Material)).one())
    assert material.agenda_item_id == item and material.content_type == "application/pdf"
    assert (uploads_dir / material.stored_name).read_bytes() == PDF
    assert list((uploads_dir / "tmp").iterdir()) == []
    served = client.get(f"/materials/{material.id}/file")
    assert served.content == PDF and served.headers["content-type"] == "application/pdf"
    assert served.headers["content-disposition"].startswith("inline;")
    assert "filename*=utf-8''Plan%20for%20s%C3%B8en.pdf" in served.headers["content-disposition"]
    assert served.headers["x-content-type-options"] == "nosniff"
    assert 'id="material-' in client.get(f"/meetings/{world['meeting']}").text


def test_a_script_upload_is_served_as_an_attachment_never_rendered(client, world, database_url):
    token = _as(client, "ali@example.dk")
    script = b"<html><script>alert(document.cookie)</script></html>"
    response = client.post(f"/projects/{world['project']}/materials", data={"csrf_token": token, "attach": "project"},
                           files={"file": ("noter.txt", script, "text/html")}, headers=JSON)
    assert response.status_code == 200
    material = fetch(database_url, lambda s: s.exec(select(Material)).one())
    served = client.get(f"/materials/{material.id}/file")
    assert served.content == script
    assert served.headers["content-type"] == "text/plain; charset=utf-8"
    assert served.headers["content-disposition"].startswith("attachment;")
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in served.headers["content-security-policy"]
    assert "default-src 'none'" in served.headers["content-security-policy"]


@pytest.mark.parametrize(("name", "content", "message"), [
    ("side.html", b"<script>alert(1)</script>", "Denne filtype kan ikke tilføjes."),
    ("tegning.svg", b"<svg onload='alert(1)'/>", "Denne filtype kan ikke tilføjes."),
    ("foto.png", b"<script>alert(1)</script>", "Filens indhold passer ikke til dens navn (.png)."),
    ("stor.pdf", PDF + b"x" * 70_000, "Filen er for stor. Filer må højst fylde 1 MB."),
])
def test_refused_uploads_leave_nothing_behind(client, world, uploads_dir, database_url, name, content, message):
    token = _as(client, "ali@example.dk")
    before = table_counts(database_url)
    response = client.post(f"/projects/{world['project']}/materials", data={"csrf_token": token, "attach": "project"},
                           files={"file": (name, content, "application/octet-stream")})
    assert response.status_code == 422 and message in response.text
    assert table_counts(database_url) == before
    assert [p for p in uploads_dir.rglob("*") if p.is_file()] == []
    as_json = client.post(f"/projects/{world['project']}/materials", data={"csrf_token": token, "attach": "project"},
                          files={"file": (name, content, "application/octet-stream")}, headers=JSON)
    assert as_json.json()["error"]["fields"]["file"].startswith(message.split(" (")[0].rstrip("."))


def test_files_are_only_served_to_people_of_the_project(client, world, database_url):
    token = _as(client, "ali@example.dk")
    client.post(f"/projects/{world['project']}/materials", data={"csrf_token": token, "attach": "project"},
                files={"file": ("plan.pdf", PDF, "application/pdf")})
    material = fetch(database_url, lambda s: s.exec(select(Material)).one())
    client.cookies.clear()
    _as(client, "sten@example.dk")
    assert client.get(f"/materials/{material.id}/file").status_code == 404


def test_hiding_a_comment_shows_the_reason_to_everyone(client, world, database_url):
    token = _as(client, "ali@example.dk")
    client.post(f"/agenda/{world['items'][0]}/comments", data={"csrf_token": token, "body": "Grimt sagt"})
    comment = fetch(database_url, lambda s: s.exec(select(Comment)).one())
    client.cookies.clear()
    token = _as(client, "mette@godialog.dk")
    refused = client.post(f"/comments/{comment.id}/hide", data={"csrf_token": token, "reason": ""})
    assert refused.status_code == 422 and "Skriv kort, hvorfor kommentaren skjules" in refused.text
    client.post(f"/comments/{comment.id}/hide", data={"csrf_token": token, "reason": "Personangreb"})
    html = client.get(f"/meetings/{world['meeting']}").text
    assert "Skjult af tovholderen:" in html and "Personangreb" in html and "Grimt sagt" not in html


def test_editing_ones_comment(client, world, database_url):
    token = _as(client, "ali@example.dk")
    client.post(f"/agenda/{world['items'][0]}/comments", data={"csrf_token": token, "body": "Førts"})
    comment = fetch(database_url, lambda s: s.exec(select(Comment)).one())
    assert "Ret din kommentar" in client.get(f"/comments/{comment.id}/edit").text
    response = client.post(f"/comments/{comment.id}/edit", data={"csrf_token": token, "body": "Først"},
                           follow_redirects=False)
    assert response.status_code == 303
    assert fetch(database_url, lambda s: s.get(Comment, comment.id)).body == "Først"


def test_planning_a_meeting_in_copenhagen_time(client, world, database_url):
    token = _as(client, "mette@godialog.dk")
    refused = client.post(f"/phases/{world['phase']}/meetings", data={
        "csrf_token": token, "kind": "dialogue", "title": "Dialogmøde", "day": "2026-03-10", "starts": "19:00",
        "ends": "18:00", "online_url": "javascript:alert(1)"})
    assert refused.status_code == 422
    assert "Skriv en webadresse, der begynder med https://" in refused.text
    response = client.post(f"/phases/{world['phase']}/meetings", data={
        "csrf_token": token, "kind": "dialogue", "title": "Dialogmøde", "day": "2026-03-10", "starts": "17:00",
        "ends": "19:00", "place": "Biblioteket"}, follow_redirects=False)
    assert response.status_code == 303
    html = client.get(response.headers["location"]).text
    assert "tirsdag 10. marts 2026 kl. 17.00" in html and "Dialogmøde" in html


def test_phases_are_created_and_the_project_moves_on(client, world, database_url):
    token = _as(client, "mette@godialog.dk")
    html = client.get(f"/projects/{world['project']}/phases").text
    assert "Gå videre til “Handlingsfase”" in html
    client.post(f"/projects/{world['project']}/phases/new", data={"csrf_token": token, "title": "Evaluering"})
    page = client.get(f"/projects/{world['project']}/phases/advance").text
    assert f'name="carry" value="{world["ali"]}" checked' in page
    response = client.post(f"/projects/{world['project']}/phases/advance",
                           data={"csrf_token": token, "carry": [str(world["ali"])]}, follow_redirects=False)
    assert response.status_code == 303
    statuses = fetch(database_url, lambda s: [p.status for p in s.exec(select(Phase).order_by(Phase.position))])
    assert statuses == ["closed", "active", "planned"]
    assert "“Handlingsfase” er nu den aktuelle fase." in client.get(f"/projects/{world['project']}/phases").text


def test_the_bank_and_the_timeline_filter(client, world):
    token = _as(client, "ali@example.dk")
    client.post(f"/projects/{world['project']}/materials", data={
        "csrf_token": token, "attach": "project", "url": "https://kk.dk/plan", "title": "Træplan"})
    client.post(f"/agenda/{world['items'][0]}/comments", data={"csrf_token": token, "body": "Hej"})
    bank = client.get(f"/projects/{world['project']}/materials?kind=link&q=træ").text
    assert "1 materiale fundet" in bank and "Træplan" in bank
    assert "Intet passer" in client.get(f"/projects/{world['project']}/materials?kind=pdf").text
    assert client.get(f"/projects/{world['project']}/materials?kind=evil&phase_id=x").status_code == 200
    timeline = client.get(f"/projects/{world['project']}/timeline?kind=comment").text
    assert "Hej" in timeline and "Træplan" not in timeline and "1 input" in timeline
