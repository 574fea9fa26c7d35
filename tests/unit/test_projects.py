"""Project services on SQLite and PostgreSQL: create a project, invite staff, invite links, joining."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound
from app.models import Phase, PhaseMembership, Project, ProjectInvite, ProjectMember, StaffInvite, User
from app.services import project_views, projects
from app.services.actor import ANONYMOUS, load_actor
from app.services.inputs import InviteLinkInput, JoinInput, ProjectInput, StaffInviteInput
from tests.conftest import count
from tests.factories import add_staff, join_phase, make_org, make_phase, make_project, make_user


@pytest.fixture
def world(session):
    admin = make_user(session, "Mette")
    org = make_org(session, admin=admin)
    project = make_project(session, org)
    first = make_phase(session, project, "Idéfase", position=0, status="active")
    second = make_phase(session, project, "Handlingsfase", position=1, status="planned")
    facilitator = make_user(session, "Lars")
    add_staff(session, org, facilitator)
    join_phase(session, first, facilitator, "facilitator")
    participant = make_user(session, "Ali", guest=True)
    join_phase(session, first, participant)
    return {"admin": admin, "org": org, "project": project, "first": first, "second": second,
            "facilitator": facilitator, "participant": participant}


def actor(session, user):
    return load_actor(session, user.id)


def test_admin_creates_a_project_with_phases_and_facilitates_them(session, world):
    admin = actor(session, world["admin"])
    project = projects.create_project(session, admin, world["org"].id, inputs=ProjectInput(
        title="Et grønnere Nørrebro", description="Grønne gårde", phases="Idéfase\nHandlingsfase"))
    phases = session.exec(select(Phase).where(Phase.project_id == project.id).order_by(Phase.position)).all()
    assert [(p.title, p.status) for p in phases] == [("Idéfase", "active"), ("Handlingsfase", "planned")]
    roles = session.exec(select(PhaseMembership.role).where(PhaseMembership.user_id == admin.user_id,
                                                            PhaseMembership.phase_id.in_([p.id for p in phases])))
    assert list(roles) == ["facilitator", "facilitator"]


def test_staff_and_strangers_cannot_create_projects(session, world):
    with pytest.raises(Forbidden):
        projects.create_project(session, actor(session, world["facilitator"]), world["org"].id,
                                inputs=ProjectInput(title="X", phases="A"))
    with pytest.raises(NotAuthenticated):
        projects.create_project(session, ANONYMOUS, world["org"].id, inputs=ProjectInput(title="X", phases="A"))
    assert count(session, Project) == 1


def test_a_project_needs_a_phase(session, world):
    with pytest.raises(InvalidInput) as caught:
        projects.create_project(session, actor(session, world["admin"]), world["org"].id,
                                inputs=ProjectInput(title="X", phases=""))
    assert "phases" in caught.value.fields


def test_admin_invites_staff_once(session, world):
    ticket = projects.invite_staff(session, actor(session, world["admin"]), world["org"].id,
                                   inputs=StaffInviteInput(email="sofie@kk.dk"))
    assert ticket.org_name == "Københavns Kommune" and ticket.token
    assert session.exec(select(StaffInvite)).one().token_hash != ticket.token
    with pytest.raises(InvalidInput):
        projects.invite_staff(session, actor(session, world["admin"]), world["org"].id,
                              inputs=StaffInviteInput(email=world["facilitator"].email))
    with pytest.raises(Forbidden):
        projects.invite_staff(session, actor(session, world["facilitator"]), world["org"].id,
                              inputs=StaffInviteInput(email="x@kk.dk"))


def test_facilitator_makes_an_invite_link_for_the_current_phase(session, world):
    invite = projects.create_invite_link(session, actor(session, world["facilitator"]), world["project"].id,
                                         inputs=InviteLinkInput())
    assert invite.phase_id == world["first"].id and len(invite.token) >= 20
    assert invite.expires_at > datetime.now(UTC) + timedelta(days=29)


def test_only_a_facilitator_of_that_phase_makes_links(session, world):
    with pytest.raises(Forbidden):
        projects.create_invite_link(session, actor(session, world["participant"]), world["project"].id,
                                    inputs=InviteLinkInput())
    with pytest.raises(Forbidden):  # Lars facilitates the first phase, not the second
        projects.create_invite_link(session, actor(session, world["facilitator"]), world["project"].id,
                                    inputs=InviteLinkInput(phase_id=world["second"].id))
    stranger = make_user(session, "Eve")
    with pytest.raises(NotFound):
        projects.create_invite_link(session, actor(session, stranger), world["project"].id, inputs=InviteLinkInput())
    assert count(session, ProjectInvite) == 0


def test_a_citizen_joins_by_link_as_a_guest_participant(session, world):
    invite = projects.create_invite_link(session, actor(session, world["facilitator"]), world["project"].id,
                                         inputs=InviteLinkInput())
    joined = projects.join_by_invite(session, ANONYMOUS, invite.token, inputs=JoinInput(display_name="Birthe"))
    user = session.get(User, joined.user_id)
    assert user.is_guest and user.password_hash is None and user.email is None
    member = load_actor(session, user.id)
    assert member.in_project(world["project"].id) and member.phase_role(world["first"].id) == "participant"
    assert invite.uses == 1


def test_joining_twice_as_the_same_person_adds_no_duplicate(session, world):
    invite = projects.create_invite_link(session, actor(session, world["facilitator"]), world["project"].id,
                                         inputs=InviteLinkInput())
    projects.join_by_invite(session, actor(session, world["participant"]), invite.token)
    assert count(session, PhaseMembership) == 2 and count(session, ProjectMember) == 2


@pytest.mark.parametrize("state", ["unknown", "revoked", "expired"])
def test_a_bad_invite_token_is_refused(session, world, state):
    invite = projects.create_invite_link(session, actor(session, world["facilitator"]), world["project"].id,
                                         inputs=InviteLinkInput())
    token = invite.token
    if state == "unknown":
        token = "not-a-token"
    elif state == "revoked":
        projects.revoke_invite_link(session, actor(session, world["facilitator"]), invite.id)
    else:
        invite.expires_at = datetime.now(UTC) - timedelta(minutes=1)
        session.add(invite)
        session.flush()
    users = count(session, User)
    with pytest.raises(projects.InviteInvalid):
        projects.join_by_invite(session, ANONYMOUS, token, inputs=JoinInput(display_name="Birthe"))
    assert count(session, User) == users


def test_overview_lists_phases_members_and_the_next_meeting(session, world):
    from tests.factories import make_meeting

    make_meeting(session, world["first"], "Workshop 1", starts_in=timedelta(days=3))
    make_meeting(session, world["first"], "Old meeting", starts_in=timedelta(days=-3))
    view = project_views.project_overview(session, actor(session, world["participant"]), world["project"].id)
    assert [p.phase.title for p in view.phases] == ["Idéfase", "Handlingsfase"]
    assert [u.display_name for u in view.phases[0].facilitators] == ["Lars"]
    assert [u.display_name for u in view.phases[0].participants] == ["Ali"]
    assert view.next_meeting.title == "Workshop 1" and not view.may_invite
    assert project_views.project_overview(session, actor(session, world["facilitator"]),
                                          world["project"].id).may_invite


def test_strangers_do_not_see_a_project(session, world):
    with pytest.raises(NotFound):
        project_views.project_overview(session, actor(session, make_user(session, "Eve")), world["project"].id)
    with pytest.raises(NotFound):
        project_views.project_overview(session, ANONYMOUS, world["project"].id)
