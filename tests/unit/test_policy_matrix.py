"""The whole role x action matrix, for every object kind, through the real access helpers.

The project has an earlier, closed phase 1 and the current phase 2 ("this phase"). Everyone in the
project reads every phase; only the current phase's circle acts in it; closed phases are read-only.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from app.errors import NotFound
from app.models import Agreement, Comment, Idea, Material, Vote
from app.services import access
from app.services.actor import ANONYMOUS, Actor, load_actor
from app.services.policy import KINDS, Action, may
from tests.factories import (
    add_staff,
    follow,
    join_phase,
    make_agenda_item,
    make_meeting,
    make_org,
    make_phase,
    make_project,
    make_user,
)

ROLES = ("admin", "facilitator_this", "facilitator_other", "participant_this", "participant_earlier",
         "follower", "stranger", "anonymous")

# Expected answers for an object in the current phase: (read, comment, propose, manage).
CURRENT = {
    "admin": (1, 1, 1, 1),
    "facilitator_this": (1, 1, 1, 1),
    "facilitator_other": (1, 0, 0, 0),
    "participant_this": (1, 1, 1, 0),
    "participant_earlier": (1, 0, 0, 0),
    "follower": (1, 0, 0, 0),
    "stranger": (0, 0, 0, 0),
    "anonymous": (0, 0, 0, 0),
}
# For an object in the earlier, closed phase: readable by the project, changed only by admins.
EARLIER = {role: (read, int(role == "admin"), int(role == "admin"), int(role == "admin"))
           for role, (read, *_rest) in CURRENT.items()}


def _world(session: Session) -> tuple[dict[str, Actor], dict[str, dict[str, tuple[str, int]]]]:
    people = {role: make_user(session, role) for role in ROLES if role != "anonymous"}
    org = make_org(session, admin=people["admin"])
    other_org = make_org(session, "Aarhus Kommune")
    add_staff(session, other_org, people["stranger"])
    project = make_project(session, org)
    earlier = make_phase(session, project, "Idéfase", position=0, status="closed")
    current = make_phase(session, project, "Handlingsfase", position=1, status="active")
    join_phase(session, current, people["facilitator_this"], "facilitator")
    join_phase(session, earlier, people["facilitator_other"], "facilitator")
    join_phase(session, current, people["participant_this"])
    join_phase(session, earlier, people["participant_earlier"])
    follow(session, project.id, people["follower"])

    def objects_in(phase, with_project: bool) -> dict[str, tuple[str, int]]:  # type: ignore[no-untyped-def]
        meeting = make_meeting(session, phase)
        item = make_agenda_item(session, meeting)
        author = people["participant_this"]
        rows = {
            "comment": Comment(project_id=project.id, meeting_id=meeting.id, agenda_item_id=item.id,
                               author_id=author.id, body="Godt forslag"),
            "material": Material(project_id=project.id, meeting_id=meeting.id, title="Kort", url="https://x.dk"),
            "idea": Idea(project_id=project.id, phase_id=phase.id, author_id=author.id, title="Bænke ved søen"),
            "vote": Vote(meeting_id=meeting.id, question="Hvad skal vi prioritere?"),
            "agreement": Agreement(project_id=project.id, phase_id=phase.id, title="Bestil bænke",
                                   deadline=datetime.now(UTC).date()),
        }
        for row in rows.values():
            session.add(row)
        session.flush()
        found = {"phase": phase.id, "meeting": meeting.id, "agenda_item": item.id,
                 **{kind: row.id for kind, row in rows.items()}}
        if with_project:
            found["project"] = project.id
        return {kind: (kind, obj_id) for kind, obj_id in found.items()}

    actors = {role: load_actor(session, user.id) for role, user in people.items()}
    actors["anonymous"] = ANONYMOUS
    return actors, {"current": objects_in(current, True), "earlier": objects_in(earlier, False)}


def _answers(session: Session, actor: Actor, kind: str, obj_id: int) -> tuple[int, ...]:
    loader = getattr(access, f"access_{kind}")
    try:
        _obj, scope = loader(session, actor, obj_id)
    except NotFound:
        return (0, 0, 0, 0)
    return tuple(int(may(actor, action, scope)) for action in Action)


@pytest.mark.parametrize("kind", KINDS)
def test_policy_matrix_for_every_role_and_action(session: Session, kind: str) -> None:
    actors, objects = _world(session)
    mismatches = []
    for where, expected_table in (("current", CURRENT), ("earlier", EARLIER)):
        if kind not in objects[where]:
            continue
        _, obj_id = objects[where][kind]
        for role in ROLES:
            got = _answers(session, actors[role], kind, obj_id)
            if got != expected_table[role]:
                mismatches.append(f"{where} {kind} {role}: expected {expected_table[role]}, got {got}")
    assert not mismatches, "\n".join(mismatches)


def test_a_closed_phase_stays_readable_and_a_planned_one_can_be_prepared(session: Session) -> None:
    facilitator = make_user(session, "Mette")
    org = make_org(session)
    project = make_project(session, org)
    make_phase(session, project, "Idéfase", status="active")
    planned = make_phase(session, project, "Handlingsfase", position=1, status="planned")
    join_phase(session, planned, facilitator, "facilitator")
    actor = load_actor(session, facilitator.id)
    meeting = make_meeting(session, planned)
    _, scope = access.access_meeting(session, actor, meeting.id)
    assert may(actor, Action.manage, scope)  # the facilitator prepares the next phase's agenda
    assert not may(actor, Action.comment, scope)  # but nobody acts in it before it starts
