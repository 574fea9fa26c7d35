"""Votes in the live room: dot voting, yes/no/abstain, a 1-5 scale, and an open question whose short
answers make a word cloud. One ballot per person per vote (a unique key), replaced until the vote is
locked. Results are live, or hidden until the facilitator reveals them.

Every ballot bumps ``vote.tally_version`` under the vote's row lock, so ballots of one vote queue
and a tally read in one statement with the version it reflects can be ordered by it: the coalesced
``vote.tallied`` updates (``app.realtime.tallies_live``) may arrive out of order from several app
processes and the clients keep the highest version. A ballot itself is private: the room gets no
event with the voter's choices, only the new tally.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import StringConstraints
from sqlmodel import Session, col, select

from app.db import pending_events
from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import N_
from app.models import Ballot, Idea, Meeting, Vote, VoteKind, VoteOption, VoteStatus
from app.realtime import log
from app.realtime.events_live import (
    BallotRecorded,
    VoteAnswerHidden,
    VoteAnswerRestored,
    VoteClosed,
    VoteLocked,
    VoteOpened,
    VotePublic,
    VoteReopened,
    VoteRevealed,
)
from app.services.access import access_meeting, access_vote
from app.services.actor import Actor
from app.services.agreements import emit_to_rooms
from app.services.inputs import FieldMessage, Input, Text
from app.services.live import NotLive, running_session
from app.services.policy import Action, require

QUESTION_MAX = 300
LABEL_MAX = 200
OPTIONS_MIN, OPTIONS_MAX = 2, 20
DOTS_MAX = 10
ANSWER_MAX = 40
ANSWERS_MAX = 3
REASON_MAX = 300
CHOICES = ("yes", "no", "abstain")
SCORES = range(1, 6)


class VoteInput(Input):
    kind: Annotated[str, StringConstraints(pattern="^(dots|yes-no|scale|open)$")]
    question: Text(QUESTION_MAX)
    dots_per_person: int = 3
    idea_ids: list[int] = []
    labels: list[str] = []
    results_live: bool = False


class VoteNotOpen(Conflict):
    code = "vote_not_open"
    default_message = N_("This vote is locked: ballots can no longer be cast or changed.")


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def results_visible(vote: Vote) -> bool:
    return vote.results_live or vote.revealed_at is not None


def options_of(session: Session, vote_id: int) -> list[VoteOption]:
    return list(session.exec(select(VoteOption).where(VoteOption.vote_id == vote_id)
                             .order_by(col(VoteOption.position), col(VoteOption.id))))


# --- tallies -----------------------------------------------------------------------------------


def read_tally(session: Session, vote_id: int) -> tuple[Vote, list[VoteOption], int, list[dict[str, Any]]]:
    """The vote, its options, and its version with every ballot's choices, read in one statement (one
    snapshot: the ballots are at least as new as the version says)."""
    vote = session.get(Vote, vote_id)
    if vote is None:
        raise NotFound()
    rows = session.execute(sa.select(Vote.tally_version, Ballot.choices).select_from(Vote)  # type: ignore[call-overload]
                           .outerjoin(Ballot, col(Ballot.vote_id) == Vote.id).where(Vote.id == vote_id)).all()
    version = rows[0][0] if rows else 0
    return vote, options_of(session, vote_id), version, [r[1] for r in rows if r[1] is not None]


def count(vote: Vote, options: list[VoteOption], version: int, ballots: list[dict[str, Any]], *,
          view: str) -> dict[str, Any]:
    """The tally of ``ballots``. ``view``: ``public`` (what the room sees now: only voters while
    results are hidden, no hidden answers), ``results`` (the public results, even before reveal) or
    ``preview`` (everything, for facilitators)."""
    tally: dict[str, Any] = {"vote_id": vote.id, "version": version, "voters": len(ballots), "counts": {},
                             "labels": {}, "mean": None, "hidden": []}
    if view == "public" and not results_visible(vote):
        return tally
    hidden = {str(o.id) for o in options if o.hidden_at is not None}
    counts: Counter[str] = Counter()
    scores: list[int] = []
    for choices in ballots:
        if vote.kind == VoteKind.dots:
            for option_id, dots in (choices.get("dots") or {}).items():
                counts[str(option_id)] += int(dots)
        elif vote.kind == VoteKind.yes_no and choices.get("choice") in CHOICES:
            counts[choices["choice"]] += 1
        elif vote.kind == VoteKind.scale and choices.get("score") in SCORES:
            counts[str(choices["score"])] += 1
            scores.append(int(choices["score"]))
        elif vote.kind == VoteKind.open_question:
            for option_id in choices.get("answers") or []:
                counts[str(option_id)] += 1
    if vote.kind == VoteKind.dots:
        counts.update({str(o.id): 0 for o in options if str(o.id) not in counts})
    if vote.kind == VoteKind.open_question:
        visible = [o for o in options if view == "preview" or str(o.id) not in hidden]
        tally["labels"] = {str(o.id): o.label for o in visible}
        counts = Counter({k: v for k, v in counts.items() if k in tally["labels"]})
        tally["hidden"] = sorted(hidden, key=int) if view == "preview" else []
    tally["counts"] = dict(counts)
    tally["mean"] = round(sum(scores) / len(scores), 2) if scores else None
    return tally


def tally_of(session: Session, vote_id: int, *, view: str = "public") -> dict[str, Any]:
    vote, options, version, ballots = read_tally(session, vote_id)
    return count(vote, options, version, ballots, view=view)


def vote_states(session: Session, votes: list[Vote], *, manager: bool = False) -> list[dict[str, Any]]:
    """The public representation of each vote, with its tally when its results are shown
    (``manager``: a facilitator's page — hidden answers and the preview tally included)."""
    states = []
    for vote in votes:
        _, options, version, ballots = read_tally(session, vote.id)  # type: ignore[arg-type]
        shown = results_visible(vote)
        tally = count(vote, options, version, ballots, view="preview" if manager else "public")
        states.append({
            "id": vote.id, "meeting_id": vote.meeting_id, "agenda_item_id": vote.agenda_item_id, "kind": vote.kind,
            "question": vote.question, "dots_per_person": vote.dots_per_person, "status": vote.status,
            "results_live": vote.results_live, "revealed": vote.revealed_at is not None,
            "created_at": vote.created_at, "closed_at": vote.closed_at,
            # an open question's answers are aggregates: they travel in the tally's labels
            "options": [] if vote.kind == VoteKind.open_question else [
                {"id": o.id, "idea_id": o.idea_id, "position": o.position, "hidden": o.hidden_at is not None,
                 "label": o.label if manager or o.hidden_at is None else ""} for o in options],
            "voters": len(ballots), "tally": tally if shown or manager else None,
        })
    return states


def vote_state(session: Session, vote: Vote) -> dict[str, Any]:
    return vote_states(session, [vote])[0]


def _append(session: Session, actor: Actor, vote: Vote, kind: type[VotePublic], *,
            project_id: int | None = None) -> None:
    session.add(vote)
    session.flush()
    event = kind(**vote_state(session, vote))
    if project_id is None:
        log.append(session, f"meeting:{vote.meeting_id}", event, actor_id=actor.user_id)
    else:
        emit_to_rooms(session, actor, event, project_id=project_id, meeting_id=vote.meeting_id)


# --- the facilitator's actions -------------------------------------------------------------------


def open_vote(session: Session, actor: Actor, meeting_id: int, *, inputs: VoteInput,
              now: datetime | None = None) -> Vote:
    """Open a vote in the running live session, on the item in focus."""
    meeting, scope = access_meeting(session, actor, meeting_id)
    require(actor, Action.manage, scope)
    live = running_session(session, meeting_id)
    if live is None:
        raise NotLive()
    fields: dict[str, str] = {}
    labels: list[tuple[int | None, str]] = []
    if inputs.kind == VoteKind.dots:
        if not 1 <= inputs.dots_per_person <= DOTS_MAX:
            fields["dots_per_person"] = FieldMessage(N_("Give each person between 1 and 10 dots."))
        wanted = list(dict.fromkeys(inputs.idea_ids))
        ideas = {i.id: i for i in session.exec(select(Idea).where(col(Idea.id).in_(wanted)))} if wanted else {}
        if any(i not in ideas or ideas[i].meeting_id != meeting.id or ideas[i].hidden_at is not None
               or ideas[i].merged_into_id is not None for i in wanted):
            fields["idea_ids"] = FieldMessage(N_("Choose ideas from this meeting's wall."))
        labels = [(i, ideas[i].title) for i in wanted if i in ideas]
        labels += [(None, " ".join(text.split())) for text in inputs.labels if text.strip()]
        if any(len(text) > LABEL_MAX for _, text in labels):
            fields["labels"] = FieldMessage(N_("Use at most %(max)s characters."), max=LABEL_MAX)
        if not OPTIONS_MIN <= len(labels) <= OPTIONS_MAX:
            fields.setdefault("idea_ids", FieldMessage(N_("Choose between 2 and 20 ideas or options.")))
    if fields:
        raise InvalidInput(fields=fields)
    vote = Vote(meeting_id=meeting.id, agenda_item_id=live.focus_item_id, kind=inputs.kind,
                question=inputs.question, dots_per_person=inputs.dots_per_person if inputs.kind == VoteKind.dots else 0,
                results_live=inputs.results_live, created_by_id=actor.user_id, created_at=_now(now))
    session.add(vote)
    session.flush()
    for position, (idea_id, label) in enumerate(labels):
        session.add(VoteOption(vote_id=vote.id, idea_id=idea_id, label=label, position=position))  # type: ignore[arg-type]
    _append(session, actor, vote, VoteOpened)
    return vote


def _managed_vote(session: Session, actor: Actor, vote_id: int, meeting_id: int | None) -> Vote:
    vote, scope = access_vote(session, actor, vote_id)
    if meeting_id is not None and vote.meeting_id != meeting_id:
        raise NotFound()
    require(actor, Action.manage, scope)
    return vote


def reveal_vote(session: Session, actor: Actor, vote_id: int, *, meeting_id: int | None = None,
                now: datetime | None = None) -> Vote:
    """Show the results to everyone (the screen draws the chart)."""
    vote = _managed_vote(session, actor, vote_id, meeting_id)
    vote.revealed_at = vote.revealed_at or _now(now)
    _append(session, actor, vote, VoteRevealed)
    return vote


def lock_vote(session: Session, actor: Actor, vote_id: int, *, meeting_id: int | None = None) -> Vote:
    """No more ballots, none changed (the results stay as they are)."""
    vote = _managed_vote(session, actor, vote_id, meeting_id)
    if vote.status == VoteStatus.closed:
        raise Conflict(N_("This vote is closed."))
    vote.status = VoteStatus.locked.value
    _append(session, actor, vote, VoteLocked)
    return vote


def reopen_vote(session: Session, actor: Actor, vote_id: int, *, meeting_id: int | None = None) -> Vote:
    """Unlock a locked vote: ballots can be cast and changed again."""
    vote = _managed_vote(session, actor, vote_id, meeting_id)
    if vote.status != VoteStatus.locked:
        raise Conflict(N_("Only a locked vote can be opened again."))
    vote.status = VoteStatus.open.value
    _append(session, actor, vote, VoteReopened)
    return vote


def _close(session: Session, actor: Actor, vote: Vote, now: datetime | None) -> None:
    vote.status = VoteStatus.closed.value
    vote.closed_at = _now(now)
    meeting = session.get(Meeting, vote.meeting_id)
    assert meeting is not None
    _append(session, actor, vote, VoteClosed, project_id=meeting.project_id)


def close_vote(session: Session, actor: Actor, vote_id: int, *, meeting_id: int | None = None,
               now: datetime | None = None) -> Vote:
    """The vote is over: it leaves the phones and stays in the meeting's history."""
    vote = _managed_vote(session, actor, vote_id, meeting_id)
    if vote.status != VoteStatus.closed:
        _close(session, actor, vote, now)
    return vote


def close_open_votes(session: Session, actor: Actor, meeting_id: int, *, now: datetime | None = None) -> None:
    """Close every vote of the meeting that is not closed (the live session ends)."""
    for vote in session.exec(select(Vote).where(Vote.meeting_id == meeting_id, Vote.status != VoteStatus.closed.value)
                             .order_by(col(Vote.id))):
        _close(session, actor, vote, now)


def _managed_answer(session: Session, actor: Actor, option_id: int, meeting_id: int | None) -> tuple[Vote, VoteOption]:
    option = session.get(VoteOption, option_id)
    if option is None:
        raise NotFound()
    vote = _managed_vote(session, actor, option.vote_id, meeting_id)
    if vote.kind != VoteKind.open_question:
        raise NotFound()
    return vote, option


def hide_answer(session: Session, actor: Actor, option_id: int, *, reason: str, meeting_id: int | None = None,
                now: datetime | None = None) -> Vote:
    """Take an answer out of the word cloud, with a reason."""
    vote, option = _managed_answer(session, actor, option_id, meeting_id)
    reason = reason.strip()
    if not reason or len(reason) > REASON_MAX:
        raise InvalidInput(fields={"reason": FieldMessage(
            N_("Say briefly why it is hidden (at most 300 characters)."))})
    option.hidden_at = option.hidden_at or _now(now)
    option.hidden_reason = reason
    session.add(option)
    _append(session, actor, vote, VoteAnswerHidden)
    return vote


def restore_answer(session: Session, actor: Actor, option_id: int, *, meeting_id: int | None = None) -> Vote:
    vote, option = _managed_answer(session, actor, option_id, meeting_id)
    option.hidden_at = None
    option.hidden_reason = ""
    session.add(option)
    _append(session, actor, vote, VoteAnswerRestored)
    return vote


# --- ballots -----------------------------------------------------------------------------------


def _dots(vote: Vote, options: list[VoteOption], dots: dict[str, int] | None) -> dict[str, Any]:
    valid = {str(o.id) for o in options if o.hidden_at is None}
    given = {str(k): v for k, v in (dots or {}).items() if v}
    if any(k not in valid or not isinstance(v, int) or v < 0 for k, v in given.items()):
        raise InvalidInput(fields={"dots": FieldMessage(N_("Put your dots on the choices of this vote."))})
    total = sum(given.values())
    if total == 0:
        raise InvalidInput(fields={"dots": FieldMessage(N_("Place at least one dot."))})
    if total > vote.dots_per_person:
        raise InvalidInput(fields={"dots": FieldMessage(N_("You have %(max)s dots; take some off first."),
                                                        max=vote.dots_per_person)})
    return {"dots": given}


def _answers(session: Session, vote: Vote, options: list[VoteOption], answers: list[str] | None) -> dict[str, Any]:
    cleaned = list(dict.fromkeys(" ".join(a.split()) for a in answers or [] if a.strip()))
    if not cleaned:
        raise InvalidInput(fields={"answers": FieldMessage(N_("Write a short answer."))})
    if len(cleaned) > ANSWERS_MAX or any(len(a) > ANSWER_MAX for a in cleaned):
        raise InvalidInput(fields={"answers": FieldMessage(N_("Give at most 3 answers of at most 40 characters."))})
    by_key = {o.label.casefold(): o for o in options}
    chosen: list[int] = []
    for answer in cleaned:
        option = by_key.get(answer.casefold())
        if option is None:
            option = VoteOption(vote_id=vote.id, label=answer, position=len(by_key))  # type: ignore[arg-type]
            session.add(option)
            session.flush()
            by_key[answer.casefold()] = option
        if option.id not in chosen:
            chosen.append(option.id)  # type: ignore[arg-type]
    return {"answers": chosen}


def cast_ballot(session: Session, actor: Actor, vote_id: int, *, dots: dict[str, int] | None = None,
                choice: str | None = None, score: int | None = None, answers: list[str] | None = None,
                meeting_id: int | None = None, now: datetime | None = None) -> Ballot:
    """Cast (or replace) this person's ballot while the vote is open."""
    vote, scope = access_vote(session, actor, vote_id)
    if meeting_id is not None and vote.meeting_id != meeting_id:
        raise NotFound()
    require(actor, Action.propose, scope)
    # the row lock: ballots of one vote queue here, and the version orders their tallies
    status = session.execute(sa.update(Vote).where(col(Vote.id) == vote_id)
                             .values(tally_version=col(Vote.tally_version) + 1)
                             .returning(col(Vote.status))).scalar_one()
    if status == VoteStatus.closed:
        raise VoteNotOpen(N_("This vote is closed."))
    if status != VoteStatus.open:
        raise VoteNotOpen()
    session.refresh(vote)
    options = options_of(session, vote_id)
    if vote.kind == VoteKind.dots:
        choices = _dots(vote, options, dots)
    elif vote.kind == VoteKind.yes_no:
        if choice not in CHOICES:
            raise InvalidInput(fields={"choice": FieldMessage(N_("Choose yes, no or abstain."))})
        choices = {"choice": choice}
    elif vote.kind == VoteKind.scale:
        if score not in SCORES:
            raise InvalidInput(fields={"score": FieldMessage(N_("Choose a number from 1 to 5."))})
        choices = {"score": score}
    else:
        choices = _answers(session, vote, options, answers)
    ballot = session.exec(select(Ballot).where(Ballot.vote_id == vote_id, Ballot.voter_id == actor.user_id)).first()
    if ballot is None:
        ballot = Ballot(vote_id=vote_id, voter_id=actor.user_id, choices=choices)  # type: ignore[arg-type]
    else:
        ballot.choices = choices
        ballot.updated_at = _now(now)
    session.add(ballot)
    session.flush()
    pending_events(session).append(log.ephemeral(f"meeting:{vote.meeting_id}",
                                                 BallotRecorded(vote_id=vote_id, choices=choices),
                                                 actor_id=actor.user_id))
    return ballot


def my_ballots(session: Session, actor: Actor, vote_ids: list[int]) -> dict[int, dict[str, Any]]:
    """This person's ballots (their choices) by vote id."""
    if actor.user_id is None or not vote_ids:
        return {}
    return dict(session.exec(select(Ballot.vote_id, Ballot.choices).where(
        col(Ballot.vote_id).in_(vote_ids), Ballot.voter_id == actor.user_id)).all())
