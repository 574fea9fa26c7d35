"""Journeys 1 and 2 in a real browser: a facilitator creates a phase, moves the project on to it,
plans a meeting and writes an agenda of three items, while a participant on a phone (another
browser context) watches the agenda appear live, comments, proposes an item and uploads a PDF; the
facilitator sees all of it live and accepts the proposal; the participant sees the answer. The
facilitator then reorders by keyboard and by drag and drop. axe runs on every page; the agenda page
is photographed at 360 and 1280 px (GODIALOG_SHOTS)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from app.db import Database
from tests.e2e.conftest import axe_check, shot
from tests.factories import join_phase, make_org, make_phase, make_project
from tests.unit.test_materials import PDF
from tests.unit.webapp import PASSWORD, staff_user

EMAIL = "mette.tovholder@godialog.dk"
MEETING = "Workshop 1: Grønne idéer"
ITEMS = [("Velkomst og formål", "10"), ("Idéer til grønne byrum", "40"), ("Aftaler og næste skridt", "15")]


def _seed(database_url: str) -> int:
    def build(session):
        mette = staff_user(session, "Mette Hansen", EMAIL)
        org = make_org(session, "Københavns Kommune", admin=mette)
        project = make_project(session, org, "Et grønnere Nørrebro")
        project.description = "Borgere og kommune finder sammen steder, hvor Nørrebro kan blive grønnere."
        first = make_phase(session, project, "Forberedelse", position=0, status="active")
        join_phase(session, first, mette, "facilitator")
        return project.id

    db = Database(database_url)
    try:
        project_id, _ = db.run(build)
        return project_id
    finally:
        db.dispose()


def _agenda_titles(page) -> list[str]:
    return page.locator('[data-list="agenda"] > li .item__title').all_inner_texts()


def test_an_agenda_written_together_live(server, new_context):  # noqa: PLR0915 - one journey, start to end
    project_id = _seed(server.database_url)

    # --- the facilitator adds a phase, moves on to it and plans a meeting --------------------------
    _, desk, desk_problems = new_context(viewport={"width": 1280, "height": 900})
    desk.goto("/login")
    desk.get_by_label("E-mail").fill(EMAIL)
    desk.get_by_label("Adgangskode").fill(PASSWORD)
    desk.get_by_role("button", name="Log ind").click()
    desk.wait_for_url("**/dashboard")
    desk.goto(f"/projects/{project_id}")
    desk.get_by_role("link", name="Faser og møder").click()
    desk.wait_for_url(f"**/projects/{project_id}/phases")
    axe_check(desk, name="phases-empty")
    desk.get_by_text("Tilføj en fase", exact=True).click()
    desk.get_by_label("Fasens navn").fill("Idéfase")
    desk.get_by_label("Mål").fill("Saml idéer til grønne byrum.\nVælg dem, vi arbejder videre med.")
    desk.get_by_role("button", name="Tilføj fase").click()
    expect(desk.locator(".flashes")).to_contain_text("Fasen “Idéfase” er tilføjet.")
    desk.get_by_role("link", name="Gå videre til “Idéfase”").click()
    axe_check(desk, name="phase-advance")
    desk.get_by_role("button", name="Gå videre").click()
    expect(desk.locator(".flashes")).to_contain_text("“Idéfase” er nu den aktuelle fase.")
    axe_check(desk, name="phases")

    desk.get_by_role("link", name="Planlæg et møde i Idéfase").click()
    axe_check(desk, name="meeting-new")
    desk.get_by_label("Mødetype").select_option("workshop")
    desk.get_by_label("Titel", exact=True).fill(MEETING)
    desk.get_by_label("Dato").fill((date.today() + timedelta(days=14)).isoformat())
    desk.get_by_label("Starter kl.").fill("17:00")
    desk.get_by_label("Slutter kl.").fill("19:00")
    desk.get_by_label("Sted").fill("Nørrebro Bibliotek, salen")
    desk.get_by_role("button", name="Planlæg mødet").click()
    desk.wait_for_url(re.compile(r".*/meetings/\d+$"))
    meeting_url = desk.url
    expect(desk.get_by_role("heading", level=1)).to_have_text(MEETING)
    expect(desk.locator("[data-live-status]")).to_contain_text("Live")

    desk.goto(f"/projects/{project_id}/invite")
    desk.get_by_role("button", name="Opret link").click()
    link = desk.locator("[data-copy-source]").first.input_value()
    desk.goto(meeting_url)
    expect(desk.locator("[data-live-status]")).to_contain_text("Live")

    # --- a citizen joins on a phone and opens the (still empty) agenda -----------------------------
    _, phone, phone_problems = new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    phone.goto(link)
    phone.get_by_label("Dit navn").fill("Ali")
    phone.get_by_role("button", name="Deltag", exact=True).click()
    phone.wait_for_url(f"**/projects/{project_id}")
    phone.get_by_role("link", name=MEETING).click()
    phone.wait_for_url(meeting_url)
    expect(phone.locator("[data-live-status]")).to_contain_text("Live")
    expect(phone.locator('[data-empty="agenda"]')).to_be_visible()

    # --- the facilitator writes the agenda; it appears on the phone as it is written ---------------
    desk.get_by_text("Tilføj et punkt til dagsordenen", exact=True).click()
    new_item = desk.locator(f"form[action='/meetings/{meeting_url.rsplit('/', 1)[1]}/agenda']")
    for title, minutes in ITEMS:
        new_item.get_by_label("Titel", exact=True).fill(title)
        new_item.get_by_label("Planlagte minutter").fill(minutes)
        new_item.get_by_role("button", name="Tilføj punkt").click()
        expect(desk.locator('[data-list="agenda"] > li')).to_have_count(ITEMS.index((title, minutes)) + 1)
    expect(phone.locator('[data-list="agenda"] > li')).to_have_count(3)
    assert _agenda_titles(phone) == [t for t, _ in ITEMS]
    expect(phone.locator("[data-agenda-summary]")).to_have_text("3 punkter · 65 min. planlagt")
    expect(phone.locator('[data-empty="agenda"]')).to_be_hidden()
    axe_check(phone, name="agenda-phone-live")

    # --- the citizen comments, proposes an item and uploads a PDF ----------------------------------
    first = phone.locator('[data-list="agenda"] > li').first
    first.locator("summary", has_text="Skriv en kommentar").click()
    first.get_by_label("Din kommentar").fill("Kan vi også tale om skolevejene?\nSe www.kk.dk/skoleveje")
    first.get_by_role("button", name="Send kommentar").click()
    expect(first.locator(".comment")).to_have_count(1)
    expect(first.locator(".comment__body a")).to_have_attribute("href", "https://www.kk.dk/skoleveje")

    phone.get_by_text("Foreslå et punkt", exact=True).click()
    phone.get_by_label("Hvad skal drøftes?").fill("Bænke ved søen")
    phone.get_by_label("Hvorfor skal det på dagsordenen?").fill("Mange ældre kan ikke gå hele vejen rundt.")
    phone.get_by_role("button", name="Send forslag").click()
    expect(phone.locator('[data-list="proposals"] > li')).to_have_count(1)
    expect(phone.locator('[data-list="proposals"]')).to_contain_text("Forslag — venter på tovholderens svar")

    phone.get_by_text("Tilføj en fil eller et link", exact=True).click()
    phone.get_by_label("Tilføj det til").select_option(label="Mødet som helhed")
    phone.get_by_label("Fil").set_input_files({"name": "Kort over søen.pdf", "mimeType": "application/pdf",
                                               "buffer": PDF})
    phone.get_by_role("button", name="Tilføj materiale").click()
    expect(phone.locator('[data-list="meeting-materials"] > li')).to_have_count(1)
    expect(phone.locator('[data-list="meeting-materials"]')).to_contain_text("Kort over søen.pdf")

    # --- the facilitator sees all three live, and accepts the proposal -----------------------------
    expect(desk.locator('[data-list="agenda"] > li').first.locator(".comment")).to_contain_text("skolevejene")
    expect(desk.locator('[data-list="proposals"] > li')).to_have_count(1)
    expect(desk.locator('[data-list="meeting-materials"]')).to_contain_text("Kort over søen.pdf")
    proposal = desk.locator('[data-list="proposals"] > li').first
    expect(proposal).to_contain_text("Foreslået af Ali")
    proposal.get_by_label("Svar til forslagsstilleren").fill("Godt forslag – det tager vi med.")
    proposal.get_by_role("button", name="Sæt på dagsordenen").click()
    expect(desk.locator('[data-list="agenda"] > li')).to_have_count(4)

    # --- the citizen sees the answer, and the item on the agenda -----------------------------------
    expect(phone.locator('[data-list="agenda"] > li')).to_have_count(4)
    accepted = phone.locator('[data-list="agenda"] > li').last
    expect(accepted.locator(".item__title")).to_have_text("Bænke ved søen")
    expect(accepted.locator(".item__answer")).to_contain_text("Godt forslag – det tager vi med.")
    accepted_id = accepted.get_attribute("id")
    expect(phone.locator('[data-list="proposals"] > li')).to_have_count(0)
    expect(phone.locator('[data-empty="proposals"]')).to_be_visible()
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    axe_check(phone, name="agenda-phone")

    # --- the facilitator orders by keyboard (focus stays) and by drag and drop ---------------------
    up = desk.get_by_role("button", name="Flyt op: Bænke ved søen")
    up.focus()
    desk.keyboard.press("Enter")
    expect(desk.locator('[data-list="agenda"] > li').nth(2).locator(".item__title")).to_have_text("Bænke ved søen")
    assert desk.evaluate("() => document.activeElement.closest('li.item').id") == accepted_id
    expect(desk.locator("[data-announcer]")).to_contain_text("“Bænke ved søen” er nu nummer 3 af 4.")
    desk.set_viewport_size({"width": 1280, "height": 2400})  # source and target both in view while dragging
    desk.locator('[data-list="agenda"] > li').nth(3).locator(".item__grip").drag_to(
        desk.locator('[data-list="agenda"] > li').first.locator(".item__grip"))
    expected = ["Aftaler og næste skridt", "Velkomst og formål", "Idéer til grønne byrum", "Bænke ved søen"]
    expect(phone.locator('[data-list="agenda"] > li .item__title')).to_have_text(expected)
    desk.set_viewport_size({"width": 1280, "height": 900})
    desk.reload()
    assert _agenda_titles(desk) == expected
    axe_check(desk, name="agenda-desk")

    # --- the pages in both sizes, for the eye ------------------------------------------------------
    shot(desk, "agenda")
    phone.reload()
    expect(phone.locator("[data-live-status]")).to_contain_text("Live")
    shot(phone, "agenda")
    desk.goto(f"/projects/{project_id}/timeline")
    expect(desk.locator(".entry")).not_to_have_count(0)
    axe_check(desk, name="timeline")
    desk.goto(f"/projects/{project_id}/materials")
    expect(desk.locator('[data-list="bank"] > li')).to_have_count(1)
    axe_check(desk, name="material-bank")
    desk_problems.assert_none()
    phone_problems.assert_none()
