"""Project pages through the app: dashboard, new project, staff invite, overview, invite links, joining."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from app.mail import mailer_of
from app.models import ProjectInvite
from app.services import projects
from app.services.actor import load_actor
from app.services.inputs import InviteLinkInput
from tests.factories import join_phase, make_meeting, make_org, make_phase, make_project
from tests.unit.webapp import client_for, csrf_token, fetch, log_in, seed, staff_user, table_counts

BAD_LINK = {"da": "Dette invitationslink virker ikke.", "en": "This invite link does not work."}
REQUIRED = {"da": "Dette felt skal udfyldes.", "en": "This field is required."}
TOO_LONG = {"da": "Brug højst 80 tegn.", "en": "Use at most 80 characters."}


@pytest.fixture
def client(database_url):
    with client_for(database_url) as c:
        yield c


def _world(session):
    mette = staff_user(session)
    org = make_org(session, admin=mette)
    project = make_project(session, org)
    phase = make_phase(session, project, "Idéfase")
    make_phase(session, project, "Handlingsfase", position=1, status="planned")
    join_phase(session, phase, mette, "facilitator")
    make_meeting(session, phase, "Workshop 1")
    return {"org": org.id, "project": project.id, "phase": phase.id, "mette": mette.id}


@pytest.fixture
def world(database_url):
    return seed(database_url, _world)


def _invite(database_url, world) -> str:
    def make(session):
        return projects.create_invite_link(session, load_actor(session, world["mette"]), world["project"],
                                           inputs=InviteLinkInput()).token
    return seed(database_url, make)


def test_dashboard_lists_the_projects_and_admin_actions(client, world):
    log_in(client)
    html = client.get("/dashboard").text
    assert "Et grønnere Nørrebro" in html and "Aktuel fase:" in html and "Idéfase" in html
    assert f'href="/orgs/{world["org"]}/projects/new"' in html


def test_admin_creates_a_project_and_lands_on_its_overview(client, world):
    log_in(client)
    path = f"/orgs/{world['org']}/projects/new"
    response = client.post(path, data={"csrf_token": csrf_token(client, path), "title": "Grøn skolegård",
                                       "description": "", "phases": "Idéfase\nHandlingsfase"}, follow_redirects=True)
    assert response.url.path.startswith("/projects/")
    assert "<h1>Grøn skolegård</h1>" in response.text and "Projektet er oprettet." in response.text
    assert "Aktiv nu" in response.text and "Planlagt" in response.text


@pytest.mark.parametrize("lang", ["da", "en"])
def test_a_new_project_with_missing_fields_changes_nothing(client, database_url, world, lang):
    log_in(client)
    path = f"/orgs/{world['org']}/projects/new"
    token = csrf_token(client, f"{path}?lang={lang}")
    before = table_counts(database_url)
    response = client.post(path, data={"csrf_token": token, "title": "", "description": "Noget", "phases": "A"})
    assert response.status_code == 422 and REQUIRED[lang] in response.text and ">Noget</textarea>" in response.text
    assert table_counts(database_url) == before


def test_admin_invites_staff_by_mail(client, world):
    log_in(client)
    path = f"/orgs/{world['org']}/staff/invite"
    response = client.post(path, data={"csrf_token": csrf_token(client, path), "email": "sofie@kk.dk",
                                       "role": "staff"}, follow_redirects=True)
    assert "Vi har sendt en invitation til sofie@kk.dk." in response.text
    mail = mailer_of(client.app).outbox[-1]
    link = re.search(r"http://localhost:8000(/invite/staff/\S+)", mail.body).group(1)
    with client_for(client.app.state.settings.database_url) as sofie:
        page = sofie.get(link)
        assert "Københavns Kommune" in page.text
        accepted = sofie.post(link, data={"csrf_token": csrf_token(sofie, link), "display_name": "Sofie",
                                          "password": "long enough"}, follow_redirects=True)
        assert accepted.url.path == "/dashboard" and "Et grønnere Nørrebro" in accepted.text


def test_overview_shows_phases_members_and_next_meeting(client, world):
    log_in(client)
    html = client.get(f"/projects/{world['project']}").text
    assert "Idéfase" in html and "Handlingsfase" in html and "Tovholdere" in html and "Mette" in html
    assert "Workshop 1" in html and "Næste møde" in html and "kl." in html
    assert f'href="/projects/{world["project"]}/invite"' in html


def test_a_logged_out_visitor_is_sent_to_log_in(client, world):
    response = client.get(f"/projects/{world['project']}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")


def test_a_stranger_gets_the_friendly_404(client, database_url, world):
    seed(database_url, lambda s: staff_user(s, "Eve", "eve@example.dk"))
    log_in(client, "eve@example.dk")
    response = client.get(f"/projects/{world['project']}")
    assert response.status_code == 404 and "Siden findes ikke" in response.text


def test_facilitator_creates_an_invite_link_and_sees_it(client, database_url, world):
    log_in(client)
    path = f"/projects/{world['project']}/invite"
    response = client.post(path, data={"csrf_token": csrf_token(client, path), "phase_id": str(world["phase"])},
                           follow_redirects=True)
    token = fetch(database_url, lambda s: s.exec(select(ProjectInvite)).one().token)
    assert f"http://localhost:8000/join/{token}" in response.text
    assert "data:image/svg+xml" in response.text and "sms:" in response.text


def test_a_participant_cannot_open_the_invite_page(client, database_url, world):
    def guest(session):
        from app.models import Phase
        user = staff_user(session, "Ali", "ali@example.dk")
        join_phase(session, session.get(Phase, world["phase"]), user)
    seed(database_url, guest)
    log_in(client, "ali@example.dk")
    response = client.get(f"/projects/{world['project']}/invite")
    assert response.status_code == 403 and "Du har ikke tilladelse til at gøre det." in response.text


def test_a_citizen_joins_by_link_and_sees_the_project(client, database_url, world):
    token = _invite(database_url, world)
    page = client.get(f"/join/{token}")
    assert "Deltag i Et grønnere Nørrebro" in page.text and "Idéfase" in page.text
    response = client.post(f"/join/{token}", data={"csrf_token": csrf_token(client, f"/join/{token}"),
                                                   "display_name": "Ali", "email": ""}, follow_redirects=True)
    assert response.url.path == f"/projects/{world['project']}"
    assert "Velkommen, Ali!" in response.text and "Ali" in response.text
    assert client.get(f"/join/{token}", follow_redirects=False).status_code == 303  # already in


@pytest.mark.parametrize("lang", ["da", "en"])
def test_a_bad_invite_token_gets_a_clear_message_and_changes_nothing(client, database_url, world, lang):
    before = table_counts(database_url)
    page = client.get(f"/join/not-a-token?lang={lang}")
    assert page.status_code == 404 and BAD_LINK[lang] in page.text
    response = client.post("/join/not-a-token", data={"csrf_token": csrf_token(client, "/login"),
                                                      "display_name": "Ali"})
    assert response.status_code == 404 and BAD_LINK[lang] in response.text
    assert table_counts(database_url) == before


@pytest.mark.parametrize("lang", ["da", "en"])
def test_joining_with_a_missing_or_over_long_name_keeps_the_input_and_changes_nothing(
        client, database_url, world, lang):
    token = _invite(database_url, world)
    path = f"/join/{token}"
    csrf = csrf_token(client, f"{path}?lang={lang}")
    before = table_counts(database_url)
    missing = client.post(path, data={"csrf_token": csrf, "display_name": " ", "email": "ali@example.dk"})
    assert missing.status_code == 422 and REQUIRED[lang] in missing.text and 'value="ali@example.dk"' in missing.text
    too_long = client.post(path, data={"csrf_token": csrf, "display_name": "A" * 81})
    assert too_long.status_code == 422 and TOO_LONG[lang] in too_long.text
    assert table_counts(database_url) == before


def test_withdrawing_a_link_stops_it(client, database_url, world):
    token = _invite(database_url, world)
    log_in(client)
    invite_id = fetch(database_url, lambda s: s.exec(select(ProjectInvite)).one().id)
    path = f"/projects/{world['project']}/invite"
    client.post(f"{path}/{invite_id}/revoke", data={"csrf_token": csrf_token(client, path)})
    with client_for(client.app.state.settings.database_url) as citizen:
        assert citizen.get(f"/join/{token}").status_code == 404


def test_a_guest_can_see_other_projects_only_by_invite(client, database_url, world):
    other = seed(database_url, lambda s: make_project(s, make_org(s, "Andet sted")).id)
    token = _invite(database_url, world)
    client.post(f"/join/{token}", data={"csrf_token": csrf_token(client, f"/join/{token}"), "display_name": "Ali"})
    assert client.get(f"/projects/{other}").status_code == 404
    assert "Et grønnere Nørrebro" in client.get("/dashboard").text
