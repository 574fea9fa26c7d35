"""The minutes that write themselves: what a meeting's page shows, item by item, of what was said,
voted and decided in the room — the ideas (with their status and decision note, merged duplicates
under their target, hidden ones marked), the votes (with their result when it was shown) and the
agreements made. Ideas and votes with no agenda item are "not tied to an item". Nothing here writes.

The privacy rules are not repeated here: ideas come as ``ideas_live.idea_states`` (a hidden idea
without its text for everyone but the facilitators, an idea sent in anonymous mode without its
author), votes as ``votes.vote_states`` read as the room sees them (a result only once it was
revealed or shown live), agreements as ``agreements.agreement_states``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from app.models import AgendaItem, AgendaStatus, Agreement, AgreementIdea, Idea, Meeting, Vote, VoteKind
from app.services.agreements import agreement_states
from app.services.comments import comments_on
from app.services.ideas_live import idea_states
from app.services.votes import CHOICES, SCORES, vote_states


@dataclass
class IdeaEntry:
    idea: dict[str, Any]
    """``idea_states``'s representation (hidden: no text unless the reader is a facilitator)."""
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    agreements: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class VoteEntry:
    vote: dict[str, Any]
    """``vote_states``'s public representation: ``tally`` is None while the results were not shown."""
    rows: list[dict[str, Any]]
    """The result as rows (``label`` or ``choice``, ``count``), largest first for dots and answers."""

    @property
    def shown(self) -> bool:
        return self.vote["tally"] is not None

    @property
    def top(self) -> int:
        return max((r["count"] for r in self.rows), default=0)


@dataclass
class ItemHistory:
    item: dict[str, Any] | None
    """``id``, ``title``, ``status`` of the agenda item; None for what is not tied to an item."""
    ideas: list[IdeaEntry] = field(default_factory=list)
    votes: list[VoteEntry] = field(default_factory=list)
    agreements: list[dict[str, Any]] = field(default_factory=list)
    """Agreements of the meeting not made from one of these ideas (rare: shown on their own)."""
    comments: int = 0
    """How many comments the item has (they are shown with the item on the agenda)."""

    @property
    def empty(self) -> bool:
        return not (self.ideas or self.votes or self.agreements)

    @property
    def decided(self) -> list[IdeaEntry]:
        return [e for e in self.ideas if e.idea["decided_at"] is not None]


@dataclass
class MeetingHistory:
    items: list[ItemHistory]
    loose: ItemHistory
    manager: bool

    @property
    def any(self) -> bool:
        """Something happened in the room (an idea, a vote or an agreement)."""
        return not self.loose.empty or any(not i.empty for i in self.items)

    @property
    def counts(self) -> dict[str, int]:
        every = [*self.items, self.loose]
        return {"ideas": sum(len(i.ideas) for i in every), "votes": sum(len(i.votes) for i in every),
                "agreements": sum(len(e.agreements) for i in every for e in i.ideas)
                + sum(len(i.agreements) for i in every)}


def result_rows(state: dict[str, Any]) -> list[dict[str, Any]]:
    """A vote's result as rows, from the tally ``vote_states`` computed (empty while not shown)."""
    tally = state["tally"]
    if tally is None:
        return []
    counts: dict[str, int] = tally["counts"]
    kind = state["kind"]
    if kind == VoteKind.yes_no:
        return [{"choice": c, "label": "", "count": counts.get(c, 0)} for c in CHOICES]
    if kind == VoteKind.scale:
        return [{"choice": str(s), "label": str(s), "count": counts.get(str(s), 0)} for s in SCORES]
    if kind == VoteKind.open_question:
        rows = [{"choice": key, "label": label, "count": counts.get(key, 0)} for key, label in tally["labels"].items()]
    else:
        rows = [{"choice": str(o["id"]), "label": o["label"], "count": counts.get(str(o["id"]), 0)}
                for o in state["options"] if not o["hidden"]]
    return sorted(rows, key=lambda r: -r["count"])


def meeting_history(session: Session, meeting: Meeting, *, manager: bool) -> MeetingHistory:
    """The meeting's minutes as ``manager`` (a facilitator of its phase) or anyone else may read them."""
    items = list(session.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
                              .order_by(col(AgendaItem.position), col(AgendaItem.created_at), col(AgendaItem.id))))
    ideas = list(session.exec(select(Idea).where(Idea.meeting_id == meeting.id)
                              .order_by(col(Idea.created_at), col(Idea.id))))
    votes = list(session.exec(select(Vote).where(Vote.meeting_id == meeting.id)
                              .order_by(col(Vote.created_at), col(Vote.id))))
    agreements = list(session.exec(select(Agreement).where(Agreement.meeting_id == meeting.id)
                                   .order_by(col(Agreement.created_at), col(Agreement.id))))

    states = {s["id"]: s for s in idea_states(session, ideas, show_hidden=manager)}
    made = {a["id"]: a for a in agreement_states(session, agreements)}
    idea_ids = list(states)
    from_idea: dict[int, list[dict[str, Any]]] = {}
    linked: set[int] = set()
    if made and idea_ids:
        for agreement_id, idea_id in session.exec(select(AgreementIdea.agreement_id, AgreementIdea.idea_id).where(
                col(AgreementIdea.agreement_id).in_(list(made)), col(AgreementIdea.idea_id).in_(idea_ids))
                .order_by(col(AgreementIdea.agreement_id))):
            if agreement_id not in linked:
                from_idea.setdefault(idea_id, []).append(made[agreement_id])
                linked.add(agreement_id)
    on_idea: dict[int, list[dict[str, Any]]] = {}
    item_comments: dict[int, int] = {}
    for c in comments_on(session, agenda_item_ids=[i.id for i in items], idea_ids=idea_ids):  # type: ignore[misc]
        if c["idea_id"] is not None:
            on_idea.setdefault(c["idea_id"], []).append(c)  # type: ignore[arg-type]
        elif c["agenda_item_id"] is not None:
            item_comments[c["agenda_item_id"]] = item_comments.get(c["agenda_item_id"], 0) + 1  # type: ignore[index,call-overload]

    def root(state: dict[str, Any]) -> dict[str, Any]:
        seen = {state["id"]}
        while state["merged_into_id"] in states and state["merged_into_id"] not in seen:
            state = states[state["merged_into_id"]]
            seen.add(state["id"])
        return state

    entries: dict[int, IdeaEntry] = {}
    for state in states.values():
        if state["merged_into_id"] is None or root(state)["merged_into_id"] is not None:
            entries[state["id"]] = IdeaEntry(state)
    for state in states.values():
        if state["id"] not in entries:
            entries[root(state)["id"]].duplicates.append(state)
    for idea_id, entry in entries.items():
        entry.agreements = [a for i in (idea_id, *(d["id"] for d in entry.duplicates)) for a in from_idea.get(i, [])]
        secret = entry.idea["hidden"] and not manager  # what is said about a withheld idea is withheld with it
        entry.comments = [] if secret else on_idea.get(idea_id, [])

    known = {i.id for i in items}
    views = {i.id: ItemHistory({"id": i.id, "title": i.title, "status": i.status, "meeting_id": i.meeting_id},
                               comments=item_comments.get(i.id, 0)) for i in items}  # type: ignore[index]
    loose = ItemHistory(None)

    def place(item_id: int | None) -> ItemHistory:
        return views[item_id] if item_id in known else loose  # type: ignore[index]

    for entry in entries.values():
        place(entry.idea["agenda_item_id"]).ideas.append(entry)
    for state in vote_states(session, votes):  # as the room sees it: a result only once it was shown
        place(state["agenda_item_id"]).votes.append(VoteEntry(state, result_rows(state)))
    loose.agreements = [a for a in made.values() if a["id"] not in linked]

    shown = [v for i in items if (v := views[i.id]).item["status"] == AgendaStatus.accepted.value  # type: ignore[index]
             or not v.empty]
    return MeetingHistory(shown, loose, manager)
