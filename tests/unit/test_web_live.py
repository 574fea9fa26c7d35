"""The live workshop's pages through the app, on SQLite and PostgreSQL: start and end from the console,
join by code (guest or logged in), the phone view, the screen with its QR code, the state as JSON,
the project's agreements; refusals are clear, in Danish, and change nothing."""

from __future__ import annotations

import json
import re

import pytest

from app.models import Idea, Meeting, ProjectMember
from app.services import ideas_live, live
from app.services.actor import load_actor
from tests.factories import join_phase, make_agenda_item, make_meeting, make_org, make_phase, make_project, make_user
from tests.unit.webapp import client_for, csrf_token, log_in, seed, staff_user, table_counts

CONFIG = re.compile(r'<script type="application/json" id="live-config">(.*?)</script>', re.S)


@pytest.fixture
def client(database_url):
    with client_for(database_url) as c:
        yield c


def _world(session):
    mette = staff_user(session)
    org = make_org(session, admin=mette)
    project = make_project(session, org)
    phase = make_phase(session, project, "Idéfase")
    join_phase(session, phase, mette, "facilitator")
    ali = make_user(session, "Ali", guest=True)
    join_phase(session, phase, ali)
    meeting = make_meeting(session, phase, "Workshop: grønne gårde")
    make_agenda_item(session, meeting, "Velkomst", minutes=5)
    return {"project": project.id, "meeting": meeting.id, "mette": mette.id, "ali": ali.id}


@pytest.fixture
def world(database_url):
    return seed(database_url, _world)


def _start(database_url, world, *, anonymous: bool = False) -> str:
    def start(session):
        return live.start_session(session, load_actor(session, world["mette"]), world["meeting"],
                                  anonymous=anonymous).join_code
    return seed(database_url, start)


def _config(html: str) -> dict:
    found = CONFIG.search(html)
    assert found, "no live config on the page"
    return json.loads(found.group(1))


def _as(client, user_id: int) -> None:
    """Log in as a passwordless guest the way joining does: the session cookie's uid."""
    from base64 import b64encode

    from itsdangerous import TimestampSigner

    data = b64encode(json.dumps({"uid": user_id}).encode())
    client.cookies.set("godialog_session", TimestampSigner("test").sign(data).decode())


def test_the_facilitator_starts_the_session_from_the_console(client, world):
    log_in(client)
    url = f"/meetings/{world['meeting']}/live/console"
    page = client.get(url)
    assert page.status_code == 200 and "Start live-sessionen" in page.text and "live-config" not in page.text
    response = client.post(f"/meetings/{world['meeting']}/live/start",
                           data={"csrf_token": csrf_token(client, url), "anonymous": "on"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == url
    page = client.get(url)
    config = _config(page.text)
    assert config["view"] == "console" and config["state"]["live"]["anonymous"] is True
    assert config["state"]["me"]["facilitator"] is True and config["socket"] == f"/ws/meeting:{world['meeting']}"
    assert re.fullmatch(r"[A-Z0-9]{3}-[A-Z0-9]{3}", config["joinCode"])
    assert config["texts"]["waiting"] == "Venter på at blive sendt"
    assert config["messages"]["Place at least one dot."] == "Sæt mindst én prik."
    assert "Afslut live-sessionen" in page.text


def test_a_participant_cannot_open_the_console_or_start_the_session(client, world, database_url):
    _as(client, world["ali"])
    assert client.get(f"/meetings/{world['meeting']}/live/console").status_code == 403
    before = table_counts(database_url)
    token = csrf_token(client, f"/meetings/{world['meeting']}/live")
    response = client.post(f"/meetings/{world['meeting']}/live/start", data={"csrf_token": token})
    assert response.status_code == 403 and "Du har ikke tilladelse" in response.text
    assert table_counts(database_url) == before


def test_a_guest_joins_by_code_in_a_few_taps(client, world, database_url):
    code = _start(database_url, world)
    page = client.get("/live")
    assert page.status_code == 200 and "Skriv koden, der står på skærmen i lokalet." in page.text
    response = client.get(f"/live?code={code[:3].lower()}-{code[3:].lower()}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/live/{code}"
    page = client.get(f"/live/{code}")
    assert "Deltag i Workshop: grønne gårde" in page.text and 'name="display_name"' in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = client.post(f"/live/{code}", data={"csrf_token": token, "display_name": "Fatima"},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/meetings/{world['meeting']}/live"
    phone = client.get(response.headers["location"])
    config = _config(phone.text)
    assert config["view"] == "phone" and config["state"]["me"]["name"] == "Fatima"
    assert config["state"]["me"]["may_take_part"] is True and config["state"]["me"]["facilitator"] is False
    assert client.get(f"/live/{code}", follow_redirects=False).headers["location"] == \
        f"/meetings/{world['meeting']}/live"  # already in: the QR code leads straight to the room


def test_a_guest_needs_a_name_and_nothing_is_made_without_one(client, world, database_url):
    code = _start(database_url, world)
    token = csrf_token(client, f"/live/{code}")
    before = table_counts(database_url)
    response = client.post(f"/live/{code}", data={"csrf_token": token, "display_name": "  "})
    assert response.status_code == 422 and "Dette felt skal udfyldes." in response.text
    assert table_counts(database_url) == before


def test_a_logged_in_follower_joins_with_one_tap(client, world, database_url):
    code = _start(database_url, world)
    follower = seed(database_url, lambda s: make_user(s, "Følger").id)
    seed(database_url, lambda s: s.add(ProjectMember(project_id=world["project"], user_id=follower)))
    _as(client, follower)
    page = client.get(f"/live/{code}")
    assert "Deltag som Følger" in page.text and 'name="display_name"' not in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert client.post(f"/live/{code}", data={"csrf_token": token}, follow_redirects=False).status_code == 303


@pytest.mark.parametrize(("code", "status", "message"), [
    ("ZZZZZZ", 404, "Vi kender ikke den kode. Tjek koden på skærmen, og prøv igen."),
    ("12", 404, "Vi kender ikke den kode."),
])
def test_an_unknown_code_is_refused_clearly(client, world, code, status, message):
    response = client.get(f"/live?code={code}")
    assert response.status_code == status and message in response.text
    assert 'aria-invalid="true"' in response.text


def test_the_code_of_an_ended_session_is_refused_with_a_clear_message(client, world, database_url):
    code = _start(database_url, world)
    seed(database_url, lambda s: live.end_session(s, load_actor(s, world["mette"]), world["meeting"]))
    before = table_counts(database_url)
    for path in (f"/live/{code}", f"/live?code={code}"):
        response = client.get(path)
        assert response.status_code == 410
        assert "Denne live-session er slut, så koden virker ikke længere. Tak fordi du deltog!" in response.text
    token = csrf_token(client, "/login")
    response = client.post(f"/live/{code}", data={"csrf_token": token, "display_name": "Sen"})
    assert response.status_code == 410 and table_counts(database_url) == before
    english = client.get(f"/live/{code}?lang=en")
    assert "This live session has ended, so its code no longer works." in english.text


def test_wrong_codes_are_limited_per_device(client, world):
    for _ in range(20):
        client.get("/live?code=BBBBBB")
    response = client.get("/live?code=BBBBBB")
    assert response.status_code == 429 and "For mange forkerte koder" in response.text


def test_the_screen_shows_the_code_and_a_qr_code_made_on_the_server(client, world, database_url):
    code = _start(database_url, world)
    log_in(client)
    page = client.get(f"/meetings/{world['meeting']}/live/screen")
    assert page.status_code == 200 and f"{code[:3]}-{code[3:]}" in page.text
    assert '<svg role="img"' in page.text and "<title>QR-kode: scan den for at deltage</title>" in page.text
    assert _config(page.text)["joinUrl"].endswith(f"/live/{code}")
    assert "<script>" not in page.text and not re.search(r'\sstyle="', page.text)  # nothing the CSP refuses


def test_the_state_as_json_hides_what_only_facilitators_may_see(client, world, database_url):
    _start(database_url, world)

    def hidden(session):
        meeting = session.get(Meeting, world["meeting"])
        idea = Idea(project_id=world["project"], phase_id=meeting.phase_id, meeting_id=meeting.id,
                    author_id=world["ali"], title="Grimt ord")
        session.add(idea)
        session.flush()
        ideas_live.hide_idea(session, load_actor(session, world["mette"]), idea.id, reason="Sprog")
    seed(database_url, hidden)
    _as(client, world["ali"])
    state = client.get(f"/meetings/{world['meeting']}/live/state.json").json()
    assert state["ideas"][0]["title"] == "" and state["ideas"][0]["hidden_reason"] == "Sprog"
    assert state["people"] == [] and state["seq"] == 2
    log_in(client)
    state = client.get(f"/meetings/{world['meeting']}/live/state.json").json()
    assert state["ideas"][0]["title"] == "Grimt ord"


def test_a_stranger_sees_no_live_room_and_the_logged_out_are_asked_to_log_in(client, world, database_url):
    stranger = seed(database_url, lambda s: make_user(s, "Fremmed").id)
    _as(client, stranger)
    assert client.get(f"/meetings/{world['meeting']}/live").status_code == 404
    client.cookies.clear()
    response = client.get(f"/meetings/{world['meeting']}/live", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")


def test_the_facilitator_ends_the_session(client, world, database_url):
    _start(database_url, world)
    log_in(client)
    url = f"/meetings/{world['meeting']}/live/console"
    response = client.post(f"/meetings/{world['meeting']}/live/end", data={"csrf_token": csrf_token(client, url)},
                           follow_redirects=False)
    assert response.status_code == 303
    page = client.get(url)
    assert "Live-sessionen er slut" in page.text and "Start en ny live-session" in page.text


def test_the_projects_agreements_page_lists_owner_and_deadline(client, world, database_url):
    from datetime import timedelta

    from app.services.agreements import AgreementInput, today

    _start(database_url, world)

    def agree(session):
        meeting = session.get(Meeting, world["meeting"])
        idea = Idea(project_id=world["project"], phase_id=meeting.phase_id, meeting_id=meeting.id, title="Bænke")
        session.add(idea)
        session.flush()
        ideas_live.decide_idea(session, load_actor(session, world["mette"]), idea.id, decision="go-on",
                               agreements=[AgreementInput(title="Bænke ved søen", owner_id=world["ali"],
                                                          deadline=today() + timedelta(days=10))])
    seed(database_url, agree)
    _as(client, world["ali"])
    page = client.get(f"/projects/{world['project']}/agreements")
    assert page.status_code == 200 and "Bænke ved søen" in page.text and "Ansvarlig" in page.text
    assert "Ali" in page.text and "Frist" in page.text
