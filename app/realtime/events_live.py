"""Events of the live workshop: the live session (focus, timer, anonymous mode), handling ideas in
the room, votes and their tallies, decisions and agreements, quick reactions.

Room: ``meeting:<id>``, the meeting's live room (phones, the projector screen, the facilitator's
console, remote followers). Decisions and agreements also go to ``project:<id>`` (after the meeting's
room, the lock order of ``app.services.rooms``). Persisted events go to the whole room and carry the
full public representation; what only facilitators may see never travels in them: a hidden idea or
answer is sent without its text, and in anonymous mode ideas are sent without their author.
Ephemeral events (tallies, reactions, a voter's own ballot) carry no ``seq`` and are never stored.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from app.realtime.events import Audience, Event, IdeaState, IdeaStateEvent, Part, register

# --- the live session --------------------------------------------------------------------------


class LivePublic(Event):
    """A meeting's live session: its join code, whether it is anonymous, the agenda item in focus and
    its timer (``focus_started_at`` + ``focus_minutes``; clients count down themselves, there are no
    ticks), and when it started and ended."""

    id: int
    meeting_id: int
    join_code: str
    anonymous: bool
    focus_item_id: int | None
    focus_started_at: datetime | None
    focus_minutes: int | None
    started_at: datetime
    ended_at: datetime | None


@register
class LiveStarted(LivePublic):
    """The facilitator started the meeting's live session: the join code works from now on. Sent to
    the meeting's room."""

    type: ClassVar[str] = "live.started"


@register
class LiveFocusChanged(LivePublic):
    """The facilitator moved the room's focus to another agenda item (or to none); its timer starts
    from the item's planned minutes. Every phone and the screen follow. Sent to the meeting's room."""

    type: ClassVar[str] = "live.focus_changed"


@register
class LiveTimerChanged(LivePublic):
    """The facilitator added or took minutes from the item's timer, or restarted it. Sent to the
    meeting's room."""

    type: ClassVar[str] = "live.timer_changed"


@register
class LiveAnonymityChanged(LivePublic):
    """The facilitator turned anonymous mode on or off: while on, no names are shown on the screen or
    the phones, and new ideas travel without their author. Sent to the meeting's room."""

    type: ClassVar[str] = "live.anonymity_changed"


@register
class LiveEnded(LivePublic):
    """The facilitator ended the live session: the join code stops working and open votes are closed
    (each with its own ``vote.closed`` before this). Sent to the meeting's room."""

    type: ClassVar[str] = "live.ended"


# --- ideas in the room -------------------------------------------------------------------------


@register
class IdeaHidden(IdeaStateEvent):
    """A facilitator hid an idea, with a reason shown to everyone; its text is no longer sent (the
    facilitators' pages load it on their own). Sent to the meeting's room."""

    type: ClassVar[str] = "idea.hidden"


@register
class IdeaRestored(IdeaStateEvent):
    """A facilitator showed a hidden idea again; the payload has its text. Sent to the meeting's
    room."""

    type: ClassVar[str] = "idea.restored"


@register
class IdeaMerged(Event):
    """A facilitator merged a duplicate idea into another: ``duplicate`` now has ``merged_into_id``
    and is shown inside ``target``. Sent to the meeting's room."""

    type: ClassVar[str] = "idea.merged"

    duplicate: IdeaState
    target: IdeaState


@register
class IdeaGrouped(Event):
    """A facilitator put ideas under a heading on the wall (an empty ``heading`` takes them out of
    their group); ``ideas`` are the ideas changed. Sent to the meeting's room."""

    type: ClassVar[str] = "idea.grouped"

    heading: str
    ideas: list[IdeaState]


class AgreementState(Part):
    """An agreement (aftale): what will be done, by whom (``owner``), by when (``deadline``), its
    status, and the ideas it came from."""

    id: int
    project_id: int
    phase_id: int
    meeting_id: int | None
    title: str
    description: str
    owner_id: int | None
    owner_name: str
    deadline: date | None
    status: str
    idea_ids: list[int]
    created_at: datetime


@register
class IdeaDecided(Event):
    """A facilitator recorded the room's decision on an idea: go on, park or reject, with a note;
    ``agreements`` are the agreements made from it on the spot (for "go on"). Sent to the meeting's
    room and the project room."""

    type: ClassVar[str] = "idea.decided"

    idea: IdeaState
    agreements: list[AgreementState]


class AgreementEvent(Event, AgreementState):
    """The full public state of one agreement (the fields of ``AgreementState``)."""


@register
class AgreementCreated(AgreementEvent):
    """A facilitator made an agreement from an idea that goes on (one more, after the decision).
    Sent to the meeting's room (when made in a meeting) and the project room."""

    type: ClassVar[str] = "agreement.created"


# --- votes -------------------------------------------------------------------------------------


class VoteOptionState(Part):
    """A choice of a dot vote (an idea, or a label), or an answer to an open question. A hidden
    answer has an empty ``label``."""

    id: int
    idea_id: int | None
    label: str
    position: int
    hidden: bool


class Tally(Part):
    """The full count of a vote. ``counts`` by option id (dots: dots given; open question: people who
    gave the answer), by ``yes``/``no``/``abstain``, or by score ``1``..``5``; ``mean`` for a scale.
    ``voters`` is how many people have a ballot. ``version`` grows with every ballot: of two tallies
    the higher version is the newer. ``labels`` names an open question's answers; ``hidden`` lists the
    hidden answers (facilitators' preview only)."""

    vote_id: int
    version: int
    voters: int
    counts: dict[str, int]
    labels: dict[str, str]
    mean: float | None
    hidden: list[str]


class VotePublic(Event):
    """A vote: ``kind`` is ``dots`` (``dots_per_person`` to spread over ``options``), ``yes-no``
    (yes / no / abstain), ``scale`` (1-5) or ``open`` (short answers: the word cloud); ``status``
    open, locked (no more ballots) or closed; ``results_live`` shows results while voting, else they
    stay hidden until ``revealed``. ``tally`` is the count, or null while results are hidden;
    ``voters`` is always public. ``agenda_item_id`` is the item in focus when it opened. An open
    question has no ``options``: its answers come with the tally (``labels``)."""

    id: int
    meeting_id: int
    agenda_item_id: int | None
    kind: str
    question: str
    dots_per_person: int
    status: str
    results_live: bool
    revealed: bool
    created_at: datetime
    closed_at: datetime | None
    options: list[VoteOptionState]
    voters: int
    tally: Tally | None


@register
class VoteOpened(VotePublic):
    """A facilitator opened a vote: every phone shows it. Sent to the meeting's room."""

    type: ClassVar[str] = "vote.opened"


@register
class VoteRevealed(VotePublic):
    """A facilitator revealed the results: the payload carries the full tally. Sent to the meeting's
    room."""

    type: ClassVar[str] = "vote.revealed"


@register
class VoteLocked(VotePublic):
    """A facilitator locked the vote: no more ballots, none changed. Sent to the meeting's room."""

    type: ClassVar[str] = "vote.locked"


@register
class VoteReopened(VotePublic):
    """A facilitator unlocked a locked vote: ballots can be cast and changed again. Sent to the
    meeting's room."""

    type: ClassVar[str] = "vote.reopened"


@register
class VoteClosed(VotePublic):
    """A facilitator closed the vote (or the live session ended): it is over and part of the
    meeting's history, with its final tally when its results were shown. Sent to the meeting's room
    and the project room."""

    type: ClassVar[str] = "vote.closed"


@register
class VoteAnswerHidden(VotePublic):
    """A facilitator hid an answer to an open question (with a reason); it leaves the word cloud.
    Sent to the meeting's room."""

    type: ClassVar[str] = "vote.answer_hidden"


@register
class VoteAnswerRestored(VotePublic):
    """A facilitator showed a hidden answer again. Sent to the meeting's room."""

    type: ClassVar[str] = "vote.answer_restored"


class TallyEvent(Event, Tally):
    """A vote's full tally (the fields of ``Tally``)."""


@register
class VoteTallied(TallyEvent):
    """The vote's count changed. At most a few times a second, each the full tally (older versions
    are ignored). While results are hidden only ``voters`` and ``version`` are filled. Sent to the
    meeting's room; never stored."""

    type: ClassVar[str] = "vote.tallied"
    persisted: ClassVar[bool] = False


@register
class VoteTallyPreviewed(TallyEvent):
    """The count of a vote whose results are still hidden, with hidden answers: for the console.
    At most a few times a second. Sent to the room's facilitators only; never stored."""

    type: ClassVar[str] = "vote.tally_previewed"
    audience: ClassVar[Audience] = Audience.facilitators
    persisted: ClassVar[bool] = False


@register
class BallotRecorded(Event):
    """The server recorded (or replaced) this person's ballot: their other tabs and phones show it.
    ``choices``: ``{"dots": {option id: n}}``, ``{"choice": "yes"}``, ``{"score": 4}`` or
    ``{"answers": [option id, ...]}``. Sent to the voter's own sockets only; never stored (the tally
    follows as ``vote.tallied``)."""

    type: ClassVar[str] = "ballot.recorded"
    audience: ClassVar[Audience] = Audience.actor
    persisted: ClassVar[bool] = False

    vote_id: int
    choices: dict[str, object]


# --- reactions ---------------------------------------------------------------------------------


@register
class ReactionSent(Event):
    """Someone sent a quick reaction (``kind``: like, love, clap, idea, question). Sent back to the
    sender's own sockets only; the room gets them counted in ``reaction.counted``."""

    type: ClassVar[str] = "reaction.sent"
    audience: ClassVar[Audience] = Audience.actor
    persisted: ClassVar[bool] = False

    kind: str


@register
class ReactionCounted(Event):
    """Reactions sent in the last moment, by kind (counted per app process, at most twice a second):
    the screen lets them float up. Sent to the meeting's room; never stored."""

    type: ClassVar[str] = "reaction.counted"
    persisted: ClassVar[bool] = False

    counts: dict[str, int]
