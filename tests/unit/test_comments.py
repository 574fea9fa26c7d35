"""Comments: on an agenda item (or an idea, from the live room), edited by their author for a short
while, hidden by a facilitator with a reason everyone sees — never deleted."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models import Idea
from app.services import agenda, comments
from app.services.comments import EDIT_WINDOW, Target
from app.services.meeting_page import meeting_page
from app.services.process_inputs import AgendaItemInput, CommentInput, HideInput, parse
from tests.unit.process_world import build, events


@pytest.fixture
def w(session):
    return build(session)


@pytest.fixture
def item(w):
    return agenda.add_item(w.session, w.actor("mette"), w.meeting.id, inputs=AgendaItemInput(title="Idéer"))


def _comment(w, item, who="ali", body="Flere træer!"):
    return comments.add_comment(w.session, w.actor(who), Target.agenda_item(item.id), inputs=CommentInput(body=body))


def test_a_participant_comments_and_everyone_in_the_rooms_gets_it(w, item):
    comment = _comment(w, item, body="Flere træer!\nOg bænke: https://kk.dk/plan.")
    assert (comment.meeting_id, comment.agenda_item_id, comment.author_id) == (w.meeting.id, item.id, w.ali.id)
    seq, kind, data = events(w.session, f"meeting:{w.meeting.id}")[-1]
    assert (seq, kind) == (2, "comment.created")
    assert data["body"] == "Flere træer!\nOg bænke: https://kk.dk/plan." and data["author_name"] == "Ali"
    assert data["hidden"] is False and data["editable_until"]
    assert events(w.session, f"project:{w.project.id}")[-1][1] == "comment.created"


@pytest.mark.parametrize(("body", "field"), [("", "body"), ("   \n ", "body"), ("x" * 4001, "body")])
def test_an_empty_or_too_long_comment_is_refused(body, field):
    with pytest.raises(InvalidInput) as exc:
        parse(CommentInput, {"body": body})
    assert set(exc.value.fields) == {field}


@pytest.mark.parametrize(("who", "error"), [("follower", Forbidden), ("stranger", NotFound), ("jonas", Forbidden)])
def test_only_the_current_circle_comments(w, item, who, error):
    with pytest.raises(error):
        _comment(w, item, who=who)


def test_the_author_edits_within_the_window_and_not_after(w, item):
    comment = _comment(w, item)
    early = comment.created_at + timedelta(minutes=5)
    comments.edit_comment(w.session, w.actor("ali"), comment.id, inputs=CommentInput(body="Flere træer, tak!"),
                          now=early)
    assert comment.body == "Flere træer, tak!" and comment.edited_at == early
    assert events(w.session, f"meeting:{w.meeting.id}")[-1][1] == "comment.edited"
    late = comment.created_at + EDIT_WINDOW + timedelta(seconds=1)
    with pytest.raises(Conflict):
        comments.edit_comment(w.session, w.actor("ali"), comment.id, inputs=CommentInput(body="Ændret"), now=late)
    assert comment.body == "Flere træer, tak!"


def test_nobody_else_edits_a_comment(w, item):
    comment = _comment(w, item)
    for who in ("birgit", "mette", "admin"):
        with pytest.raises(Forbidden):
            comments.edit_comment(w.session, w.actor(who), comment.id, inputs=CommentInput(body="Mit"),
                                  now=comment.created_at)
    assert comment.body == "Flere træer!"


def test_a_facilitator_hides_with_a_reason_and_the_text_is_no_longer_sent(w, item):
    comment = _comment(w, item, body="Noget grimt")
    with pytest.raises(InvalidInput):
        parse(HideInput, {"reason": ""})
    with pytest.raises(Forbidden):
        comments.hide_comment(w.session, w.actor("birgit"), comment.id, inputs=HideInput(reason="Nej"))
    comments.hide_comment(w.session, w.actor("mette"), comment.id, inputs=HideInput(reason="Personangreb"))
    _, kind, data = events(w.session, f"meeting:{w.meeting.id}")[-1]
    assert kind == "comment.hidden" and data["body"] == "" and data["hidden_reason"] == "Personangreb"
    shown = meeting_page(w.session, w.actor("birgit"), w.meeting.id).agenda[0].comments[0]
    assert shown["hidden"] and shown["body"] == "" and shown["hidden_reason"] == "Personangreb"
    assert comment.body == "Noget grimt"  # kept, not deleted
    with pytest.raises(Conflict):  # the author cannot edit it back into view
        comments.edit_comment(w.session, w.actor("ali"), comment.id, inputs=CommentInput(body="Pænt"),
                              now=comment.created_at)
    comments.show_comment(w.session, w.actor("mette"), comment.id)
    _, kind, data = events(w.session, f"meeting:{w.meeting.id}")[-1]
    assert kind == "comment.shown" and data["body"] == "Noget grimt" and not data["hidden"]


def test_comments_on_an_idea_go_to_the_ideas_meeting(w):
    idea = Idea(project_id=w.project.id, phase_id=w.phase1.id, meeting_id=w.meeting.id, author_id=w.birgit.id,
                title="Højbede")
    w.session.add(idea)
    w.session.flush()
    comment = comments.add_comment(w.session, w.actor("ali"), Target.idea(idea.id), inputs=CommentInput(body="Ja!"))
    assert (comment.idea_id, comment.meeting_id, comment.agenda_item_id) == (idea.id, w.meeting.id, None)
    assert events(w.session, f"meeting:{w.meeting.id}")[-1][2]["idea_id"] == idea.id
    assert [c["body"] for c in comments.comments_on(w.session, idea_ids=[idea.id])] == ["Ja!"]


def test_a_hidden_idea_takes_no_comments(w):
    idea = Idea(project_id=w.project.id, phase_id=w.phase1.id, title="Skjult", hidden_at=w.meeting.starts_at)
    w.session.add(idea)
    w.session.flush()
    with pytest.raises(Conflict):
        comments.add_comment(w.session, w.actor("ali"), Target.idea(idea.id), inputs=CommentInput(body="?"))
