"""Account pages end to end through the app: log in/out, sign up, password reset by mail, and the
error cases — each with a clear message in Danish and English, and no change in the database."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from app.mail import mailer_of
from app.models import User
from app.services import accounts
from app.services.actor import ANONYMOUS
from app.services.inputs import ForgotPasswordInput
from tests.factories import make_org
from tests.unit.webapp import client_for, csrf_token, fetch, log_in, seed, staff_user, table_counts

WRONG = {"da": "E-mailen eller adgangskoden er ikke rigtig.", "en": "The e-mail or the password is not right."}
EXPIRED = {"da": "Dette link er udløbet eller allerede brugt.", "en": "This link has expired or has already been used."}
REQUIRED = {"da": "Dette felt skal udfyldes.", "en": "This field is required."}
TOO_LONG = {"da": "Brug højst 80 tegn.", "en": "Use at most 80 characters."}


@pytest.fixture
def client(database_url):
    with client_for(database_url) as c:
        yield c


@pytest.fixture
def mette(database_url):
    return seed(database_url, lambda s: make_org(s, admin=staff_user(s)).id)


def _password_hash(database_url: str) -> str:
    return fetch(database_url, lambda s: s.get(User, 1).password_hash)


def test_log_in_and_out(client, mette):
    log_in(client)
    page = client.get("/dashboard")
    assert page.status_code == 200 and "Mette" in page.text and "Københavns Kommune" in page.text
    token = csrf_token(client, "/dashboard")
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=True)
    assert "Du er logget ud." in response.text
    assert client.get("/dashboard", follow_redirects=False).headers["location"] == "/login?next=/dashboard"


def test_log_in_returns_to_the_page_asked_for_but_never_to_another_site(client, mette):
    token = csrf_token(client, "/login")
    data = {"csrf_token": token, "email": "mette@godialog.dk", "password": "demo1234"}
    response = client.post("/login", data={**data, "next": "//evil.example/"}, follow_redirects=False)
    assert response.headers["location"] == "/dashboard"


@pytest.mark.parametrize("lang", ["da", "en"])
def test_wrong_password_is_refused_with_a_clear_message_and_changes_nothing(client, database_url, mette, lang):
    token = csrf_token(client, f"/login?lang={lang}")
    before = table_counts(database_url)
    response = client.post("/login", data={"csrf_token": token, "email": "mette@godialog.dk", "password": "nope"})
    assert response.status_code == 400
    assert WRONG[lang] in response.text
    assert 'value="mette@godialog.dk"' in response.text and 'value="nope"' not in response.text
    assert table_counts(database_url) == before
    assert client.get("/dashboard", follow_redirects=False).status_code == 303


def test_login_is_rate_limited_per_email(client, mette):
    token = csrf_token(client, "/login")
    for _ in range(5):
        client.post("/login", data={"csrf_token": token, "email": "mette@godialog.dk", "password": "nope"})
    response = client.post("/login", data={"csrf_token": token, "email": "mette@godialog.dk",
                                           "password": "demo1234"}, follow_redirects=False)
    assert response.status_code == 429
    assert "For mange forsøg på at logge ind." in response.text


def test_sign_up_logs_the_new_admin_in(client, database_url):
    token = csrf_token(client, "/signup")
    response = client.post("/signup", data={"csrf_token": token, "display_name": "Sofie", "email": "sofie@kk.dk",
                                            "password": "long enough", "organisation": "Aarhus Kommune"},
                           follow_redirects=True)
    assert response.url.path == "/dashboard"
    assert "Velkommen til GoDialog, Sofie!" in response.text and "Aarhus Kommune" in response.text
    assert table_counts(database_url)["org_membership"] == 1


@pytest.mark.parametrize("lang", ["da", "en"])
def test_sign_up_with_missing_and_over_long_fields_keeps_the_input_and_changes_nothing(client, database_url, lang):
    token = csrf_token(client, f"/signup?lang={lang}")
    before = table_counts(database_url)
    response = client.post("/signup", data={"csrf_token": token, "display_name": "x" * 81, "email": "sofie@kk.dk",
                                            "password": "long enough", "organisation": "  "})
    assert response.status_code == 422
    html = response.text
    assert TOO_LONG[lang] in html and REQUIRED[lang] in html
    assert 'aria-describedby="error-display_name"' in html and 'aria-invalid="true"' in html
    assert 'value="sofie@kk.dk"' in html and "long enough" not in html
    assert table_counts(database_url) == before


def _mailed_link(client) -> str:
    mail = mailer_of(client.app).outbox[-1]
    return re.search(r"http://localhost:8000(/password/reset/\S+)", mail.body).group(1)


def test_password_reset_by_mailed_link_works_once(client, database_url, mette):
    token = csrf_token(client, "/password/forgot")
    response = client.post("/password/forgot", data={"csrf_token": token, "email": "mette@godialog.dk"})
    assert "Tjek din e-mail" in response.text
    path = _mailed_link(client)
    assert client.get(path).status_code == 200
    token = csrf_token(client, path)
    response = client.post(path, data={"csrf_token": token, "password": "new password",
                                       "password_confirm": "new password"}, follow_redirects=True)
    assert "Din adgangskode er ændret." in response.text
    hash_after = _password_hash(database_url)
    reused = client.post(path, data={"csrf_token": csrf_token(client, "/dashboard"), "password": "third password",
                                     "password_confirm": "third password"})
    assert reused.status_code == 410 and EXPIRED["da"] in reused.text
    assert _password_hash(database_url) == hash_after
    client.post("/logout", data={"csrf_token": csrf_token(client, "/dashboard")})
    log_in(client, password="new password")


def test_forgot_password_answers_the_same_for_an_unknown_email(client):
    token = csrf_token(client, "/password/forgot?lang=en")
    response = client.post("/password/forgot", data={"csrf_token": token, "email": "nobody@example.dk"})
    assert "Check your e-mail" in response.text
    assert mailer_of(client.app).outbox == []


@pytest.mark.parametrize("lang", ["da", "en"])
def test_an_expired_reset_link_gets_a_clear_message_and_changes_nothing(client, database_url, mette, lang):
    past = datetime.now(UTC) - timedelta(hours=2)
    ticket = seed(database_url, lambda s: accounts.request_password_reset(
        s, ANONYMOUS, inputs=ForgotPasswordInput(email="mette@godialog.dk"), now=past))
    path = f"/password/reset/{ticket.token}"
    page = client.get(f"{path}?lang={lang}")
    assert page.status_code == 410 and EXPIRED[lang] in page.text
    before, hash_before = table_counts(database_url), _password_hash(database_url)
    response = client.post(path, data={"csrf_token": csrf_token(client, "/login"), "password": "new password",
                                       "password_confirm": "new password"})
    assert response.status_code == 410 and EXPIRED[lang] in response.text
    assert table_counts(database_url) == before and _password_hash(database_url) == hash_before


def test_reset_with_two_different_passwords_is_a_field_error(client, database_url, mette):
    ticket = seed(database_url, lambda s: accounts.request_password_reset(
        s, ANONYMOUS, inputs=ForgotPasswordInput(email="mette@godialog.dk")))
    path = f"/password/reset/{ticket.token}"
    response = client.post(path, data={"csrf_token": csrf_token(client, path), "password": "new password",
                                       "password_confirm": "other password"})
    assert response.status_code == 422 and "De to adgangskoder er ikke ens." in response.text
    assert client.get(path).status_code == 200  # the link still works
