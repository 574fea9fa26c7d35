"""Page: the project's timeline — every input of every phase, filterable (``app.services.timeline``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.errors import InvalidInput, NotFound
from app.i18n import N_
from app.services.process_inputs import TimelineFilter, parse
from app.services.text import render as plain
from app.services.timeline import KINDS, Entry, timeline
from app.web.forms import read, see_other
from app.web.meetings import iso
from app.web.process_forms import path_int
from app.web.process_texts import live_texts
from app.web.session import current_actor
from app.web.templating import gettext, locale_of, render

WATCH = ["agenda_item.created", "agenda_item.proposed", "agenda_item.accepted", "agenda_item.declined",
         "agenda_item.concluded", "comment.created", "comment.hidden", "material.added", "idea.created",
         "idea.decided", "agreement.created", "vote.closed"]


KIND_NAMES = {"agenda": N_("Agenda items"), "proposal": N_("Proposals"), "comment": N_("Comments"),
              "material": N_("Materials"), "idea": N_("Ideas"), "decision": N_("Decisions and minutes"),
              "vote": N_("Votes"), "agreement": N_("Agreements")}
WHAT = {"item": N_("On the agenda"), "carried": N_("Carried over to the agenda"), "proposal": N_("Proposal"),
        "minutes": N_("Minutes"), "comment": N_("Comment"), "file": N_("File"), "link": N_("Link"),
        "idea": N_("Idea"), "merged": N_("Idea, merged with a similar one"), "agreement": N_("Agreement"),
        "update": N_("Progress on an agreement"), "vote": N_("Vote")}
BY_STATUS = {("answer", "accepted"): N_("Proposal put on the agenda"), ("answer", "declined"): N_("Proposal answered"),
             ("decision", "go-on"): N_("Decision: goes on"), ("decision", "parked"): N_("Decision: parked"),
             ("decision", "rejected"): N_("Decision: not taken further"),
             ("evaluation", "satisfied"): N_("Evaluation: solved satisfactorily"),
             ("evaluation", "needs-more-work"): N_("Evaluation: needs more work"),
             ("vote", "closed"): N_("Vote closed")}
OTHER = {"answer": N_("Proposal answered"), "decision": N_("Decision"), "evaluation": N_("Evaluation")}


def what_label(request: Request, entry: Entry) -> str:
    if entry.what == "idea" and entry.hidden:
        return gettext(request, N_("Idea hidden by the facilitator"))
    msgid = BY_STATUS.get((entry.what, entry.status)) or WHAT.get(entry.what) or OTHER.get(entry.what, entry.what)
    return gettext(request, msgid)


def _filters(request: Request) -> TimelineFilter:
    query = {k: v for k, v in request.query_params.items() if k in TimelineFilter.model_fields}
    try:
        return parse(TimelineFilter, query)
    except InvalidInput:
        return TimelineFilter()


async def index(request: Request) -> Response:
    actor = await current_actor(request)
    project_id = path_int(request, "project_id")
    try:
        view = await read(request, timeline, actor, project_id, filters=_filters(request))
    except NotFound:
        if actor.is_anonymous:
            return see_other(f"/login?next=/projects/{project_id}/timeline")
        raise
    state = {"room": view.room, "seq": view.seq, "me": actor.user_id, "locale": locale_of(request),
             "text": live_texts(locale_of(request)), "watch": WATCH}
    context = {
        "view": view, "plain": plain, "iso": iso, "state": state,
        "what_label": lambda entry: what_label(request, entry),
        "phase_options": [(p.id, p.title) for p in view.phases],
        "meeting_options": [(m.id, m.title) for m in view.meetings],
        "meeting_titles": {m.id: m.title for m in view.meetings},
        "kind_options": [(k, gettext(request, KIND_NAMES[k])) for k in KINDS],
    }
    return render(request, "timeline/index.html", context)
