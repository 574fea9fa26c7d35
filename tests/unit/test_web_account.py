"""The account page and the login link, through the app, on SQLite and PostgreSQL: a guest who joined
by an invite link adds an e-mail, logs out, and gets back in by a mailed single-use link; refusals
are clear in Danish and English and change nothing."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.mail import mailer_of
from app.models import LoginLink, User
from app.services import accounts, projects
from app.services.actor import ANONYMOUS, load_actor
from app.services.inputs import InviteLinkInput, LoginLinkInput
from app.services.passwords import verify_password
from tests.factories import join_phase, make_org, make_phase, make_project
from tests.unit.webapp import PASSWORD, client_for, csrf_token, fetch, log_in, seed, staff_user, table_counts

TAKEN = {"da": "En anden konto bruger allerede denne e-mail. Brug en anden adresse.",
         "en": "Another account already uses this e-mail. Use another address."}
TOO_LONG = {"da": "Brug højst 80 tegn.", "en": "Use at most 80 characters."}
EXPIRED = {"da": "Dette link er udløbet eller allerede brugt.", "en": "This link has expired or has already been used."}
SENT = {"da": "Hvis ali@example.dk hører til en konto, har vi sendt et link til at logge ind.",
        "en": "If ali@example.dk belongs to an account, we have sent it a link to log in."}


@pytest.fixture
def client(database_url):
    with client_for(database_url) as c:
        yield c


@pytest.fixture
def world(database_url):
    def make(session):
        mette = staff_user(session)
        org = make_org(session, admin=mette)
        project = make_project(session, org)
        phase = make_phase(session, project, "Idéfase")
        join_phase(session, phase, mette, "facilitator")
        token = projects.create_invite_link(session, load_actor(session, mette.id), project.id,
                                            inputs=InviteLinkInput()).token
        return {"mette": mette.id, "invite": token}
    return seed(database_url, make)


def _join_as_guest(client, world, name: str = "Ali") -> int:
    """Join by the invite link with a name only, as a citizen does; the guest's user id."""
    path = f"/join/{world['invite']}"
    response = client.post(path, data={"csrf_token": csrf_token(client, path), "display_name": name, "email": ""},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return fetch(client.app.state.settings.database_url,
                 lambda s: s.exec(select(User.id).where(User.display_name == name)).one())


def _user(database_url: str, user_id: int) -> User:
    return fetch(database_url, lambda s: s.get(User, user_id))


def _save(client, lang: str | None = None, **fields: str):
    token = csrf_token(client, f"/account?lang={lang}" if lang else "/account")
    return client.post("/account", data={"csrf_token": token, "form": "profile", **fields}, follow_redirects=False)


def _log_out(client) -> None:
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    assert client.get("/account", follow_redirects=False).headers["location"] == "/login?next=/account"


def _mailed_login_path(client) -> str:
    mail = mailer_of(client.app).outbox[-1]
    return re.search(r"http://localhost:8000(/login/link/\S+)", mail.body).group(1)


def test_the_header_name_links_to_the_account_page(client, world):
    _join_as_guest(client, world)
    html = client.get("/dashboard").text
    assert 'href="/account" class="user-nav__name"' in html
    page = client.get("/account")
    assert page.status_code == 200 and "<h1>Din konto</h1>" in page.text
    assert 'aria-current="page"' in page.text
    assert "Skift adgangskode" not in page.text  # a guest has no password to change


def test_a_guest_adds_an_email_then_gets_back_in_by_a_login_link_that_works_once(client, database_url, world):
    ali = _join_as_guest(client, world)
    assert "Tilføj din e-mail" in client.get("/account").text
    response = _save(client, display_name="Ali Hassan", email=" Ali@Example.dk ", locale="da")
    assert response.headers["location"] == "/account"
    page = client.get("/account").text
    assert "Nu kan du logge ind igen på enhver telefon med et link, vi sender til ali@example.dk." in page
    assert 'value="ali@example.dk"' in page and 'value="Ali Hassan"' in page
    user = _user(database_url, ali)
    assert (user.email, user.display_name, user.is_guest, user.password_hash) == (
        "ali@example.dk", "Ali Hassan", True, None)

    _log_out(client)
    assert "Ingen adgangskode? Få et login-link på e-mail" in client.get("/login").text
    token = csrf_token(client, "/login/link")
    sent = client.post("/login/link", data={"csrf_token": token, "email": "ali@example.dk"})
    assert sent.status_code == 200 and SENT["da"] in sent.text
    mail = mailer_of(client.app).outbox[-1]
    assert mail.to == "ali@example.dk" and "30 minutter" in mail.body
    path = _mailed_login_path(client)
    stored = fetch(database_url, lambda s: s.exec(select(LoginLink)).one())
    assert stored.token_hash == accounts.token_hash(path.rsplit("/", 1)[1])  # only the hash is kept

    opened = client.get(path, follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == "/dashboard"
    dashboard = client.get("/dashboard")
    assert dashboard.status_code == 200 and "Velkommen tilbage, Ali Hassan. Du er logget ind." in dashboard.text

    _log_out(client)
    again = client.get(path)
    assert again.status_code == 410 and EXPIRED["da"] in again.text and 'href="/login/link"' in again.text
    assert client.get("/dashboard", follow_redirects=False).status_code == 303  # not logged in


@pytest.mark.parametrize("lang", ["da", "en"])
def test_a_taken_email_is_refused_in_the_page_language_and_changes_nothing(client, database_url, world, lang):
    ali = _join_as_guest(client, world)
    before, user_before = table_counts(database_url), _user(database_url, ali)
    response = _save(client, lang, display_name="Ali Hassan", email="METTE@godialog.dk", locale=lang)
    assert response.status_code == 422
    html = response.text
    assert TAKEN[lang] in html
    assert 'aria-describedby="hint-email error-email"' in html and 'aria-invalid="true"' in html
    assert 'value="METTE@godialog.dk"' in html and 'value="Ali Hassan"' in html  # what was typed is kept
    assert table_counts(database_url) == before
    after = _user(database_url, ali)
    assert (after.email, after.display_name, after.locale) == (user_before.email, "Ali", user_before.locale)


@pytest.mark.parametrize("lang", ["da", "en"])
def test_an_over_long_name_is_refused_and_changes_nothing(client, database_url, world, lang):
    ali = _join_as_guest(client, world)
    response = _save(client, lang, display_name="A" * 81, email="ali@example.dk", locale=lang)
    assert response.status_code == 422 and TOO_LONG[lang] in response.text
    assert 'href="#field-display_name"' in response.text  # the summary leads to the field
    assert (_user(database_url, ali).display_name, _user(database_url, ali).email) == ("Ali", None)


def test_the_account_forms_need_the_csrf_token(client, database_url, world):
    ali = _join_as_guest(client, world)
    response = client.post("/account", data={"form": "profile", "display_name": "Mallory", "email": "m@example.dk",
                                              "locale": "en"})
    assert response.status_code == 403 and "Din formular var udløbet" in response.text
    wrong = client.post("/account", data={"csrf_token": "forged", "form": "profile", "display_name": "Mallory"})
    assert wrong.status_code == 403
    link = client.post("/login/link", data={"email": "ali@example.dk"})
    assert link.status_code == 403 and mailer_of(client.app).outbox == []
    assert _user(database_url, ali).display_name == "Ali"


def test_the_language_choice_is_remembered_on_this_and_another_device(client, database_url, world):
    ali = _join_as_guest(client, world)
    response = _save(client, display_name="Ali", email="ali@example.dk", locale="en")
    assert "godialog_lang=en" in response.headers["set-cookie"]
    page = client.get("/account").text
    assert '<html lang="en">' in page and "Saved. You can now log in again on any phone" in page
    assert 'value="en" checked' in page
    assert _user(database_url, ali).locale == "en"
    # Another phone, with a Danish browser: the login link is mailed in English and logs in in English.
    with client_for(database_url) as phone:
        token = csrf_token(phone, "/login/link")
        phone.post("/login/link", data={"csrf_token": token, "email": "ali@example.dk"})
        mail = mailer_of(phone.app).outbox[-1]
        assert mail.subject == "Your login link for GoDialog"
        opened = phone.get(_mailed_login_path(phone), follow_redirects=False)
        assert "godialog_lang=en" in opened.headers["set-cookie"]
        assert '<html lang="en">' in phone.get("/dashboard").text


@pytest.mark.parametrize("lang", ["da", "en"])
def test_an_unknown_address_gets_the_same_answer_and_nothing_is_sent(client, database_url, world, lang):
    token = csrf_token(client, f"/login/link?lang={lang}")
    before = table_counts(database_url)
    response = client.post("/login/link", data={"csrf_token": token, "email": "ali@example.dk"})
    assert response.status_code == 200 and SENT[lang] in response.text
    assert mailer_of(client.app).outbox == [] and table_counts(database_url) == before


def test_staff_asking_for_a_login_link_are_told_to_use_their_password(client, database_url, world):
    token = csrf_token(client, "/login/link")
    response = client.post("/login/link", data={"csrf_token": token, "email": "mette@godialog.dk"})
    assert "Hvis mette@godialog.dk hører til en konto" in response.text
    mail = mailer_of(client.app).outbox[-1]
    assert "/login/link/" not in mail.body and "http://localhost:8000/password/forgot" in mail.body
    assert table_counts(database_url)["login_link"] == 0


@pytest.mark.parametrize("lang", ["da", "en"])
def test_an_expired_login_link_is_refused_and_logs_nobody_in(client, database_url, world, lang):
    def guest_with_old_link(session):
        ali = User(display_name="Ali", email="ali@example.dk", is_guest=True)
        session.add(ali)
        session.flush()
        return accounts.request_login_link(session, ANONYMOUS, inputs=LoginLinkInput(email="ali@example.dk"),
                                           now=datetime.now(UTC) - timedelta(minutes=31))
    ticket = seed(database_url, guest_with_old_link)
    response = client.get(f"/login/link/{ticket.token}?lang={lang}", follow_redirects=False)
    assert response.status_code == 410 and EXPIRED[lang] in response.text
    assert client.get("/dashboard", follow_redirects=False).status_code == 303
    assert fetch(database_url, lambda s: s.exec(select(LoginLink)).one().used_at) is None


def test_login_links_are_rate_limited_per_address(client, world):
    token = csrf_token(client, "/login/link")
    for _ in range(5):
        assert client.post("/login/link", data={"csrf_token": token, "email": "ali@example.dk"}).status_code == 200
    response = client.post("/login/link", data={"csrf_token": token, "email": "ali@example.dk"})
    assert response.status_code == 429 and "For mange" in response.text


def test_staff_change_their_password_with_the_current_one(client, database_url, world):
    log_in(client)
    page = client.get("/account").text
    assert "Skift adgangskode" in page and 'autocomplete="current-password"' in page
    token = csrf_token(client, "/account")
    data = {"csrf_token": token, "form": "password", "new_password": "a new password",
            "new_password_confirm": "a new password"}
    wrong = client.post("/account", data={**data, "current_password": "not it"})
    assert wrong.status_code == 422 and "Adgangskoden er ikke rigtig." in wrong.text
    assert 'id="error-current_password"' in wrong.text and "a new password" not in wrong.text
    mette = world["mette"]
    assert verify_password(_user(database_url, mette).password_hash, PASSWORD)
    done = client.post("/account", data={**data, "current_password": PASSWORD}, follow_redirects=True)
    assert "Din adgangskode er ændret." in done.text
    assert verify_password(_user(database_url, mette).password_hash, "a new password")


def test_staff_need_their_password_to_change_their_email_and_cannot_remove_it(client, database_url, world):
    log_in(client)
    no_password = _save(client, display_name="Mette", email="mette@kk.dk", locale="da")
    assert no_password.status_code == 422 and "Skriv din adgangskode for at ændre din e-mail." in no_password.text
    removed = _save(client, display_name="Mette", email="", locale="da")
    assert removed.status_code == 422 and "Du logger ind med din e-mail, så den kan ikke fjernes." in removed.text
    assert _user(database_url, world["mette"]).email == "mette@godialog.dk"
    done = _save(client, display_name="Mette", email="mette@kk.dk", locale="da", email_password=PASSWORD)
    assert done.status_code == 303 and _user(database_url, world["mette"]).email == "mette@kk.dk"
