"""Commands of the live workshop, sent in a meeting's room (the room's meeting is the target; an idea,
vote or answer named in ``data`` must belong to it). Merged into ``COMMANDS`` by ``commands.py``.

Participants (phones, remote followers): ``ballot.cast``, ``reaction.send`` (and ``idea.submit``).
Facilitators (the console): focus and timer, anonymous mode, handling ideas, decisions and
agreements, votes and open-question answers. Starting and ending the session are page forms.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field
from sqlmodel import Session

from app.errors import NotFound
from app.models import AgendaItem, Comment
from app.realtime import tallies_live  # noqa: F401 - registers the ballot and reaction hooks
from app.realtime.commands import COMMANDS, Command, CommandData
from app.services import agenda, agreements, comments, ideas_live, live, process_inputs, votes
from app.services.actor import Actor
from app.services.inputs import parse

# --- participants ------------------------------------------------------------------------------


class BallotCast(CommandData):
    vote_id: int
    dots: dict[str, int] | None = None
    choice: str | None = Field(default=None, max_length=16)
    score: int | None = None
    answers: list[str] | None = Field(default=None, max_length=10)


class ReactionSend(CommandData):
    kind: str = Field(max_length=16)


def _cast(session: Session, actor: Actor, meeting_id: int, data: BallotCast) -> object:
    return votes.cast_ballot(session, actor, data.vote_id, dots=data.dots, choice=data.choice, score=data.score,
                             answers=data.answers, meeting_id=meeting_id)


def _react(session: Session, actor: Actor, meeting_id: int, data: ReactionSend) -> object:
    return live.send_reaction(session, actor, meeting_id, kind=data.kind)


# --- the facilitator: focus, timer, anonymous mode ---------------------------------------------


class FocusSet(CommandData):
    item_id: int | None


class TimerAdjust(CommandData):
    add_minutes: int = 0
    minutes: int | None = None
    restart: bool = False


class AnonymitySet(CommandData):
    anonymous: bool


def _focus(session: Session, actor: Actor, meeting_id: int, data: FocusSet) -> object:
    return live.set_focus(session, actor, meeting_id, item_id=data.item_id)


def _timer(session: Session, actor: Actor, meeting_id: int, data: TimerAdjust) -> object:
    return live.adjust_timer(session, actor, meeting_id, add_minutes=data.add_minutes, minutes=data.minutes,
                             restart=data.restart)


def _anonymity(session: Session, actor: Actor, meeting_id: int, data: AnonymitySet) -> object:
    return live.set_anonymous(session, actor, meeting_id, anonymous=data.anonymous)


# --- the facilitator: ideas, decisions, agreements ---------------------------------------------


class IdeaHide(CommandData):
    idea_id: int
    reason: str = Field(max_length=1000)


class IdeaRef(CommandData):
    idea_id: int


class IdeaMerge(CommandData):
    idea_id: int
    into_id: int


class IdeaGroup(CommandData):
    idea_ids: list[int] = Field(max_length=200)
    heading: str = Field(max_length=500)


class AgreementData(CommandData):
    title: str = Field(max_length=1000)
    description: str = Field(default="", max_length=10000)
    owner_id: int | None = None
    deadline: str = Field(default="", max_length=10)


class IdeaDecide(CommandData):
    idea_id: int
    decision: str = Field(max_length=16)
    note: str = Field(default="", max_length=4000)
    agreements: list[AgreementData] = Field(default=[], max_length=10)


class AgreementCreate(AgreementData):
    idea_id: int


def _hide(session: Session, actor: Actor, meeting_id: int, data: IdeaHide) -> object:
    return ideas_live.hide_idea(session, actor, data.idea_id, reason=data.reason, meeting_id=meeting_id)


def _restore(session: Session, actor: Actor, meeting_id: int, data: IdeaRef) -> object:
    return ideas_live.restore_idea(session, actor, data.idea_id, meeting_id=meeting_id)


def _merge(session: Session, actor: Actor, meeting_id: int, data: IdeaMerge) -> object:
    return ideas_live.merge_idea(session, actor, data.idea_id, into_id=data.into_id, meeting_id=meeting_id)


def _group(session: Session, actor: Actor, meeting_id: int, data: IdeaGroup) -> object:
    return ideas_live.group_ideas(session, actor, meeting_id, idea_ids=data.idea_ids, heading=data.heading)


def _decide(session: Session, actor: Actor, meeting_id: int, data: IdeaDecide) -> object:
    made = agreements.parse_agreements([a.model_dump() for a in data.agreements])
    return ideas_live.decide_idea(session, actor, data.idea_id, decision=data.decision, note=data.note,
                                  agreements=made, meeting_id=meeting_id)


def _agree(session: Session, actor: Actor, meeting_id: int, data: AgreementCreate) -> object:
    ideas_live.idea_in_meeting(session, data.idea_id, meeting_id)
    inputs = parse(agreements.AgreementInput, data.model_dump(exclude={"idea_id"}))
    return agreements.create_agreement(session, actor, data.idea_id, inputs=inputs)


# --- the facilitator: votes --------------------------------------------------------------------


class VoteOpen(CommandData):
    kind: str = Field(max_length=16)
    question: str = Field(max_length=1000)
    dots_per_person: int = 3
    idea_ids: list[int] = Field(default=[], max_length=100)
    labels: list[str] = Field(default=[], max_length=100)
    results_live: bool = False


class VoteRef(CommandData):
    vote_id: int


class AnswerHide(CommandData):
    option_id: int
    reason: str = Field(max_length=1000)


class AnswerRef(CommandData):
    option_id: int


def _open(session: Session, actor: Actor, meeting_id: int, data: VoteOpen) -> object:
    return votes.open_vote(session, actor, meeting_id, inputs=parse(votes.VoteInput, data.model_dump()))


def _vote_action(fn: Any) -> Any:
    def handler(session: Session, actor: Actor, meeting_id: int, data: VoteRef) -> object:
        return fn(session, actor, data.vote_id, meeting_id=meeting_id)
    return handler


def _hide_answer(session: Session, actor: Actor, meeting_id: int, data: AnswerHide) -> object:
    return votes.hide_answer(session, actor, data.option_id, reason=data.reason, meeting_id=meeting_id)


def _restore_answer(session: Session, actor: Actor, meeting_id: int, data: AnswerRef) -> object:
    return votes.restore_answer(session, actor, data.option_id, meeting_id=meeting_id)


# --- the facilitator: the agenda and comments (the process's services) ---------------------------


class AgendaAdd(CommandData):
    title: str = Field(max_length=1000)
    description: str = Field(default="", max_length=10000)
    planned_minutes: int | None = None


class AgendaUpdate(AgendaAdd):
    item_id: int


class CommentHide(CommandData):
    comment_id: int
    reason: str = Field(max_length=1000)


class CommentRef(CommandData):
    comment_id: int


def _agenda_input(data: AgendaAdd) -> process_inputs.AgendaItemInput:
    return process_inputs.parse(process_inputs.AgendaItemInput, {
        "title": data.title, "description": data.description,
        "planned_minutes": "" if data.planned_minutes is None else str(data.planned_minutes)})


def _add_item(session: Session, actor: Actor, meeting_id: int, data: AgendaAdd) -> object:
    return agenda.add_item(session, actor, meeting_id, inputs=_agenda_input(data))


def _update_item(session: Session, actor: Actor, meeting_id: int, data: AgendaUpdate) -> object:
    item = session.get(AgendaItem, data.item_id)
    if item is None or item.meeting_id != meeting_id:
        raise NotFound()
    return agenda.update_item(session, actor, data.item_id, inputs=_agenda_input(data))


def _comment_here(session: Session, comment_id: int, meeting_id: int) -> None:
    comment = session.get(Comment, comment_id)
    if comment is None or comment.meeting_id != meeting_id:
        raise NotFound()


def _hide_comment(session: Session, actor: Actor, meeting_id: int, data: CommentHide) -> object:
    _comment_here(session, data.comment_id, meeting_id)
    inputs = process_inputs.parse(process_inputs.HideInput, {"reason": data.reason})
    return comments.hide_comment(session, actor, data.comment_id, inputs=inputs)


def _show_comment(session: Session, actor: Actor, meeting_id: int, data: CommentRef) -> object:
    _comment_here(session, data.comment_id, meeting_id)
    return comments.show_comment(session, actor, data.comment_id)


M = ("meeting",)
FACILITATOR = "Facilitators of the meeting's phase, while the live session runs."

LIVE_COMMANDS: list[Command] = [
    Command("ballot.cast", BallotCast, _cast, "app.services.votes.cast_ballot", M,
            "Cast or replace one's ballot in an open vote: `dots` (option id -> dots, at most the vote's dots), "
            "`choice` (yes/no/abstain), `score` (1-5) or `answers` (1-3 short answers). Needs the propose right. "
            "No room event (a ballot is private): the voter's sockets get `ballot.recorded`, the room a coalesced "
            "`vote.tallied`; the ack has no seq."),
    Command("reaction.send", ReactionSend, _react, "app.services.live.send_reaction", M,
            "A quick reaction (like, love, clap, idea, question) while the session runs; counted into "
            "`reaction.counted`."),
    Command("live.focus", FocusSet, _focus, "app.services.live.set_focus", M,
            f"Put an agenda item in focus (null: none); its timer starts. {FACILITATOR}"),
    Command("live.timer", TimerAdjust, _timer, "app.services.live.adjust_timer", M,
            f"Add minutes to the focus item's timer (negative takes), set them, or restart it. {FACILITATOR}"),
    Command("live.anonymity", AnonymitySet, _anonymity, "app.services.live.set_anonymous", M,
            f"Anonymous mode on or off. {FACILITATOR}"),
    Command("idea.hide", IdeaHide, _hide, "app.services.ideas_live.hide_idea", M,
            "Hide an idea with a reason everyone sees. Facilitators."),
    Command("idea.restore", IdeaRef, _restore, "app.services.ideas_live.restore_idea", M,
            "Show a hidden idea again. Facilitators."),
    Command("idea.merge", IdeaMerge, _merge, "app.services.ideas_live.merge_idea", M,
            "Merge the duplicate `idea_id` into `into_id`. Facilitators."),
    Command("idea.group", IdeaGroup, _group, "app.services.ideas_live.group_ideas", M,
            "Put ideas under a heading (empty: out of their group). Facilitators."),
    Command("idea.decide", IdeaDecide, _decide, "app.services.ideas_live.decide_idea", M,
            "Decide an idea: go-on (with 1-5 agreements: title, owner_id, deadline YYYY-MM-DD), parked or "
            "rejected, with a note. Facilitators."),
    Command("agreement.create", AgreementCreate, _agree, "app.services.agreements.create_agreement", M,
            "One more agreement from an idea that goes on. Facilitators."),
    Command("vote.open", VoteOpen, _open, "app.services.votes.open_vote", M,
            f"Open a vote: kind dots (on 2-20 ideas of the wall and/or labels), yes-no, scale or open. {FACILITATOR}"),
    Command("vote.reveal", VoteRef, _vote_action(votes.reveal_vote), "app.services.votes.reveal_vote", M,
            "Show a vote's results to everyone. Facilitators."),
    Command("vote.lock", VoteRef, _vote_action(votes.lock_vote), "app.services.votes.lock_vote", M,
            "No more ballots in a vote. Facilitators."),
    Command("vote.reopen", VoteRef, _vote_action(votes.reopen_vote), "app.services.votes.reopen_vote", M,
            "Unlock a locked vote. Facilitators."),
    Command("vote.close", VoteRef, _vote_action(votes.close_vote), "app.services.votes.close_vote", M,
            "End a vote (it stays in the meeting's history). Facilitators."),
    Command("answer.hide", AnswerHide, _hide_answer, "app.services.votes.hide_answer", M,
            "Hide an answer to an open question (out of the word cloud), with a reason. Facilitators."),
    Command("answer.restore", AnswerRef, _restore_answer, "app.services.votes.restore_answer", M,
            "Show a hidden answer again. Facilitators."),
    Command("agenda.add_item", AgendaAdd, _add_item, "app.services.agenda.add_item", M,
            "Add an item at the end of the meeting's agenda, live from the console. Facilitators."),
    Command("agenda.update_item", AgendaUpdate, _update_item, "app.services.agenda.update_item", M,
            "Change an agenda item's title, description or planned minutes. Facilitators."),
    Command("comment.hide", CommentHide, _hide_comment, "app.services.comments.hide_comment", M,
            "Hide a comment of the meeting with a reason everyone sees. Facilitators."),
    Command("comment.show", CommentRef, _show_comment, "app.services.comments.show_comment", M,
            "Show a hidden comment of the meeting again. Facilitators."),
]

COMMANDS.update({c.type: c for c in LIVE_COMMANDS})
