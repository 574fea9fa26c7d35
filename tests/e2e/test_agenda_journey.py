"""Journeys 1 and 2 in a real browser: a facilitator creates a phase, moves the project on to it,
plans a meeting and writes an agenda of three items, while a participant on a phone (another
browser context) watches the agenda appear live, comments, proposes an item and uploads a PDF; the
facilitator sees all of it live and accepts the proposal; the participant sees the answer. The
facilitator then reorders by keyboard and by drag and drop. axe runs on every page; the agenda page
is photographed at 360 and 1280 px (GODIALOG_SHOTS)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from playwright.sync_api import expect
from sqlmodel import select

from app.db import Database
from app.models import AgendaItem, Comment, Material
from tests.e2e.conftest import axe_check, shot
from tests.factories import join_phase, make_agenda_item, make_meeting, make_org, make_phase, make_project
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


def test_an_agenda_written_together_live(server, new_context):
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


def _seed_history(database_url: str) -> dict[str, int]:
    """A project with a held meeting (minutes, comments, a carried-over item) and the next one."""
    def build(session):
        mette = staff_user(session, "Mette Hansen", "mette.historik@godialog.dk")
        ali = staff_user(session, "Ali Yilmaz", "ali.historik@godialog.dk")
        org = make_org(session, "Aarhus Kommune", admin=mette)
        project = make_project(session, org, "Grønne gårde")
        phase = make_phase(session, project, "Idéfase", position=0, status="active")
        make_phase(session, project, "Handlingsfase", position=1, status="planned")
        join_phase(session, phase, mette, "facilitator")
        join_phase(session, phase, ali)
        held = make_meeting(session, phase, "Dialogmøde: Hvad mangler gården?", kind="dialogue",
                            starts_in=timedelta(days=-7))
        item = make_agenda_item(session, held, "Hvad mangler gården?", minutes=60)
        item.conclusion = "Flere træer og en fælles køkkenhave blev nævnt af mange."
        undone = make_agenda_item(session, held, "Cykelparkering", position=1, minutes=20)
        nxt = make_meeting(session, phase, "Workshop: Køkkenhaven", starts_in=timedelta(days=7))
        carried = make_agenda_item(session, nxt, "Cykelparkering", minutes=20)
        carried.carried_from_id = undone.id
        session.add_all([
            item, carried,
            AgendaItem(meeting_id=nxt.id, position=1, title="Bænke ved søen", status="proposed",
                       proposed_by_id=ali.id, proposal_reason="Mange ældre kan ikke gå hele vejen rundt."),
            Comment(project_id=project.id, meeting_id=held.id, agenda_item_id=undone.id, author_id=ali.id,
                    body="Overdækket, tak! Se https://www.kk.dk/cykler"),
            Comment(project_id=project.id, meeting_id=held.id, agenda_item_id=item.id, author_id=ali.id,
                    body="Noget grimt", hidden_at=datetime.now(UTC), hidden_reason="Personangreb"),
            Material(project_id=project.id, phase_id=phase.id, meeting_id=held.id, kind="link",
                     title="Kommunens plan for gårdene", url="https://www.kk.dk/", added_by_id=mette.id),
        ])
        session.flush()
        comment_id = session.exec(select(Comment.id).where(Comment.author_id == ali.id)).first()
        return {"project": project.id, "phase": phase.id, "held": held.id, "next": nxt.id, "item": item.id,
                "comment": comment_id}

    db = Database(database_url)
    try:
        ids, _ = db.run(build)
        return ids
    finally:
        db.dispose()


def test_the_other_process_pages_pass_axe_on_a_phone_and_a_laptop(server, new_context):
    ids = _seed_history(server.database_url)
    for width, height in ((360, 740), (1280, 900)):
        _, page, problems = new_context(viewport={"width": width, "height": height})
        page.goto("/login")
        page.get_by_label("E-mail").fill("mette.historik@godialog.dk")
        page.get_by_label("Adgangskode").fill(PASSWORD)
        page.get_by_role("button", name="Log ind").click()
        page.wait_for_url("**/dashboard")
        for name, path in [
            ("held-meeting", f"/meetings/{ids['held']}"), ("next-meeting", f"/meetings/{ids['next']}"),
            ("phase", f"/phases/{ids['phase']}"), ("meeting-edit", f"/meetings/{ids['held']}/edit"),
            ("carry-over", f"/meetings/{ids['held']}/carry-over"), ("item-edit", f"/agenda/{ids['item']}/edit"),
            ("phase-edit", f"/phases/{ids['phase']}/edit"), ("comment-edit", f"/comments/{ids['comment']}/edit"),
            ("bank-filtered", f"/projects/{ids['project']}/materials?kind=link&q=plan"),
            ("timeline-filtered", f"/projects/{ids['project']}/timeline?kind=comment"),
        ]:
            page.goto(path)
            assert page.evaluate("() => document.documentElement.scrollWidth") <= width, f"{name} scrolls sideways"
            axe_check(page, name=name)
        page.goto(f"/meetings/{ids['held']}")
        expect(page.locator(".notice")).to_contain_text("Mødet er holdt")
        expect(page.locator(".comment--hidden")).to_contain_text("Skjult af tovholderen: Personangreb")
        page.goto(f"/meetings/{ids['next']}")
        expect(page.locator(".item__from").first).to_contain_text("Fortsat fra Dialogmøde: Hvad mangler gården?")
        page.locator(".item__earlier summary").click()
        expect(page.locator(".item__earlier")).to_contain_text("Overdækket, tak!")
        problems.assert_none()
