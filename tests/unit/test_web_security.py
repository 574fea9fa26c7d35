"""Security: CSRF on every state-changing request, security headers and CSP, the session cookie."""

from __future__ import annotations

import pytest

from tests.factories import make_org
from tests.unit.webapp import client_for, csrf_token, log_in, seed, staff_user, table_counts


@pytest.fixture
def client(database_url):
    with client_for(database_url) as c:
        yield c


def test_security_headers_on_pages_static_and_errors(client):
    for path in ("/", "/login", "/static/css/app.css", "/no-such-page"):
        response = client.get(path)
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp
        assert "script-src 'self';" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "style-src 'self'" in csp
        assert "img-src 'self' data:" in csp
        assert "connect-src 'self' ws://testserver wss://testserver" in csp
        assert "frame-ancestors 'none'" in csp and "base-uri 'self'" in csp and "form-action 'self'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "same-origin"


def test_pages_have_no_inline_script_or_style(client):
    for path in ("/", "/login", "/signup", "/password/forgot", "/join/nope"):
        html = client.get(path).text
        assert "<script>" not in html and "style=" not in html and "<style" not in html
        assert " on" + "click=" not in html


def test_session_cookie_is_httponly_and_samesite_lax(client):
    response = client.get("/login")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("godialog_session=")
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    assert "secure" not in cookie.lower()  # BASE_URL is http here


def test_session_cookie_is_secure_when_base_url_is_https(database_url):
    from starlette.testclient import TestClient

    from tests.unit.webapp import make_app

    with TestClient(make_app(database_url, base_url="https://godialog.example.dk"),
                    base_url="https://testserver") as client:
        response = client.get("/login")
        assert "secure" in response.headers["set-cookie"].lower()
        assert "max-age=31536000" in response.headers["strict-transport-security"]


@pytest.mark.parametrize(("lang", "text"), [
    ("da", "Din formular var udløbet, så intet blev gemt."),
    ("en", "Your form had expired, so nothing was saved."),
])
def test_form_post_without_csrf_token_is_refused_and_changes_nothing(client, database_url, lang, text):
    client.get(f"/signup?lang={lang}")
    before = table_counts(database_url)
    response = client.post("/signup", data={"display_name": "Eve", "email": "eve@example.dk",
                                            "password": "long enough", "organisation": "Evil Corp"})
    assert response.status_code == 403
    assert text in response.text
    assert f'<html lang="{lang}">' in response.text
    assert table_counts(database_url) == before


def test_form_post_with_a_wrong_csrf_token_is_refused(client, database_url):
    csrf_token(client, "/signup")
    before = table_counts(database_url)
    response = client.post("/signup", data={"csrf_token": "forged", "display_name": "Eve", "email": "eve@example.dk",
                                            "password": "long enough", "organisation": "Evil Corp"})
    assert response.status_code == 403
    assert table_counts(database_url) == before


def test_a_token_from_another_session_is_refused(database_url):
    with client_for(database_url) as alice, client_for(database_url) as mallory:
        stolen = csrf_token(mallory, "/signup")
        csrf_token(alice, "/signup")
        response = alice.post("/signup", data={"csrf_token": stolen, "display_name": "A", "email": "a@example.dk",
                                               "password": "long enough", "organisation": "Org"})
        assert response.status_code == 403


def test_logout_without_token_is_refused_and_keeps_the_session(client, database_url):
    seed(database_url, lambda s: make_org(s, admin=staff_user(s)))
    log_in(client)
    assert client.post("/logout").status_code == 403
    assert client.get("/dashboard", follow_redirects=False).status_code == 200


def test_csrf_header_is_accepted_for_fetch_calls(client, database_url):
    seed(database_url, lambda s: make_org(s, admin=staff_user(s)))
    log_in(client)
    token = csrf_token(client, "/dashboard")
    response = client.post("/logout", headers={"X-CSRF-Token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/dashboard", follow_redirects=False).status_code == 303


def test_json_callers_get_a_json_error_for_a_missing_token(client):
    client.get("/login")
    response = client.post("/logout", headers={"Accept": "application/json"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf"


def test_multipart_forms_carry_the_token_too(client, database_url):
    token = csrf_token(client, "/signup")
    response = client.post("/signup", files={"upload": ("a.txt", b"hello", "text/plain")},
                           data={"csrf_token": token, "display_name": "Mette", "email": "m@example.dk",
                                 "password": "long enough", "organisation": "Org"}, follow_redirects=False)
    assert response.status_code == 303
    assert table_counts(database_url)["user"] == 1


@pytest.mark.parametrize("lang, text", [("da", "for stor"), ("en", "too large")])
def test_a_body_over_the_upload_limit_gets_a_friendly_page_and_changes_nothing(database_url, lang, text):
    with client_for(database_url) as client:
        limit = client.app.state.settings.max_upload_bytes  # type: ignore[attr-defined]
        token = csrf_token(client, "/signup")
        before = table_counts(database_url)
        response = client.post(f"/signup?lang={lang}",
                               files={"upload": ("big.pdf", b"%PDF-" + b"0" * (limit + 1024 * 1024 + 10))},
                               data={"csrf_token": token, "display_name": "Mette", "email": "m@example.dk",
                                     "password": "long enough", "organisation": "Org"})
        assert response.status_code == 413
        assert text in response.text and "<html" in response.text
        assert table_counts(database_url) == before
