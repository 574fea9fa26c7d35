"""Languages: Danish by default; English by ?lang=en (remembered in a cookie), by the cookie, or by
Accept-Language; catalogues complete; dates in Europe/Copenhagen."""

from __future__ import annotations

import inspect
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from app import errors, i18n
from app.settings import ROOT
from tests.unit.webapp import client_for


@pytest.fixture
def client(tmp_path):
    from sqlmodel import SQLModel

    from app.db import make_engine

    url = f"sqlite:///{tmp_path / 'i18n.db'}"
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    with client_for(url) as c:
        yield c


def test_danish_is_the_default(client):
    response = client.get("/login")
    assert '<html lang="da">' in response.text
    assert "<h1>Log ind</h1>" in response.text
    assert response.headers["content-language"] == "da"


def test_english_by_query_parameter_is_remembered_in_a_cookie(client):
    response = client.get("/login?lang=en")
    assert '<html lang="en">' in response.text
    assert "<h1>Log in</h1>" in response.text
    assert "godialog_lang=en" in response.headers["set-cookie"]
    again = client.get("/signup")
    assert '<html lang="en">' in again.text and "Create an account" in again.text


def test_english_by_cookie(client):
    client.cookies.set("godialog_lang", "en")
    assert '<html lang="en">' in client.get("/").text


def test_english_by_accept_language(client):
    response = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in response.text
    danish = client.get("/login", headers={"Accept-Language": "sv-SE,da;q=0.8,en;q=0.5"})
    assert '<html lang="da">' in danish.text


def test_query_beats_cookie_beats_browser(client):
    client.cookies.set("godialog_lang", "en")
    response = client.get("/login?lang=da", headers={"Accept-Language": "en"})
    assert '<html lang="da">' in response.text
    assert "godialog_lang=da" in response.headers["set-cookie"]
    client.cookies.clear()
    client.cookies.set("godialog_lang", "en")
    assert '<html lang="en">' in client.get("/login", headers={"Accept-Language": "da"}).text


def test_an_unknown_language_falls_back_to_danish(client):
    response = client.get("/login?lang=xx", headers={"Accept-Language": "fr"})
    assert '<html lang="da">' in response.text
    assert "godialog_lang" not in response.headers.get("set-cookie", "")


def test_the_language_switch_is_on_every_page_and_points_at_the_same_page(client):
    html = client.get("/password/forgot").text
    assert 'href="/password/forgot?lang=en"' in html and 'lang="en"' in html
    assert 'href="/password/forgot?lang=da" lang="da" hreflang="da" aria-current="true"' in html


@pytest.mark.parametrize(("locale", "expected"), [("da", "kl. 17.00"), ("en", "5:00 PM")])
def test_datetimes_are_shown_in_copenhagen_time(locale, expected):
    winter = datetime(2026, 12, 8, 16, 0, tzinfo=UTC)  # 17:00 in Copenhagen (CET)
    assert expected in i18n.format_datetime(winter, locale, "weekday")
    summer = datetime(2026, 6, 8, 15, 0, tzinfo=UTC)  # 17:00 in Copenhagen (CEST)
    assert expected in i18n.format_datetime(summer, locale, "weekday")


def _read(path: Path, **kwargs):
    with path.open("rb") as fp:
        return read_po(fp, **kwargs)


def test_every_message_has_a_danish_translation():
    po = ROOT / "app" / "translations" / "da" / "LC_MESSAGES" / "messages.po"
    catalog = _read(po, locale="da")
    untranslated = [m.id for m in catalog if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []
    assert not catalog.fuzzy


def test_every_default_error_message_is_translated():
    kinds = [c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, errors.DomainError)]
    for kind in kinds:
        assert i18n.gettext("da", kind.default_message) != kind.default_message, kind.__name__
        assert i18n.gettext("en", kind.default_message) == kind.default_message


def test_error_messages_are_translated_with_their_params():
    error = errors.InvalidInput("Use at most %(max)s characters.", max=80)
    assert i18n.error_message("da", error) == "Brug højst 80 tegn."
    assert i18n.error_message("en", error) == "Use at most 80 characters."


def test_the_catalogue_template_is_up_to_date(tmp_path: Path):
    """Extraction still works, and every string in the code is in the catalogues."""
    out = tmp_path / "messages.pot"
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "-q", "extract", "-F", "babel.cfg",
                    "-k", "N_", "-o", str(out), "."], cwd=ROOT, check=True)
    extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in _read(out) if m.id}
    assert len(extracted) > 300, "extraction found (almost) nothing: check babel.cfg's patterns"
    po = ROOT / "app" / "translations" / "da" / "LC_MESSAGES" / "messages.po"
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in _read(po) if m.id}
    assert extracted - known == set(), "run the i18n update (see babel.cfg) and translate the new strings"
    untranslated = [m.id for m in _read(po) if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
    assert untranslated == [], "translate these into Danish"
