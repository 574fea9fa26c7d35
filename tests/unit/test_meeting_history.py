"""The minutes that write themselves (``app.services.meeting_history``) and what the timeline shows of
the live room, on SQLite and PostgreSQL: item by item, ideas with their decision and agreements,
merged duplicates under their target, hidden ideas marked (text for facilitators only), votes with a
result only when it was shown, anonymous ideas without an author — and the meeting's page showing it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.models import Idea
from app.services import ideas, ideas_live, live, votes
from app.services.agreements import AgreementInput
from app.services.comments import Target, add_comment
from app.services.meeting_history import MeetingHistory, meeting_history
from app.services.meeting_page import meeting_page
from app.services.process_inputs import CommentInput, TimelineFilter
from app.services.timeline import find, timeline
from app.services.votes import VoteInput
from tests.factories import join_phase, make_agenda_item, make_meeting, make_org, make_phase, make_project, make_user
from tests.unit.live_world import LiveWorld, build
from tests.unit.webapp import client_for, log_in, seed, staff_user


@pytest.fixture
def w(session) -> LiveWorld:
    """A live workshop as it went: on "Idéer til gården" three ideas (one a duplicate, merged; one
    rude, hidden; one sent in anonymous mode), the winner goes on with an agreement after a revealed
    dot vote; on "Afstemning" a yes/no vote whose results were never shown; an idea with no item."""
    world = build(session)
    mette, ali, bo = world.mette, world.actor(world.ali), world.actor(world.bo)
    meeting_id = world.meeting.id
    loose = ideas.submit_idea(session, ali, meeting_id, title="Cykelskur")  # before the session: no item
    live.start_session(session, mette, meeting_id)
    live.set_focus(session, mette, meeting_id, item_id=world.items[1].id)
    benches = ideas.submit_idea(session, ali, meeting_id, title="Bænke ved søen", body="Tre bænke")
    again = ideas.submit_idea(session, bo, meeting_id, title="Flere bænke")
    rude = ideas.submit_idea(session, bo, meeting_id, title="Dumt forslag", body="Noget grimt")
    live.set_anonymous(session, mette, meeting_id, anonymous=True)
    secret = ideas.submit_idea(session, bo, meeting_id, title="Frugttræer")
    live.set_anonymous(session, mette, meeting_id, anonymous=False)
    ideas_live.merge_idea(session, mette, again.id, into_id=benches.id)
    ideas_live.hide_idea(session, mette, rude.id, reason="Ikke i orden")
    add_comment(session, bo, Target.idea(benches.id), inputs=CommentInput(body="God idé"))
    dots = votes.open_vote(session, mette, meeting_id, inputs=VoteInput(
        kind="dots", question="Hvad går vi videre med?", dots_per_person=3, idea_ids=[benches.id, secret.id]))
    options = {o.idea_id: o.id for o in votes.options_of(session, dots.id)}
    votes.cast_ballot(session, ali, dots.id, dots={str(options[benches.id]): 3})
    votes.cast_ballot(session, bo, dots.id, dots={str(options[benches.id]): 1, str(options[secret.id]): 2})
    votes.reveal_vote(session, mette, dots.id)
    votes.close_vote(session, mette, dots.id)
    deadline = date.today() + timedelta(days=30)
    ideas_live.decide_idea(session, mette, benches.id, decision="go-on", note="Flest prikker", agreements=[
        AgreementInput(title="Sæt tre bænke op", owner_id=world.ali.id, deadline=deadline)])
    live.set_focus(session, mette, meeting_id, item_id=world.items[2].id)
    yes_no = votes.open_vote(session, mette, meeting_id, inputs=VoteInput(kind="yes-no", question="Mere kaffe?"))
    votes.cast_ballot(session, ali, yes_no.id, choice="yes")
    live.end_session(session, mette, meeting_id)
    world.ids = {"loose": loose.id, "benches": benches.id, "again": again.id, "rude": rude.id,  # type: ignore[attr-defined]
                 "secret": secret.id, "dots": dots.id, "yes_no": yes_no.id, "deadline": deadline}
    return world


def _history(w: LiveWorld, who) -> MeetingHistory:
    return meeting_page(w.session, w.actor(who), w.meeting.id).history


def _item(history: MeetingHistory, title: str):
    return next(i for i in history.items if i.item["title"] == title)


def test_item_by_item_the_idea_decided_go_on_with_its_agreement(w):
    history = _history(w, w.follower)
    assert [i.item["title"] for i in history.items] == ["Velkomst", "Idéer til gården", "Afstemning"]
    assert _item(history, "Velkomst").empty
    garden = _item(history, "Idéer til gården")
    benches = next(e for e in garden.ideas if e.idea["id"] == w.ids["benches"])
    assert benches.idea["status"] == "go-on" and benches.idea["decision_note"] == "Flest prikker"
    assert benches.idea["author_name"] == "Ali" and benches.idea["body"] == "Tre bænke"
    assert [(a["title"], a["owner_name"], a["deadline"], a["status"]) for a in benches.agreements] == [
        ("Sæt tre bænke op", "Ali", w.ids["deadline"], "open")]
    assert [c["body"] for c in benches.comments] == ["God idé"]
    assert [e.idea["id"] for e in garden.decided] == [w.ids["benches"]]
    assert history.counts == {"ideas": 4, "votes": 2, "agreements": 1}


def test_a_merged_duplicate_is_shown_under_its_target(w):
    garden = _item(_history(w, w.follower), "Idéer til gården")
    assert w.ids["again"] not in [e.idea["id"] for e in garden.ideas]
    benches = next(e for e in garden.ideas if e.idea["id"] == w.ids["benches"])
    assert [(d["title"], d["author_name"]) for d in benches.duplicates] == [("Flere bænke", "Bo")]


def test_a_participant_sees_a_hidden_idea_marked_without_its_text(w):
    for who in (w.ali, w.follower):
        rude = next(e for e in _item(_history(w, who), "Idéer til gården").ideas if e.idea["id"] == w.ids["rude"])
        assert rude.idea["hidden"] and rude.idea["hidden_reason"] == "Ikke i orden"
        assert (rude.idea["title"], rude.idea["body"], rude.idea["author_name"]) == ("", "", "")


def test_a_facilitator_sees_the_hidden_idea_with_its_text(w):
    history = _history(w, w.facilitator)
    assert history.manager
    rude = next(e for e in _item(history, "Idéer til gården").ideas if e.idea["id"] == w.ids["rude"])
    assert rude.idea["hidden"] and (rude.idea["title"], rude.idea["body"]) == ("Dumt forslag", "Noget grimt")


def test_a_revealed_dot_vote_shows_its_counts_and_a_hidden_one_does_not(w):
    history = _history(w, w.ali)
    (dots,) = _item(history, "Idéer til gården").votes
    assert dots.shown and dots.vote["status"] == "closed" and dots.vote["voters"] == 2
    assert [(r["label"], r["count"]) for r in dots.rows] == [("Bænke ved søen", 4), ("Frugttræer", 2)]
    assert dots.top == 4
    for who in (w.ali, w.facilitator):  # hidden results stay hidden in the minutes, for facilitators too
        (yes_no,) = _item(_history(w, who), "Afstemning").votes
        assert not yes_no.shown and yes_no.rows == [] and yes_no.vote["tally"] is None
        assert yes_no.vote["question"] == "Mere kaffe?" and yes_no.vote["voters"] == 1


def test_an_anonymous_idea_has_no_author_and_unlinked_ideas_are_not_tied_to_an_item(w):
    for who in (w.follower, w.facilitator):
        history = _history(w, who)
        secret = next(e for e in _item(history, "Idéer til gården").ideas if e.idea["id"] == w.ids["secret"])
        assert secret.idea["title"] == "Frugttræer"
        assert secret.idea["author_id"] is None and secret.idea["author_name"] == ""
        assert [e.idea["title"] for e in history.loose.ideas] == ["Cykelskur"] and history.loose.item is None


def test_a_meeting_without_a_live_session_has_no_minutes_to_show(session):
    world = build(session)
    history = meeting_history(session, world.meeting, manager=False)
    assert not history.any and all(i.empty for i in history.items) and history.loose.empty


# --- the timeline --------------------------------------------------------------------------------


def test_the_timeline_has_ideas_decisions_votes_and_agreements(w):
    view = timeline(w.session, w.actor(w.follower), w.project.id, filters=TimelineFilter())
    assert [(e.what, e.title) for e in find(view, kind="idea", person_id=w.ali.id)] == [
        ("idea", "Cykelskur"), ("idea", "Bænke ved søen")]
    (merged,) = find(view, what="merged")
    assert merged.title == "Flere bænke" and merged.extra["into"] == "Bænke ved søen"
    (decision,) = find(view, kind="decision", what="decision")
    assert (decision.title, decision.body, decision.status, decision.person) == (
        "Bænke ved søen", "Flest prikker", "go-on", "Mette")
    dots, yes_no = find(view, kind="vote")
    assert dots.title == "Hvad går vi videre med?" and dots.status == "closed"
    assert [(r["label"], r["count"]) for r in dots.extra["rows"]] == [("Bænke ved søen", 4), ("Frugttræer", 2)]
    assert yes_no.title == "Mere kaffe?" and yes_no.extra["rows"] is None and yes_no.extra["voters"] == 1
    (agreement,) = find(view, kind="agreement", what="agreement")
    assert (agreement.title, agreement.extra["owner"], agreement.extra["deadline"]) == (
        "Sæt tre bænke op", "Ali", w.ids["deadline"])
    assert agreement.meeting_id == w.meeting.id and agreement.phase_id == w.phase.id


def test_the_timeline_hides_hidden_ideas_and_anonymous_authors(w):
    view = timeline(w.session, w.actor(w.facilitator), w.project.id, filters=TimelineFilter())
    (rude,) = find(view, kind="idea", hidden=True)
    assert (rude.title, rude.body, rude.person_id, rude.person, rude.withheld, rude.status) == (
        "", "", None, "", True, "Ikke i orden")
    (secret,) = [e for e in find(view, kind="idea") if e.title == "Frugttræer"]
    assert secret.person_id is None and secret.person == ""
    titles = {e.title for g in view.groups for e in g.entries}
    assert "Dumt forslag" not in titles
    bo = timeline(w.session, w.actor(w.follower), w.project.id, filters=TimelineFilter(person_id=w.bo.id))
    assert [(e.kind, e.title) for g in bo.groups for e in g.entries] == [
        ("idea", "Flere bænke"), ("comment", "Bænke ved søen")]  # neither the hidden nor the anonymous idea


def test_the_timeline_filters_the_new_kinds_by_kind_meeting_and_phase(w):
    other = make_meeting(w.session, w.phase, "Et andet møde")
    def kinds(**f):
        view = timeline(w.session, w.actor(w.follower), w.project.id, filters=TimelineFilter(**f))
        return [e.kind for g in view.groups for e in g.entries]
    assert kinds(kind="vote") == ["vote", "vote"]
    assert set(kinds(meeting_id=w.meeting.id)) >= {"idea", "decision", "vote", "agreement", "comment"}
    assert kinds(meeting_id=other.id) == []
    assert "vote" in kinds(phase_id=w.phase.id)


# --- the meeting's page --------------------------------------------------------------------------


def _page_world(session):
    mette = staff_user(session)
    org = make_org(session, admin=mette)
    project = make_project(session, org)
    phase = make_phase(session, project, "Idéfase")
    join_phase(session, phase, mette, "facilitator")
    ali = make_user(session, "Ali", guest=True)
    bo = make_user(session, "Bo", guest=True)
    join_phase(session, phase, ali)
    join_phase(session, phase, bo)
    meeting = make_meeting(session, phase, "Workshop: grønne gårde")
    item = make_agenda_item(session, meeting, "Idéer til gården", minutes=30)
    from app.services.actor import load_actor
    m, a, b = (load_actor(session, u.id) for u in (mette, ali, bo))
    live.start_session(session, m, meeting.id)
    live.set_focus(session, m, meeting.id, item_id=item.id)
    benches = ideas.submit_idea(session, a, meeting.id, title="Bænke ved søen")
    rude = ideas.submit_idea(session, b, meeting.id, title="Dumt forslag")
    ideas_live.hide_idea(session, m, rude.id, reason="Ikke i orden")
    ideas_live.decide_idea(session, m, benches.id, decision="go-on", note="Flest prikker", agreements=[
        AgreementInput(title="Sæt tre bænke op", owner_id=ali.id, deadline=date.today() + timedelta(days=9))])
    return {"meeting": meeting.id, "ali": ali.id, "project": project.id}


def test_the_meeting_page_shows_the_minutes_and_the_live_links(database_url):
    world = seed(database_url, _page_world)
    with client_for(database_url) as client:
        log_in(client)  # Mette, the facilitator
        html = client.get(f"/meetings/{world['meeting']}").text
        assert "Referat: hvad blev der sagt, stemt om og besluttet" in html
        assert f'href="/meetings/{world["meeting"]}/live/console"' in html and "Åbn tovholderens konsol" in html
        assert f'href="/meetings/{world["meeting"]}/live"' in html and "Deltag i live-sessionen" in html
        minutes = html[html.index('id="minutes"'):]
        assert minutes.index("Idéer til gården") < minutes.index("Bænke ved søen") < minutes.index("Sæt tre bænke op")
        assert "Flest prikker" in minutes and "Arbejdes der videre med" in minutes
        assert "Dumt forslag" in minutes  # the facilitator sees the hidden idea's text, marked
        fragment = client.get(f"/meetings/{world['meeting']}/minutes")
        assert fragment.status_code == 200 and 'id="minutes"' in fragment.text and "<html" not in fragment.text
    with client_for(database_url) as client:
        from tests.unit.test_web_live import _as
        _as(client, world["ali"])
        html = client.get(f"/meetings/{world['meeting']}").text
        minutes = html[html.index('id="minutes"'):]
        assert "Dumt forslag" not in html and "En skjult idé" in minutes and "Ikke i orden" in minutes
        assert "/live/console" not in html and "Deltag i live-sessionen" in html
        overview = client.get(f"/projects/{world['project']}").text
        assert f'href="/projects/{world["project"]}/agreements"' in overview


def test_the_demo_meeting_has_minutes(session):
    from sqlmodel import select

    from app.models import Meeting
    from app.services.demo import load_demo
    load_demo(session)
    past = session.exec(select(Meeting).where(Meeting.title.startswith("Dialogmøde"))).one()  # type: ignore[attr-defined]
    history = meeting_history(session, past, manager=False)
    chosen = _item(history, "Hvad går vi videre med?")
    (vote,) = chosen.votes
    assert vote.shown and vote.rows[0]["label"] == "Bænke ved søen" and vote.rows[0]["count"] == 6
    benches = next(e for e in chosen.ideas if e.idea["title"] == "Bænke ved søen")
    assert benches.agreements and [d["title"] for d in benches.duplicates] == ["Flere bænke ved Sortedams Sø"]
    assert len(_item(history, "Hvad mangler Nørrebro?").ideas) == 2
    assert session.get(Idea, benches.idea["id"]).agenda_item_id == chosen.item["id"]
