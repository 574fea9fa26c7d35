"""Babel: the UI's languages, locale negotiation, gettext for templates and for errors, dates.

English msgids in the code and templates; Danish (the default) and English catalogues under
``app/translations``. Compiled ``.mo`` files are built by ``make i18n``; when one is missing or
older than its ``.po`` the catalogue is compiled in memory, so a fresh checkout still speaks Danish.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, negotiate_locale
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from app.errors import DomainError

LOCALES = ("da", "en")
LANGUAGE_NAMES = {"da": "Dansk", "en": "English"}
LANG_COOKIE = "godialog_lang"
TIMEZONE = ZoneInfo("Europe/Copenhagen")
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
DOMAIN = "messages"


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now (translated at render time)."""
    return message


@cache
def translations(locale: str) -> NullTranslations:
    """The catalogue for ``locale`` (loaded once per process)."""
    folder = TRANSLATIONS_DIR / locale / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fp:
            return Translations(fp, domain=DOMAIN)
    if po.exists():
        with po.open("rb") as fp:
            catalog = read_po(fp, locale=locale, domain=DOMAIN)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return Translations(buffer, domain=DOMAIN)
    return NullTranslations()


def normalise(value: str | None) -> str | None:
    """``'en-GB'`` -> ``'en'``; None when not one of our languages."""
    if not value:
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LOCALES else None


def from_accept_language(header: str | None) -> str | None:
    """The best of our languages for an ``Accept-Language`` header, by its q-values."""
    if not header:
        return None
    preferred: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            preferred.append((-quality, index, tag.strip()))
    tags = [tag for _, _, tag in sorted(preferred)]
    found = negotiate_locale(tags, list(LOCALES), sep="-")
    return normalise(found) if found else normalise(next((t for t in tags if normalise(t)), None))


def negotiate(*, query: str | None, cookie: str | None, accept_language: str | None,
              default: str) -> str:
    """``?lang=`` first, then the remembered choice (cookie), then the browser, then the default."""
    return (normalise(query) or normalise(cookie) or from_accept_language(accept_language)
            or normalise(default) or LOCALES[0])


def gettext(locale: str, message: str, **params: object) -> str:
    text = translations(locale).gettext(message)
    return text % params if params else text


def ngettext(locale: str, singular: str, plural: str, n: int, **params: object) -> str:
    text = translations(locale).ngettext(singular, plural, n)
    return text % {"num": n, **params}


def translate_message(locale: str, message: str, params: Mapping[str, object] | None = None) -> str:
    """Translate an English source message, then fill in ``%(name)s`` params (if any)."""
    text = translations(locale).gettext(message)
    if params:
        try:
            return text % dict(params)
        except (KeyError, TypeError, ValueError):
            return text
    return text


def error_message(locale: str, error: DomainError) -> str:
    return translate_message(locale, error.message, error.params)


def field_messages(locale: str, error: DomainError) -> dict[str, str]:
    """An InvalidInput's field errors in ``locale`` (each may carry its own params)."""
    return {name: translate_message(locale, msg, getattr(msg, "params", None))
            for name, msg in error.fields.items()}


def format_datetime(value: datetime | None, locale: str, fmt: str = "medium") -> str:
    """A UTC datetime as Copenhagen wall-clock time in the locale's format."""
    if value is None:
        return ""
    return _format_datetime(value, format=_fmt(fmt, locale), tzinfo=TIMEZONE, locale=locale)


def format_date(value: date | datetime | None, locale: str, fmt: str = "long") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(TIMEZONE).date()
    return _format_date(value, format=fmt, locale=locale)


def _fmt(fmt: str, locale: str) -> str:
    if fmt == "weekday":  # "tirsdag 9. december 2025 kl. 17.00" / "Tuesday, December 9, 2025, 5:00 PM"
        return "EEEE d. MMMM y 'kl.' HH.mm" if locale == "da" else "EEEE, MMMM d, y, h:mm a"
    return fmt


def locale_name(locale: str) -> str:
    return LANGUAGE_NAMES.get(locale) or Locale.parse(locale).get_display_name(locale) or locale


# Default messages of app/errors.py, marked here so extraction puts them in the catalogues.
ERROR_MESSAGES = (
    N_("Something went wrong."),
    N_("We could not find that page. It may have been removed, or you may not have access."),
    N_("You do not have permission to do that."),
    N_("Please log in to continue."),
    N_("Please correct the marked fields."),
    N_("That has already been done or changed by someone else."),
    N_("Too many requests. Please wait a moment and try again."),
)
