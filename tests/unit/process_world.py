"""A small co-creation project for the process tests: an organisation admin, a facilitator, two
participants, a follower and a stranger; an active first phase with a meeting and a planned second
phase (facilitated by Jonas)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from app.models import EventRecord, Meeting, Phase, Project, User
from app.services.actor import Actor, load_actor
from tests.factories import follow, join_phase, make_meeting, make_org, make_phase, make_project, make_user


@dataclass
class World:
    session: Session
    project: Project
    phase1: Phase
    phase2: Phase
    meeting: Meeting
    admin: User
    mette: User
    jonas: User
    ali: User
    birgit: User
    follower: User
    stranger: User

    def actor(self, who: User | str) -> Actor:
        user = getattr(self, who) if isinstance(who, str) else who
        return load_actor(self.session, user.id)


def build(session: Session) -> World:
    admin = make_user(session, "Anne Admin")
    org = make_org(session, admin=admin)
    project = make_project(session, org)
    phase1 = make_phase(session, project, "Idéfase", position=0, status="active")
    phase2 = make_phase(session, project, "Handlingsfase", position=1, status="planned")
    mette, jonas, ali, birgit = (make_user(session, n) for n in ("Mette", "Jonas", "Ali", "Birgit"))
    follower, stranger = make_user(session, "Fie Følger"), make_user(session, "Sten Fremmed")
    join_phase(session, phase1, mette, "facilitator")
    join_phase(session, phase2, jonas, "facilitator")
    join_phase(session, phase1, ali)
    join_phase(session, phase1, birgit)
    follow(session, project.id, follower)
    meeting = make_meeting(session, phase1, "Workshop 1")
    return World(session, project, phase1, phase2, meeting, admin, mette, jonas, ali, birgit, follower, stranger)


def events(session: Session, room: str) -> list[tuple[int, str, dict[str, Any]]]:
    """(seq, type, data) of a room's stored events, in order."""
    rows = session.exec(select(EventRecord).where(EventRecord.room == room).order_by(EventRecord.seq))
    return [(r.seq, r.type, r.data) for r in rows]


def types(session: Session, room: str) -> list[str]:
    return [t for _, t, _ in events(session, room)]
