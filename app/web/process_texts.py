"""The sentences the process pages' scripts show or announce (translated on the server, handed to
the page in its JSON state: the scripts carry no text of their own)."""

from __future__ import annotations

from functools import cache

from app import i18n
from app.i18n import N_

TEXTS = {
    "live": N_("Live"),
    "connecting": N_("Connecting…"),
    "offline": N_("No connection — trying again…"),
    "stopped": N_("Live updates stopped. Reload the page to see the newest."),
    "reloading": N_("The page is out of date and will reload."),
    "error": N_("That did not work. Check your connection and try again."),
    "saved": N_("Saved."),
    "newComment": N_("%(name)s commented on “%(item)s”."),
    "newItem": N_("New on the agenda: “%(item)s”."),
    "updatedItem": N_("“%(item)s” was changed."),
    "proposed": N_("%(name)s proposed an item: “%(item)s”."),
    "accepted": N_("The proposal “%(item)s” is now on the agenda."),
    "declined": N_("The proposal “%(item)s” was answered."),
    "removed": N_("“%(item)s” was taken off the agenda."),
    "concluded": N_("Minutes recorded for “%(item)s”."),
    "carried": N_("“%(item)s” was carried over to a later meeting."),
    "moved": N_("“%(item)s” is now number %(position)s of %(count)s."),
    "reordered": N_("The order of the agenda changed."),
    "hidden": N_("A comment was hidden by the facilitator."),
    "material": N_("New material: “%(title)s”."),
    "materialRemoved": N_("A material was removed."),
    "minutes": N_("%(minutes)s min planned"),
    "link": N_("Link"),
    "image": N_("Image"),
    "pdf": N_("PDF"),
    "document": N_("Document"),
    "newInputs": N_("There is something new. Reload to see it."),
    "itemOption": N_("Item: %(title)s"),
    "decided": N_("A decision was recorded in the minutes."),
    "agreement": N_("A new agreement is in the minutes."),
    "liveStarted": N_("The live session has started."),
    "liveEnded": N_("The live session has ended."),
    "moveFailed": N_("The agenda changed while you were moving items. Reload the page and try again."),
}


PLURALS = {"items": (N_("%(num)d item"), N_("%(num)d items"))}


@cache
def live_texts(locale: str) -> dict[str, str]:
    """Every text in ``locale``; a plural as ``<key>1`` (one) and ``<key>N`` (more, or none)."""
    texts = {key: i18n.gettext(locale, msgid) for key, msgid in TEXTS.items()}
    catalogue = i18n.translations(locale)
    for key, (one, more) in PLURALS.items():
        texts[key + "1"] = catalogue.ngettext(one, more, 1)
        texts[key + "N"] = catalogue.ngettext(one, more, 2)
    return texts
