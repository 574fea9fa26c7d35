"""Votes on SQLite and PostgreSQL: the four kinds, one ballot per person (replaced until locked),
hidden or live results, the tally and its version, moderated open answers."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models import Ballot, Vote, VoteOption
from app.services import live, votes
from tests.conftest import count
from tests.unit.live_world import LiveWorld, build, clear_events, event_types, events


@pytest.fixture
def world(session) -> LiveWorld:
    w = build(session)
    live.start_session(session, w.mette, w.meeting.id)
    live.set_focus(session, w.mette, w.meeting.id, item_id=w.items[2].id)
    clear_events(session)
    return w


def _open(world: LiveWorld, kind: str = "dots", **fields) -> Vote:
    fields.setdefault("question", "Hvad skal vi arbejde videre med?")
    return votes.open_vote(world.session, world.mette, world.meeting.id, inputs=votes.VoteInput(kind=kind, **fields))


def _dot_vote(world: LiveWorld, dots: int = 3) -> tuple[Vote, list[int]]:
    ideas = [world.idea(t) for t in ("Bænke ved søen", "Frugttræer", "Regnbede")]
    vote = _open(world, idea_ids=[i.id for i in ideas], dots_per_person=dots)
    option_ids = [o.id for o in votes.options_of(world.session, vote.id)]
    return vote, option_ids


def test_a_dot_vote_on_ideas_of_the_wall_opens_on_the_item_in_focus(session, world):
    vote, _ = _dot_vote(world)
    assert vote.agenda_item_id == world.items[2].id and vote.status == "open" and not vote.results_live
    assert [o.label for o in votes.options_of(session, vote.id)] == ["Bænke ved søen", "Frugttræer", "Regnbede"]
    frame = events(session)[-1]
    assert frame["type"] == "vote.opened" and frame["data"]["tally"] is None and frame["data"]["voters"] == 0
    assert [o["label"] for o in frame["data"]["options"]] == ["Bænke ved søen", "Frugttræer", "Regnbede"]


def test_a_dot_vote_needs_two_visible_ideas_of_this_meeting(session, world):
    one = world.idea("Alene")
    hidden = world.idea("Skjult", hidden_reason="spam")
    hidden.hidden_at = one.created_at
    with pytest.raises(InvalidInput) as caught:
        _open(world, idea_ids=[one.id])
    assert "idea_ids" in caught.value.fields
    with pytest.raises(InvalidInput):
        _open(world, idea_ids=[one.id, hidden.id])
    with pytest.raises(InvalidInput) as caught:
        _open(world, idea_ids=[one.id], labels=["Noget andet"], dots_per_person=0)
    assert "dots_per_person" in caught.value.fields
    assert count(session, Vote) == 0


def test_only_facilitators_open_votes(session, world):
    with pytest.raises(Forbidden):
        votes.open_vote(session, world.actor(world.ali), world.meeting.id,
                        inputs=votes.VoteInput(kind="yes-no", question="Ja?"))


def test_dots_are_cast_replaced_and_counted(session, world):
    vote, (bench, fruit, rain) = _dot_vote(world)
    ali, bo = world.actor(world.ali), world.actor(world.bo)
    votes.cast_ballot(session, ali, vote.id, dots={str(bench): 2, str(fruit): 1})
    votes.cast_ballot(session, bo, vote.id, dots={str(bench): 3})
    votes.cast_ballot(session, ali, vote.id, dots={str(fruit): 3})  # Ali changes his mind
    assert count(session, Ballot) == 2
    tally = votes.tally_of(session, vote.id, view="results")
    assert tally["counts"] == {str(bench): 3, str(fruit): 3, str(rain): 0} and tally["voters"] == 2
    assert tally["version"] == 3


def test_a_ballot_is_private_the_voter_gets_it_back_and_the_room_gets_no_event(session, world):
    vote, (bench, *_) = _dot_vote(world)
    clear_events(session)
    votes.cast_ballot(session, world.actor(world.ali), vote.id, dots={str(bench): 1})
    frames = events(session)
    assert [(f["type"], "seq" in f) for f in frames] == [("ballot.recorded", False)]
    assert frames[0]["data"] == {"vote_id": vote.id, "choices": {"dots": {str(bench): 1}}}


@pytest.mark.parametrize(("dots", "field"), [
    ({}, "dots"), ({"bench": 4}, "dots"), ({"999": 1}, "dots"), ({"bench": -1}, "dots"),
])
def test_wrong_dots_are_refused_and_change_nothing(session, world, dots, field):
    vote, (bench, *_) = _dot_vote(world)
    dots = {(str(bench) if k == "bench" else k): v for k, v in dots.items()}
    with pytest.raises(InvalidInput) as caught:
        votes.cast_ballot(session, world.actor(world.ali), vote.id, dots=dots)
    assert field in caught.value.fields
    assert count(session, Ballot) == 0


def test_a_locked_vote_takes_no_ballots_until_reopened(session, world):
    vote, (bench, *_) = _dot_vote(world)
    votes.cast_ballot(session, world.actor(world.ali), vote.id, dots={str(bench): 1})
    votes.lock_vote(session, world.mette, vote.id)
    with pytest.raises(votes.VoteNotOpen):
        votes.cast_ballot(session, world.actor(world.ali), vote.id, dots={str(bench): 3})
    assert session.exec(select(Ballot)).one().choices == {"dots": {str(bench): 1}}
    votes.reopen_vote(session, world.mette, vote.id)
    votes.cast_ballot(session, world.actor(world.ali), vote.id, dots={str(bench): 3})
    votes.close_vote(session, world.mette, vote.id)
    with pytest.raises(votes.VoteNotOpen) as caught:
        votes.cast_ballot(session, world.actor(world.ali), vote.id, dots={str(bench): 2})
    assert "closed" in caught.value.message
    with pytest.raises(Conflict):
        votes.lock_vote(session, world.mette, vote.id)


def test_followers_and_strangers_cannot_vote(session, world):
    vote = _open(world, "yes-no", question="Skal vi?")
    with pytest.raises(Forbidden):
        votes.cast_ballot(session, world.actor(world.follower), vote.id, choice="yes")
    with pytest.raises(NotFound):
        votes.cast_ballot(session, world.actor(world.stranger), vote.id, choice="yes")


def test_a_ballot_is_for_a_vote_of_the_room_it_is_sent_in(session, world):
    vote = _open(world, "yes-no", question="Skal vi?")
    with pytest.raises(NotFound):
        votes.cast_ballot(session, world.actor(world.ali), vote.id, choice="yes", meeting_id=world.meeting.id + 1)


def test_hidden_results_show_only_how_many_voted_until_revealed(session, world):
    vote = _open(world, "yes-no", question="Skal vi?")
    votes.cast_ballot(session, world.actor(world.ali), vote.id, choice="yes")
    votes.cast_ballot(session, world.actor(world.bo), vote.id, choice="abstain")
    public = votes.tally_of(session, vote.id)
    assert (public["voters"], public["counts"]) == (2, {})
    assert votes.tally_of(session, vote.id, view="preview")["counts"] == {"yes": 1, "abstain": 1}
    clear_events(session)
    votes.reveal_vote(session, world.mette, vote.id)
    frame = events(session)[0]
    assert frame["type"] == "vote.revealed" and frame["data"]["tally"]["counts"] == {"yes": 1, "abstain": 1}


def test_live_results_are_public_while_voting(session, world):
    vote = _open(world, "scale", question="Hvor tilfreds er du?", results_live=True)
    for user, score in ((world.ali, 4), (world.bo, 5)):
        votes.cast_ballot(session, world.actor(user), vote.id, score=score)
    tally = votes.tally_of(session, vote.id)
    assert tally["counts"] == {"4": 1, "5": 1} and tally["mean"] == 4.5
    with pytest.raises(InvalidInput):
        votes.cast_ballot(session, world.actor(world.ali), vote.id, score=6)
    with pytest.raises(InvalidInput):
        votes.cast_ballot(session, world.actor(world.ali), vote.id, choice="maybe")


def test_open_answers_make_a_word_cloud_that_is_moderated(session, world):
    vote = _open(world, "open", question="Ét ord om gården?", results_live=True)
    votes.cast_ballot(session, world.actor(world.ali), vote.id, answers=["Grøn", "  hyggelig "])
    votes.cast_ballot(session, world.actor(world.bo), vote.id, answers=["grøn", "Lorteidé"])
    options = {o.label: o for o in votes.options_of(session, vote.id)}
    assert set(options) == {"Grøn", "hyggelig", "Lorteidé"}  # the same answer is one option
    tally = votes.tally_of(session, vote.id)
    assert tally["counts"][str(options["Grøn"].id)] == 2
    clear_events(session)
    votes.hide_answer(session, world.mette, options["Lorteidé"].id, reason="Sprogbrug")
    frame = events(session)[0]
    assert frame["type"] == "vote.answer_hidden"
    assert frame["data"]["options"] == []  # the answers travel in the tally, without the hidden one
    assert str(options["Lorteidé"].id) not in frame["data"]["tally"]["counts"]
    assert str(options["Lorteidé"].id) not in frame["data"]["tally"]["labels"]
    preview = votes.tally_of(session, vote.id, view="preview")
    assert preview["hidden"] == [str(options["Lorteidé"].id)]
    votes.restore_answer(session, world.mette, options["Lorteidé"].id)
    assert str(options["Lorteidé"].id) in votes.tally_of(session, vote.id)["labels"]


def test_open_answers_are_short(session, world):
    vote = _open(world, "open", question="Ét ord?")
    for answers in ([], ["   "], ["a", "b", "c", "d"], ["x" * 41]):
        with pytest.raises(InvalidInput):
            votes.cast_ballot(session, world.actor(world.ali), vote.id, answers=answers)
    assert count(session, VoteOption) == 0


def test_votes_need_the_live_session(session, world):
    live.end_session(session, world.mette, world.meeting.id)
    with pytest.raises(live.NotLive):
        _open(world, "yes-no", question="Skal vi?")


def test_closing_goes_to_the_meeting_and_the_project(session, world):
    vote = _open(world, "yes-no", question="Skal vi?")
    clear_events(session)
    votes.close_vote(session, world.mette, vote.id)
    assert event_types(session) == ["vote.closed", "vote.closed"]
    assert [f["room"] for f in events(session)] == [f"meeting:{world.meeting.id}", f"project:{world.project.id}"]
    assert votes.close_vote(session, world.mette, vote.id).status == "closed"  # closing twice is harmless
