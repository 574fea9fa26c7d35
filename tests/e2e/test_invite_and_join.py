"""Journey 1 in a real browser: a facilitator logs in, opens the project and creates an invite link;
a citizen on a 360 px phone opens it, types a name and sees the project. axe runs on every page."""

from __future__ import annotations

import re

from app.db import Database
from tests.e2e.conftest import axe_check
from tests.factories import join_phase, make_meeting, make_org, make_phase, make_project
from tests.unit.webapp import PASSWORD, staff_user


def _seed(database_url: str) -> int:
    def build(session):
        mette = staff_user(session, "Mette Hansen", "mette@godialog.dk")
        org = make_org(session, "Københavns Kommune", admin=mette)
        project = make_project(session, org, "Et grønnere Nørrebro")
        project.description = "Borgere og kommune finder sammen steder, hvor Nørrebro kan blive grønnere."
        idea_phase = make_phase(session, project, "Idéfase", position=0, status="active")
        make_phase(session, project, "Handlingsfase", position=1, status="planned")
        join_phase(session, idea_phase, mette, "facilitator")
        make_meeting(session, idea_phase, "Workshop: grønne gårde")
        return project.id

    db = Database(database_url)
    try:
        project_id, _ = db.run(build)
        return project_id
    finally:
        db.dispose()


def test_facilitator_invites_and_a_citizen_joins_on_a_phone(server, new_context):
    project_id = _seed(server.database_url)

    _, page, problems = new_context(viewport={"width": 1280, "height": 800})
    page.goto("/login")
    axe_check(page, name="login")
    page.get_by_label("E-mail").fill("mette@godialog.dk")
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url("**/dashboard")
    axe_check(page, name="dashboard")

    page.get_by_role("link", name="Et grønnere Nørrebro").click()
    page.wait_for_url(f"**/projects/{project_id}")
    assert page.get_by_role("heading", level=1).inner_text() == "Et grønnere Nørrebro"
    axe_check(page, name="project")

    page.get_by_role("link", name="Invitér deltagere").click()
    page.wait_for_url(f"**/projects/{project_id}/invite")
    axe_check(page, name="invite-empty")
    page.get_by_label("Deltager i fasen").select_option(label="Idéfase (aktiv nu)")
    page.get_by_role("button", name="Opret link").click()
    page.wait_for_url(re.compile(rf".*/projects/{project_id}/invite#invite-\d+"))
    link = page.locator("[data-copy-source]").first.input_value()
    assert re.fullmatch(rf"{re.escape(server.base_url)}/join/[\w-]+", link)
    axe_check(page, name="invite")
    problems.assert_none()

    _, phone, phone_problems = new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    phone.goto(link)
    assert "Deltag i Et grønnere Nørrebro" in phone.get_by_role("heading", level=1).inner_text()
    axe_check(phone, name="join")
    phone.get_by_label("Dit navn").fill("Ali")
    phone.get_by_role("button", name="Deltag", exact=True).click()
    phone.wait_for_url(f"**/projects/{project_id}")
    assert phone.get_by_role("heading", level=1).inner_text() == "Et grønnere Nørrebro"
    assert "Velkommen, Ali!" in phone.locator(".flashes").inner_text()
    assert "Ali" in phone.locator(".phase--active").inner_text()
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    axe_check(phone, name="project-phone")
    phone_problems.assert_none()

    page.reload()
    assert "Brugt 1 gang" in page.locator(".invite").first.inner_text()
