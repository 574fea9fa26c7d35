"""A live workshop to test against: a project whose active phase has a facilitator, two participants,
a follower and a stranger; a meeting with a three-item agenda; helpers to read the queued events."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app.db import pending_events
from app.models import AgendaItem, Idea, Meeting, Phase, Project, User
from app.services.actor import Actor, load_actor
from tests.factories import (
    follow,
    join_phase,
    make_agenda_item,
    make_meeting,
    make_org,
    make_phase,
    make_project,
    make_user,
)


@dataclass
class LiveWorld:
    session: Session
    project: Project
    phase: Phase
    meeting: Meeting
    items: list[AgendaItem]
    facilitator: User
    ali: User
    bo: User
    follower: User
    stranger: User

    def actor(self, user: User | None) -> Actor:
        return load_actor(self.session, user.id if user is not None else None)

    @property
    def mette(self) -> Actor:
        return self.actor(self.facilitator)

    def idea(self, title: str, author: User | None = None, **fields: Any) -> Idea:
        idea = Idea(project_id=self.project.id, phase_id=self.phase.id, meeting_id=self.meeting.id,  # type: ignore[arg-type]
                    author_id=(author or self.ali).id, title=title, **fields)
        self.session.add(idea)
        self.session.flush()
        return idea


def build(session: Session) -> LiveWorld:
    org = make_org(session)
    project = make_project(session, org)
    phase = make_phase(session, project)
    people = {name: make_user(session, name) for name in ("Mette", "Ali", "Bo", "Følger", "Fremmed")}
    join_phase(session, phase, people["Mette"], "facilitator")
    join_phase(session, phase, people["Ali"])
    join_phase(session, phase, people["Bo"])
    follow(session, project.id, people["Følger"])  # type: ignore[arg-type]
    meeting = make_meeting(session, phase, "Workshop: grønne gårde")
    items = [make_agenda_item(session, meeting, title, position=n, minutes=minutes)
             for n, (title, minutes) in enumerate([("Velkomst", 5), ("Idéer til gården", 30), ("Afstemning", 15)])]
    return LiveWorld(session, project, phase, meeting, items, people["Mette"], people["Ali"], people["Bo"],
                     people["Følger"], people["Fremmed"])


def events(session: Session, room: str | None = None) -> list[dict[str, Any]]:
    """The frames queued in this transaction (persisted and ephemeral), oldest first."""
    return [json.loads(env.frame) for env in pending_events(session) if room is None or env.room == room]


def event_types(session: Session, room: str | None = None) -> list[str]:
    return [frame["type"] for frame in events(session, room)]


def clear_events(session: Session) -> None:
    pending_events(session).clear()
