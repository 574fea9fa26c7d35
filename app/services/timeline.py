"""The project's timeline: every input of every phase in order — agenda items, proposals and their
answers, comments, materials, ideas (merged duplicates too), decisions and minutes, votes once
closed or revealed (with their result when it was shown), agreements with their owner, deadline,
progress and evaluations — the full working-out (mellemregninger), readable by everyone in the project.

Filterable by phase, meeting, kind and person. Entries are grouped by phase (in the phases' order)
and run oldest first inside each phase; inputs not tied to a phase come last.

Ideas, votes and agreements appear in their public representation (``ideas_live.idea_states``,
``votes.vote_states``, ``agreements.agreement_states``), the same for every reader: a hidden idea
without its title, text or author (marked, with the reason), an idea sent in anonymous mode without
its author (so the person filter does not find it either), a vote's counts only if they were shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.models import (
    AgendaItem,
    AgendaStatus,
    Agreement,
    AgreementUpdate,
    Comment,
    Evaluation,
    Idea,
    Material,
    Meeting,
    Phase,
    Project,
    ProjectMember,
    Vote,
    VoteStatus,
)
from app.realtime import log
from app.services import materials, phases
from app.services.access import access_project
from app.services.actor import Actor
from app.services.agreements import agreement_states
from app.services.ideas_live import idea_states
from app.services.meeting_history import result_rows
from app.services.meetings import ends
from app.services.process_inputs import TimelineFilter
from app.services.rooms import names, project_room
from app.services.votes import vote_states

LIMIT = 1000
KINDS = ("agenda", "proposal", "comment", "material", "idea", "decision", "vote", "agreement")


@dataclass
class Entry:
    at: datetime
    kind: str  # one of KINDS
    what: str  # a finer label: item, proposal, answer, minutes, comment, file, link, idea, decision, ...
    phase_id: int | None
    meeting_id: int | None
    person_id: int | None
    title: str
    body: str = ""
    link: str = ""
    status: str = ""
    hidden: bool = False
    person: str = ""
    withheld: bool = False
    """The title belongs to a hidden idea and is not shown (``title`` is empty)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Per kind: a merged idea's ``into`` (title) and ``into_withheld``; a vote's ``kind``, ``voters``
    and ``rows`` (None while its results were not shown); an agreement's ``owner`` and ``deadline``."""


@dataclass
class PhaseGroup:
    phase: Phase | None
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Timeline:
    project: Project
    filters: TimelineFilter
    groups: list[PhaseGroup]
    phases: list[Phase]
    meetings: list[Meeting]
    people: list[tuple[int, str]]
    total: int
    cut: bool
    room: str
    seq: int

    @property
    def filtered(self) -> bool:
        f = self.filters
        return bool(f.phase_id or f.meeting_id or f.kind or f.person_id)


def _agenda(items: list[AgendaItem], meetings: dict[int, Meeting]) -> list[Entry]:
    out = []
    for item in items:
        meeting = meetings[item.meeting_id]
        link = f"/meetings/{meeting.id}#item-{item.id}"
        if item.proposed_by_id is not None and item.carried_from_id is None:
            out.append(Entry(item.created_at, "proposal", "proposal", meeting.phase_id, meeting.id, item.proposed_by_id,
                             item.title, item.proposal_reason, link, item.status))
            if item.answered_at is not None:
                out.append(Entry(item.answered_at, "proposal", "answer", meeting.phase_id, meeting.id, None,
                                 item.title, item.answer, link, item.status))
        elif item.status != AgendaStatus.proposed.value:
            what = "carried" if item.carried_from_id else "item"
            out.append(Entry(item.created_at, "agenda", what, meeting.phase_id, meeting.id, None, item.title,
                             item.description, link, item.status))
        if item.conclusion:
            out.append(Entry(ends(meeting), "decision", "minutes", meeting.phase_id, meeting.id, None, item.title,
                             item.conclusion, link, item.status))
    return out


def _idea(state: dict[str, Any], ideas: dict[int, dict[str, Any]], decided_by: int | None) -> list[Entry]:
    """An idea (and its decision) as the public representation shows it."""
    withheld = not state["title"]  # hidden: no title, text or author
    author = state["author_id"] if state["author_name"] else None  # nobody for an anonymous or hidden idea
    meeting_id = state["meeting_id"]
    link = f"/meetings/{meeting_id}#minutes-idea-{state['id']}" if meeting_id else ""
    into = ideas.get(state["merged_into_id"]) if state["merged_into_id"] is not None else None
    extra = {"into": into["title"], "into_withheld": not into["title"]} if into else {}
    out = [Entry(state["created_at"], "idea", "merged" if into else "idea", state["phase_id"], meeting_id, author,
                 state["title"], state["body"], link, state["hidden_reason"] if state["hidden"] else state["status"],
                 hidden=state["hidden"], withheld=withheld, extra=extra)]
    if state["decided_at"] is not None:
        out.append(Entry(state["decided_at"], "decision", "decision", state["phase_id"], meeting_id, decided_by,
                         state["title"], state["decision_note"], link, state["status"], withheld=withheld))
    return out


def _entries(session: Session, project_id: int, meetings: dict[int, Meeting]) -> list[Entry]:
    out: list[Entry] = []
    items = list(session.exec(select(AgendaItem).where(col(AgendaItem.meeting_id).in_(list(meetings))))) \
        if meetings else []
    titles = {i.id: i.title for i in items}
    out.extend(_agenda(items, meetings))
    ideas = {s["id"]: s for s in idea_states(session, list(session.exec(
        select(Idea).where(Idea.project_id == project_id).order_by(col(Idea.id)))))}
    decided_by = dict(session.exec(select(Idea.id, Idea.decided_by_id).where(
        Idea.project_id == project_id, col(Idea.decided_at).is_not(None))).all())
    agreements = {a.id: a for a in session.exec(select(Agreement).where(Agreement.project_id == project_id))}

    def phase_of(meeting_id: int | None, idea_id: int | None = None, agreement_id: int | None = None) -> int | None:
        if meeting_id in meetings:
            return meetings[meeting_id].phase_id  # type: ignore[index]
        if idea_id in ideas:
            return ideas[idea_id]["phase_id"]  # type: ignore[index]
        return agreements[agreement_id].phase_id if agreement_id in agreements else None  # type: ignore[index]

    for c in session.exec(select(Comment).where(Comment.project_id == project_id)):
        idea = ideas.get(c.idea_id) if c.idea_id is not None else None
        about = titles.get(c.agenda_item_id) or (idea["title"] if idea else "") or (  # type: ignore[arg-type]
            agreements[c.agreement_id].title if c.agreement_id in agreements else "")  # type: ignore[index]
        link = f"/meetings/{c.meeting_id}#comment-{c.id}" if c.meeting_id else ""
        out.append(Entry(c.created_at, "comment", "comment", phase_of(c.meeting_id, c.idea_id, c.agreement_id),
                         c.meeting_id, c.author_id, about, "" if c.hidden_at else c.body, link,
                         hidden=c.hidden_at is not None, status=c.hidden_reason if c.hidden_at else "",
                         withheld=bool(idea and not idea["title"])))
    for m in session.exec(select(Material).where(Material.project_id == project_id)):
        out.append(Entry(m.created_at, "material", m.kind, m.phase_id or phase_of(m.meeting_id), m.meeting_id,
                         m.added_by_id, m.title, m.file_name or m.url, materials.href(m)))
    for i in ideas.values():
        out.extend(_idea(i, ideas, decided_by.get(i["id"])))  # type: ignore[arg-type]
    votes = list(session.exec(select(Vote).where(col(Vote.meeting_id).in_(list(meetings)), or_(
        Vote.status == VoteStatus.closed.value, col(Vote.revealed_at).is_not(None))))) if meetings else []
    for vote, state in zip(votes, vote_states(session, votes), strict=True):
        meeting = meetings[vote.meeting_id]
        at = vote.closed_at or vote.revealed_at or vote.created_at
        out.append(Entry(at, "vote", "vote", meeting.phase_id, meeting.id, vote.created_by_id, vote.question, "",
                         f"/meetings/{meeting.id}#minutes-vote-{vote.id}", vote.status,
                         extra={"kind": vote.kind, "voters": state["voters"],
                                "rows": result_rows(state) if state["tally"] is not None else None,
                                "mean": (state["tally"] or {}).get("mean")}))
    for a in agreement_states(session, list(agreements.values())):
        out.append(Entry(a["created_at"], "agreement", "agreement", a["phase_id"], a["meeting_id"],  # type: ignore[arg-type]
                         agreements[a["id"]].created_by_id, a["title"], a["description"],  # type: ignore[index,arg-type]
                         f"/projects/{project_id}/agreements#agreement-{a['id']}", a["status"],  # type: ignore[arg-type]
                         extra={"owner": a["owner_name"], "deadline": a["deadline"]}))
    if agreements:
        for u in session.exec(select(AgreementUpdate).where(col(AgreementUpdate.agreement_id).in_(list(agreements)))):
            a = agreements[u.agreement_id]
            out.append(Entry(u.created_at, "agreement", "update", a.phase_id, a.meeting_id, u.author_id, a.title,
                             u.body, "", u.new_status or ""))
        for e in session.exec(select(Evaluation).where(col(Evaluation.agreement_id).in_(list(agreements)))):
            a = agreements[e.agreement_id]
            out.append(Entry(e.created_at, "agreement", "evaluation", a.phase_id, a.meeting_id, e.user_id, a.title,
                             e.comment, "", e.verdict))
    return out


def _keep(entry: Entry, f: TimelineFilter) -> bool:
    return ((f.phase_id is None or entry.phase_id == f.phase_id)
            and (f.meeting_id is None or entry.meeting_id == f.meeting_id)
            and (not f.kind or entry.kind == f.kind)
            and (f.person_id is None or entry.person_id == f.person_id))


def timeline(session: Session, actor: Actor, project_id: int, *, filters: TimelineFilter) -> Timeline:
    room = project_room(project_id)
    seq = log.last_seq(session, room)
    project, _ = access_project(session, actor, project_id)
    phase_list = phases.ordered_phases(session, project_id)
    meetings = {m.id: m for m in session.exec(select(Meeting).where(Meeting.project_id == project_id)
                                              .order_by(col(Meeting.starts_at)))}
    entries = [e for e in _entries(session, project_id, meetings) if _keep(e, filters)]  # type: ignore[arg-type]
    entries.sort(key=lambda e: e.at)
    total = len(entries)
    cut = total > LIMIT
    entries = entries[-LIMIT:]
    who = names(session, [e.person_id for e in entries])
    for e in entries:
        e.person = who.get(e.person_id, "") if e.person_id is not None else ""
    groups = {p.id: PhaseGroup(p) for p in phase_list}
    loose = PhaseGroup(None)
    for e in entries:
        groups.get(e.phase_id, loose).entries.append(e)  # type: ignore[arg-type]
    member_ids = session.exec(select(ProjectMember.user_id).where(ProjectMember.project_id == project_id)).all()
    people = names(session, member_ids)
    return Timeline(project, filters, [g for g in [*groups.values(), loose] if g.entries], phase_list,
                    list(meetings.values()), sorted(people.items(), key=lambda p: p[1].lower()), total, cut,
                    room, seq)


def as_dicts(view: Timeline) -> list[dict[str, Any]]:
    """The entries as plain data (tests, exports)."""
    return [{"kind": e.kind, "what": e.what, "title": e.title, "person": e.person, "phase_id": e.phase_id,
             "meeting_id": e.meeting_id} for g in view.groups for e in g.entries]


def find(view: Timeline, **match: Any) -> list[Entry]:
    """The entries whose attributes equal ``match`` (tests)."""
    return [e for g in view.groups for e in g.entries if all(getattr(e, k) == v for k, v in match.items())]

