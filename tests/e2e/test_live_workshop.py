"""Journey 3 in real browsers: the facilitator's console, the projector screen and two phones at
360 px, in one room. The phones join by code, send ideas that appear on the screen, the facilitator
opens a dot vote, both phones vote, the reveal shows the right counts on the screen's chart, and the
winning idea becomes an agreement with an owner and a deadline — on the screen and in the project.
axe runs on the phone view, the screen and the console. Another phone goes offline while it sends an
idea; back online, the idea arrives exactly once."""

from __future__ import annotations

import os
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from app.db import Database
from app.models import Agreement, Idea
from tests.e2e.conftest import axe_check
from tests.factories import join_phase, make_agenda_item, make_meeting, make_org, make_phase, make_project
from tests.unit.webapp import PASSWORD, staff_user

SHOTS = Path(os.environ.get("GODIALOG_SHOTS") or "/tmp/shots")
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
LAPTOP = {"viewport": {"width": 1440, "height": 900}}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}


def _seed(database_url: str, email: str) -> dict[str, int]:
    def build(session):  # type: ignore[no-untyped-def]
        mette = staff_user(session, "Mette Hansen", email)
        org = make_org(session, "Københavns Kommune", admin=mette)
        project = make_project(session, org, "Et grønnere Nørrebro")
        phase = make_phase(session, project, "Idéfase")
        join_phase(session, phase, mette, "facilitator")
        meeting = make_meeting(session, phase, "Workshop: grønne gårde")
        for n, (title, minutes) in enumerate([("Velkomst", 5), ("Idéer til gården", 30), ("Afstemning", 15)]):
            make_agenda_item(session, meeting, title, position=n, minutes=minutes)
        return {"project": project.id, "meeting": meeting.id}

    db = Database(database_url)
    try:
        return db.run(build)[0]
    finally:
        db.dispose()


def _count(database_url: str, model: type, **where: Any) -> int:
    db = Database(database_url)
    try:
        with db.read() as session:
            query = sa.select(sa.func.count()).select_from(model)
            for name, value in where.items():
                query = query.where(getattr(model, name) == value)
            return session.execute(query).scalar_one()
    finally:
        db.dispose()


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(1500)  # let arrival animations finish
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=name != "live-screen")


def _log_in(page: Any, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url("**/dashboard")


def _start_session(new_context: Any, world: dict[str, int], email: str) -> tuple[Any, Any, str]:
    _, console, problems = new_context(**LAPTOP)
    _log_in(console, email)
    console.goto(f"/meetings/{world['meeting']}/live/console")
    axe_check(console, name="live-console-start")
    console.get_by_role("button", name="Start live-sessionen").click()
    console.wait_for_url(f"**/meetings/{world['meeting']}/live/console")
    code = console.locator(".join-code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{3}-[A-Z0-9]{3}", code) and not set(code) & set("0O1IL")
    console.locator(".live-status", has_text="Live").wait_for()
    return console, problems, code


def _join(new_context: Any, name: str, *, code: str | None = None, url: str | None = None) -> tuple[Any, Any, Any]:
    context, phone, problems = new_context(**PHONE)
    if url:  # scanned the QR code
        phone.goto(url)
    else:  # typed the code from the screen
        phone.goto("/live")
        phone.get_by_label("Kode").fill(code.lower().replace("-", " "))  # type: ignore[union-attr]
        phone.get_by_role("button", name="Fortsæt").click()
    phone.get_by_label("Dit navn").fill(name)
    phone.get_by_role("button", name="Deltag", exact=True).click()
    phone.wait_for_url(re.compile(r".*/meetings/\d+/live$"))
    phone.locator(".live-status", has_text="Live").wait_for()
    return context, phone, problems


def _send_idea(phone: Any, title: str) -> None:
    phone.get_by_label("Idé", exact=True).fill(title)
    phone.get_by_role("button", name="Send idé").click()


def test_a_live_workshop_from_code_to_agreement(server, new_context):
    email = "mette.live@godialog.dk"
    world = _seed(server.database_url, email)
    console, console_problems, code = _start_session(new_context, world, email)
    axe_check(console, name="live-console-running")

    _, screen, screen_problems = new_context(**PROJECTOR)
    _log_in(screen, email)
    screen.goto(f"/meetings/{world['meeting']}/live/screen")
    assert screen.locator(".join-panel__code").inner_text() == code
    qr_url = screen.evaluate("() => JSON.parse(document.getElementById('live-config').textContent).joinUrl")
    assert qr_url == f"{server.base_url}/live/{code.replace('-', '')}"

    _, ali, ali_problems = _join(new_context, "Ali", url=qr_url)
    _, fatima, fatima_problems = _join(new_context, "Fatima", code=code)
    screen.locator(".screen__people-count", has_text="3").wait_for()  # Mette, Ali, Fatima (one each)

    console.get_by_role("button", name="Næste punkt").click()
    for page in (ali, fatima, screen):
        page.get_by_text("Velkomst").first.wait_for()
    console.get_by_role("button", name="Næste punkt").click()
    ali.locator(".live-focus__title", has_text="Idéer til gården").wait_for()
    screen.locator(".screen__focus-title", has_text="Idéer til gården").wait_for()
    assert re.search(r"\d+:\d\d tilbage", screen.locator(".screen__timer").inner_text())

    _send_idea(ali, "Bænke ved søen")
    _send_idea(fatima, "Frugttræer i gården")
    _send_idea(fatima, "Regnbede ved cykelstien")
    wall = screen.locator(".wall")
    for title in ("Bænke ved søen", "Frugttræer i gården", "Regnbede ved cykelstien"):
        wall.get_by_text(title).wait_for()
    assert screen.locator(".wall__count").inner_text() == "3"
    assert "Ali" in wall.locator(".wall-idea", has_text="Bænke ved søen").inner_text()
    ali.get_by_text("Tak! Din idé er på idévæggen.").wait_for()
    axe_check(ali, name="live-phone-ideas")
    axe_check(screen, name="live-screen-wall")

    # a dot vote on the ideas, results hidden until revealed
    for title in ("Bænke ved søen", "Frugttræer i gården", "Regnbede ved cykelstien"):
        console.get_by_role("checkbox", name=title).check()
    console.get_by_role("button", name="Prikafstemning om de valgte idéer").click()
    console.get_by_label("Prikker pr. person").fill("3")
    console.get_by_role("button", name="Start afstemningen").click()
    screen.get_by_text("Hvilke idéer skal vi arbejde videre med?").wait_for()

    def dots(phone: Any, title: str, n: int) -> None:
        for _ in range(n):
            phone.get_by_role("button", name=f"Sæt en prik på “{title}”").click()

    ali.get_by_text("3 af 3 prikker tilbage").wait_for()
    dots(ali, "Bænke ved søen", 2)
    dots(ali, "Frugttræer i gården", 1)
    assert ali.get_by_role("button", name="Sæt en prik på “Regnbede ved cykelstien”").is_disabled()
    ali.get_by_role("button", name="Send mine prikker").click()
    dots(fatima, "Bænke ved søen", 3)
    fatima.get_by_role("button", name="Send mine prikker").click()
    for phone in (ali, fatima):
        phone.get_by_text("Din stemme er talt med.").wait_for()
    screen.get_by_text("2 har stemt").wait_for()
    assert not screen.locator(".chart").is_visible()  # hidden until the facilitator reveals
    axe_check(ali, name="live-phone-vote")

    console.get_by_role("button", name="Vis resultatet").click()
    chart = screen.locator(".chart")
    chart.wait_for()
    rows = chart.locator(".chart__row")
    screen.wait_for_function("() => document.querySelectorAll('.chart__row').length === 3")
    counts = {rows.nth(n).locator(".chart__label").inner_text(): rows.nth(n).locator(".chart__count").inner_text()
              for n in range(3)}
    assert counts == {"Bænke ved søen": "5", "Frugttræer i gården": "1", "Regnbede ved cykelstien": "0"}
    assert rows.first.locator(".chart__label").inner_text() == "Bænke ved søen"  # the winner on top
    axe_check(screen, name="live-screen-results")
    _shot(screen, "live-screen-results")

    # the winning idea goes on: an agreement with an owner from the room and a deadline
    card = console.locator(".console-idea").filter(has=console.get_by_role("checkbox", name="Bænke ved søen"))
    card.get_by_role("button", name="Beslut").click()
    deadline = date.today() + timedelta(days=30)
    card.get_by_label("Hvad skal der gøres").fill("Sæt tre bænke op ved søen")
    card.get_by_label("Ansvarlig").select_option(label="Ali")
    card.get_by_label("Frist").fill(deadline.isoformat())
    card.get_by_label("Note (hvorfor, hvad blev der sagt)").fill("Flest prikker")
    axe_check(console, name="live-console-decision")
    card.get_by_role("button", name="Gem beslutningen").click()
    agreement = screen.locator(".screen-agreement", has_text="Sæt tre bænke op ved søen")
    agreement.wait_for()
    assert "Ansvarlig: Ali" in agreement.inner_text() and f"{deadline.day}." in agreement.inner_text()
    ali.locator(".agreement", has_text="Sæt tre bænke op ved søen").wait_for()
    card.get_by_text("Arbejdes der videre med").wait_for()
    assert _count(server.database_url, Agreement, title="Sæt tre bænke op ved søen") == 1

    console.get_by_role("button", name="Afslut afstemningen").first.click()
    screen.locator(".wall").wait_for()  # the vote leaves the screen; the wall is back
    _shot(screen, "live-screen")
    _shot(console, "live-console")
    _shot(ali, "live-phone")
    axe_check(console, name="live-console-end")
    axe_check(screen, name="live-screen-end")
    axe_check(ali, name="live-phone-end")
    assert ali.evaluate("() => document.documentElement.scrollWidth") <= 360  # no sideways scrolling

    projects = console.context.new_page()
    projects.goto(f"/projects/{world['project']}/agreements")
    item = projects.locator(".agreement-card", has_text="Sæt tre bænke op ved søen")
    assert "Ali" in item.inner_text() and str(deadline.year) in item.inner_text()
    axe_check(projects, name="project-agreements")

    # the minutes wrote themselves: under the item in focus, the idea, its decision and its agreement
    projects.goto(f"/meetings/{world['meeting']}")
    item = projects.locator(".minutes-item").filter(
        has=projects.get_by_role("heading", name="Idéer til gården", level=3))
    idea = item.locator(".minutes-idea", has_text="Bænke ved søen")
    assert "Arbejdes der videre med" in idea.inner_text() and "Flest prikker" in idea.inner_text()
    assert "Sæt tre bænke op ved søen" in idea.locator(".minutes-agreement").inner_text()
    assert "5 prikker" in item.locator(".minutes-vote").inner_text()
    axe_check(projects, name="meeting-minutes")
    projects.close()

    for problems in (console_problems, screen_problems, ali_problems, fatima_problems):
        problems.assert_none()


def test_an_idea_sent_while_offline_arrives_exactly_once(server, new_context):
    email = "mette.offline@godialog.dk"
    world = _seed(server.database_url, email)
    console, console_problems, code = _start_session(new_context, world, email)
    context, phone, _ = _join(new_context, "Bo", code=code)

    context.set_offline(True)
    _send_idea(phone, "Skure til havemøbler")
    waiting = phone.locator(".outbox__item", has_text="Skure til havemøbler")
    waiting.wait_for()
    assert "Venter på at blive sendt" in waiting.inner_text()
    phone.get_by_text("Din idé er gemt og bliver sendt, når du er online igen.").wait_for()
    phone.wait_for_timeout(1500)  # the phone keeps trying in the background
    assert _count(server.database_url, Idea, title="Skure til havemøbler") <= 1

    context.set_offline(False)
    console.locator(".console-idea", has_text="Skure til havemøbler").wait_for()
    waiting.wait_for(state="detached")
    phone.locator(".idea", has_text="Skure til havemøbler").wait_for()
    phone.wait_for_timeout(1500)  # time for any second copy to show up: none may
    assert phone.locator(".idea", has_text="Skure til havemøbler").count() == 1
    assert console.locator(".console-idea__title", has_text="Skure til havemøbler").count() == 1
    assert _count(server.database_url, Idea, title="Skure til havemøbler") == 1
    assert phone.evaluate("() => localStorage.length") == 0  # nothing left waiting on the phone
    console_problems.assert_none()


def test_moderation_and_every_kind_of_vote_in_the_room(server, new_context):
    email = "mette.kinds@godialog.dk"
    world = _seed(server.database_url, email)
    console, console_problems, code = _start_session(new_context, world, email)
    _, screen, screen_problems = new_context(**PROJECTOR)
    _log_in(screen, email)
    screen.goto(f"/meetings/{world['meeting']}/live/screen")
    phones = [_join(new_context, name, code=code)[1] for name in ("Ali", "Fatima", "Bo")]
    console.get_by_role("button", name="Næste punkt").click()
    for phone, title in zip(phones, ["Bænke ved søen", "Flere bænke", "Noget grimt"], strict=True):
        _send_idea(phone, title)
    screen.locator(".wall").get_by_text("Noget grimt").wait_for()

    def card(title: str) -> Any:
        return console.locator(".console-idea").filter(has=console.get_by_role("checkbox", name=title))

    # hide with a reason: the text leaves every phone and the screen, the reason is shown
    card("Noget grimt").get_by_role("button", name="Skjul").click()
    card("Noget grimt").get_by_label("Hvorfor skjules den? Alle kan se begrundelsen.").fill("Ikke en idé")
    card("Noget grimt").get_by_role("button", name="Skjul").last.click()
    phones[0].get_by_text("Skjult af tovholderen: Ikke en idé").wait_for()
    screen.locator(".wall").get_by_text("Noget grimt").wait_for(state="detached")
    assert "Noget grimt" not in phones[0].content()
    assert card("Noget grimt").is_visible()  # the console still knows what it hid
    # merge a duplicate, group under a heading
    card("Flere bænke").get_by_role("button", name="Læg sammen med…").click()
    card("Flere bænke").get_by_label("Læg denne idé sammen med").select_option(label="Bænke ved søen")
    card("Flere bænke").get_by_role("button", name="Læg sammen", exact=True).click()
    screen.get_by_text("+1 lignende idé").wait_for()
    _send_idea(phones[0], "Borde")
    console.get_by_role("checkbox", name="Borde").wait_for()
    console.get_by_role("checkbox", name="Bænke ved søen").check()
    console.get_by_role("checkbox", name="Borde").check()
    console.get_by_label("Overskrift til de valgte idéer").fill("Møbler i gården")
    console.get_by_role("button", name="Saml", exact=True).click()
    screen.locator(".wall__heading", has_text="Møbler i gården").wait_for()
    # a comment on the item in focus, seen by the console
    phones[1].get_by_label("Din kommentar").fill("Godt at vi er her")
    phones[1].get_by_role("button", name="Send kommentar").click()
    console.locator(".comment", has_text="Godt at vi er her").wait_for()
    axe_check(console, name="live-console-moderated")

    # yes / no with live results: the chart moves as people vote
    console.get_by_text("Start en afstemning").click()
    console.get_by_label("Slags").select_option("yes-no")
    console.get_by_label("Spørgsmål").fill("Skal vi plante frugttræer?")
    console.get_by_label("Vis resultatet live, mens der stemmes").check()
    console.get_by_role("button", name="Start afstemningen").click()
    for phone, choice in zip(phones, ["Ja", "Nej", "Ja"], strict=True):
        phone.get_by_role("button", name=choice, exact=True).click()
    screen.wait_for_function(
        "() => [...document.querySelectorAll('.chart__count')].map(e => e.textContent).join() === '2,1,0'")
    phones[0].get_by_role("button", name="Nej", exact=True).click()  # changed my mind
    screen.wait_for_function(
        "() => [...document.querySelectorAll('.chart__count')].map(e => e.textContent).join() === '1,2,0'")
    console.get_by_role("button", name="Lås").first.click()
    phones[0].get_by_text("Afstemningen er låst.").wait_for()
    assert phones[0].get_by_role("button", name="Ja", exact=True).is_disabled()
    console.get_by_role("button", name="Afslut afstemningen").first.click()

    # an open question: the answers make a word cloud; an unsuitable one is hidden
    console.get_by_text("Start en afstemning").click()
    console.get_by_label("Slags").select_option("open")
    console.get_by_label("Spørgsmål").fill("Ét ord om gården?")
    console.get_by_label("Vis resultatet live, mens der stemmes").check()
    console.get_by_role("button", name="Start afstemningen").click()
    for phone, words in zip(phones, [["Grøn", "Hyggelig"], ["grøn", "Lorteidé"], ["Grøn"]], strict=True):
        for word in words:
            phone.get_by_label("Dit svar (et ord eller to)").fill(word)
            phone.get_by_role("button", name="Send", exact=True).click()
            phone.locator(".answers__mine li", has_text=word).wait_for()
    cloud = screen.locator(".cloud")
    cloud.get_by_text("Lorteidé").wait_for()
    cloud.locator(".cloud__word", has_text="Grøn").filter(has_text="(3)").wait_for()  # one answer, said three ways
    console.get_by_role("button", name="Skjul svaret: Lorteidé").click()
    cloud.get_by_text("Lorteidé").wait_for(state="detached")
    axe_check(screen, name="live-screen-cloud")
    _shot(screen, "live-screen-cloud")

    # the agenda edited live: a new item, its minutes changed, then in focus with its timer
    console.get_by_text("Tilføj et punkt til dagsordenen").click()
    console.get_by_label("Titel").fill("Eventuelt")
    console.get_by_label("Planlagte minutter").fill("5")
    console.get_by_role("button", name="Tilføj punkt").click()
    console.get_by_role("button", name="Ret “Eventuelt”").click()
    console.locator(".agenda-list__form").get_by_label("Planlagte minutter").fill("12")
    console.get_by_role("button", name="Gem", exact=True).click()
    console.locator(".agenda-list__item", has_text="Eventuelt").get_by_text("12 min").wait_for()
    console.get_by_role("button", name="Fokus på “Eventuelt”").click()
    screen.locator(".screen__focus-title", has_text="Eventuelt").wait_for()
    assert screen.locator(".screen__timer").inner_text().startswith(("12:00", "11:5"))
    phones[0].locator(".live-focus__title", has_text="Eventuelt").wait_for()

    # anonymous mode: no names on the screen
    console.get_by_label("Anonym tilstand: ingen navne på skærmen eller mobilerne").check()
    console.get_by_role("button", name="Afslut afstemningen").first.click()
    screen.locator(".wall").wait_for()
    screen.wait_for_function("() => !document.querySelector('.screen__names')?.offsetParent")
    assert "Ali" not in screen.locator(".wall").inner_text()
    _send_idea(phones[2], "Fuglekasser")
    screen.locator(".wall").get_by_text("Fuglekasser").wait_for()
    assert "Bo" not in screen.locator(".wall-idea", has_text="Fuglekasser").inner_text()
    for problems in (console_problems, screen_problems):
        problems.assert_none()
